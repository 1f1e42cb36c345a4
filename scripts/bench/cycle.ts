/**
 * CaribouCycle inside Step Functions' quotas: runs the real definition
 * (state-machines/caribou-cycle.asl.json) on the local runner (aws-local-stepfunctions) with N
 * workflows due and reads the runner's counters (src/cloud/local/history.ts): the history
 * events and the largest state payload of every execution, as AWS would count them.
 *
 *   npm run bench -- cycle --workflows N [--rounds R] [--batches B] [--json]
 *   {"solved","max_history_events","max_payload_bytes","wall_s","executions","tasks"}
 *
 * The tasks are scripted ("tasks":"scripted"): each returns what the control-plane handler
 * returns (a due list of N workflows, R rounds of B batches per solve), so the figures are the
 * definition's and the interpreter's, not the solver's or the log sync's. Exits 1, saying
 * which quota, when an execution would break one: AWS would have failed it.
 */
import { HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES, quotaBreach } from '../../src/cloud/local/history';
import { LocalStateMachines } from '../../src/cloud/local/state-machines';

const args = process.argv.slice(2);
function int(name: string, dflt: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return dflt;
  const v = args[at + 1];
  if (!v || !/^\d+$/.test(v) || Number(v) < 1) {
    console.error(`error: --${name} ${v ?? ''}: expected a whole number ≥ 1`);
    process.exit(1);
  }
  return Number(v);
}
const workflows = int('workflows', 100);
const rounds = int('rounds', 3);
const batches = int('batches', 1);
const json = args.includes('--json');

const round = (wf: string, r: number) => ({
  workflow_id: wf,
  solve_id: `${wf}@2026-12-08T01:00:00.000Z`,
  round: r,
  done: r > rounds,
  batches: r > rounds ? [] : Array.from({ length: batches }, (_, b) => ({ workflow_id: wf, solve_id: `${wf}@2026-12-08T01:00:00.000Z`, round: r, batch: b })),
  candidates: 16,
  evaluations: r * 16,
});
const ok = async (x: unknown) => x;
const ids = Array.from({ length: workflows }, (_, k) => `bench_workflow_${k}-0.0.1`);
const tasks = {
  collectProvider: () => ok({ collector: 'provider', ok: true }),
  collectCarbon: () => ok({ collector: 'carbon', ok: true }),
  collectPerformance: () => ok({ collector: 'performance', ok: true }),
  syncLogs: () => ok({ workflows: ids.map((workflow_id) => ({ workflow_id, runs: 24 })) }),
  decide: () => ok({ due: ids.map((workflow_id) => ({ workflow_id, solve_id: `${workflow_id}@2026-12-08T01:00:00.000Z` })), decisions: [] }),
  solvePrepare: (i: any) => ok(round(i.workflow_id, 1)),
  solveEvaluate: (i: any) => ok({ ok: true, batch: i.batch, items: 16 }),
  solveSelect: (i: any) => ok(round(i.workflow_id, i.round + 1)),
  solveStage: (i: any) => ok({ workflow_id: i.workflow_id, status: 'staged' }),
  migrate: () => ok({ workflows: [] }),
};

async function main(): Promise<number> {
  const sm = new LocalStateMachines({ tasks });
  const t0 = process.hrtime.bigint();
  const id = await sm.start('CaribouCycle', { force: true });
  const r = await sm.follow(id, () => undefined);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const all = [...sm.histories()];
  const solved = ((r.output as { solve?: Array<{ status: string }> } | undefined)?.solve ?? []).filter((s) => s.status === 'staged').length;
  const out = {
    solved,
    max_history_events: Math.max(...all.map(([, f]) => f.events)),
    max_payload_bytes: Math.max(...all.map(([, f]) => f.maxPayloadBytes)),
    wall_s: Number(wall.toFixed(2)),
    executions: all.length,
    tasks: 'scripted',
  };
  if (json) console.log(JSON.stringify(out));
  else
    console.log(
      `cycle benchmark: ${workflows} workflows due, ${rounds} rounds of ${batches} batches each (scripted tasks, real definition and interpreter)\n` +
        `  solved ${out.solved} of ${workflows}; ${out.executions} execution(s); most history events ${out.max_history_events} (quota ${HISTORY_EVENT_LIMIT}); ` +
        `largest payload ${out.max_payload_bytes} bytes (quota ${PAYLOAD_LIMIT_BYTES}); ${out.wall_s} s`,
    );
  if (r.status !== 'SUCCEEDED') {
    console.error(`error: the cycle ${r.status}: ${r.error ?? ''}`);
    return 1;
  }
  const breaches = all.map(([name, f]) => quotaBreach(name, f)).filter((b): b is string => b !== undefined);
  for (const b of breaches) console.error(`error: ${b}; AWS would have failed it`);
  return breaches.length > 0 || solved < workflows ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
