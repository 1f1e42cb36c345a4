import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalCloud } from '../../src/cloud/local';
import { LOG_PREFIX } from '../../src/model/log-event';
import { physicalFunctionName } from '../../src/model/primitives';
import type { WorkflowConfig } from '../../src/model/workflow-config';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix = 'caribou-local-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const REPO = path.resolve(__dirname, '../..');
export const example = (name: string) => path.join(REPO, 'examples', name);
export const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

/** Every line a function wrote in a region, over all time. */
export async function allLines(cloud: LocalCloud, config: WorkflowConfig, fn: string, region = config.home_region.region) {
  return cloud.logs.read(region, physicalFunctionName(config.workflow_name, config.workflow_version, fn, region), 0, Number.MAX_SAFE_INTEGER);
}

/** The runtime's structured events a function logged. */
export async function eventsOf(cloud: LocalCloud, config: WorkflowConfig, fn: string, region?: string): Promise<Array<Record<string, unknown>>> {
  return (await allLines(cloud, config, fn, region)).filter((l) => l.line.startsWith(LOG_PREFIX)).map((l) => JSON.parse(l.line.slice(LOG_PREFIX.length)));
}

/** What the user code printed (JSON lines), i.e. the examples' results. */
export async function printedOf(cloud: LocalCloud, config: WorkflowConfig, fn: string, region?: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const l of await allLines(cloud, config, fn, region)) {
    if (l.line.startsWith(LOG_PREFIX) || !l.line.startsWith('{')) continue;
    out.push(JSON.parse(l.line));
  }
  return out;
}
