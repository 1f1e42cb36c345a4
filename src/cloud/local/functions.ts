import * as path from 'path';
import type { FunctionSpec, Functions } from '../ports';
import { UserError } from '../../model/errors';
import { StateShapes, readJson, writeJson } from './json-file';

/** Functions (Lambda locally): the registry of deployed specs, persisted in functions.json. */
export class LocalFunctions implements Functions {
  private readonly file: string;
  private cache: Record<string, Record<string, FunctionSpec>> | undefined;

  constructor(home: string, private readonly regions: ReadonlySet<string>) {
    this.file = path.join(home, 'functions.json');
  }

  private all(): Record<string, Record<string, FunctionSpec>> {
    return (this.cache ??= readJson<Record<string, Record<string, FunctionSpec>>>(this.file, {}, StateShapes.byRegion));
  }

  private save(): void {
    writeJson(this.file, this.all());
  }

  /** The spec of a deployed function, or undefined. */
  spec(region: string, name: string): FunctionSpec | undefined {
    return this.all()[region]?.[name];
  }

  async deploy(spec: FunctionSpec): Promise<void> {
    if (!this.regions.has(spec.region)) throw new UserError(`region ${spec.region} is not one of the local cloud's simulated regions`);
    if (spec.name.length > 64) throw new UserError(`function name ${spec.name} is longer than 64 characters`);
    const all = this.all();
    (all[spec.region] ??= {})[spec.name] = spec;
    this.save();
  }

  async isLive(region: string, name: string): Promise<boolean> {
    return this.spec(region, name) !== undefined;
  }

  async remove(region: string, name: string): Promise<void> {
    const all = this.all();
    if (all[region]?.[name]) {
      delete all[region][name];
      this.save();
    }
  }

  async list(region: string): Promise<string[]> {
    return Object.keys(this.all()[region] ?? {}).sort();
  }
}
