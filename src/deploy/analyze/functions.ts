/**
 * Per-function deploy settings: the literal options of each registration, checked with a codec
 * and merged over the manifest (function values win; disallowed regions add up).
 */
import * as t from 'io-ts';
import { decodeResult, formatProblem, show } from '../../model/decode';
import { Architecture, EnvironmentVariable, Manifest } from '../../model/manifest';
import { FunctionName, RegionCode, intInRange, refined } from '../../model/primitives';
import { FunctionConfig } from '../../model/workflow-config';
import { SourceDiagnostic } from './diagnostics';
import { FunctionDecl } from './source';

const EnvKey = EnvironmentVariable.type.props.key;

/** The options object of `wf.fn`/`wf.join`, as read from the source (see sdk FunctionOptions). */
export const FunctionOptionsLiteral = t.exact(
  t.intersection([
    t.type({ name: FunctionName }),
    t.partial({
      entryPoint: t.boolean,
      memory: intInRange(128, 10240, 'MB'),
      timeout: intInRange(1, 900, 's'),
      architecture: Architecture,
      regions: t.exact(t.partial({ allowed: t.array(RegionCode), disallowed: t.array(RegionCode) })),
      environment: t.record(refined(t.string, (k) => EnvKey.is(k), 'a variable name not starting with AWS_ or CARIBOU_'), t.string),
    }),
  ]),
);
export type FunctionOptionsLiteral = t.TypeOf<typeof FunctionOptionsLiteral>;

const KNOWN_OPTIONS = new Set(['name', 'entryPoint', 'memory', 'timeout', 'architecture', 'regions', 'environment']);

/** Checks each function's options and merges them with the manifest into FunctionConfig records. */
export function functionConfigs(file: string, manifest: Manifest, decls: FunctionDecl[]): { functions: FunctionConfig[]; diagnostics: SourceDiagnostic[] } {
  const diagnostics: SourceDiagnostic[] = [];
  const functions: FunctionConfig[] = [];
  const base = manifest.regions_and_providers.providers.aws.config;
  const manifestAllowed = (manifest.regions_and_providers.allowed_regions ?? []).map((r) => r.region);
  const manifestDisallowed = (manifest.regions_and_providers.disallowed_regions ?? []).map((r) => r.region);
  const home = manifest.home_region.region;
  const manifestEnv: Record<string, string> = {};
  for (const v of manifest.environment_variables ?? []) manifestEnv[v.key] = v.value;

  for (const d of decls) {
    const say = (message: string): void => {
      diagnostics.push({ file, line: d.line, column: d.column, message: `function "${d.name}": ${message}` });
    };
    for (const k of Object.keys(d.options)) if (!KNOWN_OPTIONS.has(k)) say(`unknown option "${k}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    const r = decodeResult(FunctionOptionsLiteral, d.options);
    if (!r.ok) {
      for (const p of r.problems) say(`option ${formatProblem(p)}`);
      continue;
    }
    const o = r.value;
    const allowed = o.regions?.allowed ?? (manifestAllowed.length > 0 ? manifestAllowed : undefined);
    const disallowed = [...new Set([...manifestDisallowed, ...(o.regions?.disallowed ?? [])])];
    if (disallowed.includes(home)) say(`the home region ${home} may not be disallowed (every function is first deployed there)`);
    if (allowed && !allowed.includes(home)) say(`its allowed regions ${show(allowed)} must include the home region ${home}`);
    for (const a of o.regions?.allowed ?? []) if (disallowed.includes(a)) say(`region ${a} is both allowed and disallowed`);
    const fc: FunctionConfig = {
      name: o.name,
      entry_point: o.entryPoint === true,
      is_join: d.kind === 'join',
      memory: o.memory ?? base.memory,
      timeout: o.timeout ?? base.timeout,
      architecture: o.architecture ?? base.architecture ?? 'x86_64',
      environment: { ...manifestEnv, ...(o.environment ?? {}) },
      source_line: d.line,
    };
    if (allowed) fc.allowed_regions = allowed;
    if (disallowed.length > 0) fc.disallowed_regions = disallowed;
    functions.push(fc);
  }
  return { functions, diagnostics };
}
