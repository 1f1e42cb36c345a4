/**
 * A reference executor of the call-site contract, for tests: it bundles a workflow with the
 * call-site plugin (exactly as deploy will), loads it, and runs one workflow run in process,
 * instance by instance in DAG order, without any cloud.
 *
 * Semantics (sdk/README.md): each `ctx.invoke` call site is one successor instance; a site
 * called with `{ conditional: false }`, or not reached by the time the handler returns, is a
 * conditional non-execution; an instance none of whose incoming sites fired is skipped and so
 * are all its own sites; a join runs once, with the payloads of the slots that fired, in slot order.
 */
import * as esbuild from 'esbuild';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Context, JoinContext, RegisteredFunction, Workflow } from '../../sdk';
import { caribouSitesPlugin } from '../../src/deploy/instrument';
import { WorkflowProject } from '../../src/deploy/project';

/** What happened to one instance in a run. */
export interface InstanceRun {
  ran: boolean;
  result?: unknown;
  /** site → what the handler asked for at that site */
  calls: Map<number, { target: string; payload: unknown; conditional: boolean }>;
}

/** Bundles `project`'s source with call-site instrumentation and loads its default-exported workflow. */
export async function loadBundledWorkflow(project: WorkflowProject): Promise<Workflow> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-harness-'));
  const out = path.join(dir, 'bundle.js');
  let mod: { default?: Workflow };
  try {
    await esbuild.build({ entryPoints: [project.sourceFile], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, plugins: [caribouSitesPlugin()], logLevel: 'silent', conditions: ['caribou-source'] });
    // caribou-source: `caribou-ts/sdk` is this checkout's source, as in src/deploy/bundle.ts
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(out) as { default?: Workflow };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  if (!mod.default) throw new Error(`${project.sourceFile} has no default export`);
  return mod.default;
}

/** Runs one workflow run of `wf` (the bundled module) over `project`'s DAG; returns each instance's fate. */
export async function runOnce(project: WorkflowProject, wf: Workflow, payload: unknown, runId = 'run-1'): Promise<Map<string, InstanceRun>> {
  const runs = new Map<string, InstanceRun>();
  const instances = project.config.instances;
  const quiet = console.log;
  console.log = () => {}; // example handlers print their results; keep test output clean
  try {
    for (const inst of instances) {
      const fn = wf.functions.get(inst.function_name) as RegisteredFunction;
      const incoming = instances.flatMap((p) => p.call_sites.filter((s) => s.successor === inst.instance_name).map((s) => ({ pred: p.instance_name, site: s.site })));
      // slot order: the join's declared slots; ordinary instances have exactly one incoming site
      const order = inst.join_slots ?? incoming.map((s) => `${s.pred}#${s.site}`);
      const fired: unknown[] = [];
      for (const slot of order) {
        const cut = slot.lastIndexOf('#');
        const call = runs.get(slot.slice(0, cut))?.calls.get(Number(slot.slice(cut + 1)));
        if (call && call.conditional) fired.push(call.payload);
      }
      const run: InstanceRun = { ran: false, calls: new Map() };
      runs.set(inst.instance_name, run);
      if (!inst.entry_point && fired.length === 0) continue; // skipped: every site of it is a non-execution
      const ctx: JoinContext<unknown> = {
        runId,
        instance: inst.instance_name,
        region: project.manifest.home_region.region,
        invoke(...args: unknown[]): void {
          const [target, p, options, site] = args as [{ name: string }, unknown, { conditional?: boolean } | undefined, number];
          if (typeof site !== 'number') throw new Error(`${inst.instance_name}: invoke without a site index (was the source instrumented?)`);
          if (run.calls.has(site)) throw new Error(`${inst.instance_name}: site ${site} called twice`);
          const declared = inst.call_sites.find((s) => s.site === site);
          if (!declared) throw new Error(`${inst.instance_name}: no call site ${site} in the DAG`);
          const succ = instances.find((i) => i.instance_name === declared.successor)!;
          if (succ.function_name !== target.name) throw new Error(`${inst.instance_name}: site ${site} calls ${target.name} but the DAG says ${succ.function_name}`);
          run.calls.set(site, { target: target.name, payload: JSON.parse(JSON.stringify(p)), conditional: options?.conditional !== false });
        },
        async predecessorData() {
          return fired;
        },
      };
      run.result = fn.kind === 'join' ? await (fn.handler as (c: JoinContext<unknown>) => unknown)(ctx) : await (fn.handler as (p: unknown, c: Context) => unknown)(inst.entry_point ? payload : fired[0], ctx);
      run.ran = true;
    }
  } finally {
    console.log = quiet;
  }
  return runs;
}

/** The results of the instances of `fn` that ran, in DAG order. */
export function resultsOf(project: WorkflowProject, runs: Map<string, InstanceRun>, fn: string): unknown[] {
  return project.config.instances.filter((i) => i.function_name === fn && runs.get(i.instance_name)?.ran).map((i) => runs.get(i.instance_name)!.result);
}
