/**
 * Local cloud benchmark: runs of small_sync_example on the embedded cloud.
 *
 *   npm run bench -- local                 1,000 runs, human-readable figures
 *   npm run bench -- local --runs 200      another count
 *   npm run bench -- local --json          one line: {"runs","succeeded","wall_s","cpu_s","runs_per_s","concurrency","dynamodb_calls_per_run"}
 *
 * Everything real: the workflow is bundled with esbuild and deployed into a fresh state
 * folder (dynalite on disk), every run goes through the SDK runtime, the DynamoDB adapter
 * and dynalite, with latencies drawn from the bundled data on the virtual clock. The runs
 * are started together and drained in one process (runMany). Timed: the runs only, not the
 * deploy. CARIBOU_LOCAL_CONCURRENCY changes how many deliveries overlap.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 1000;

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a whole number ≥ 1, got ${args[runsArg + 1]}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-bench-local-'));
  const cloud = await openLocalCloud({ home, knobs: { seed: 1 } });
  try {
    const project = await loadWorkflowProject(path.join(__dirname, '..', '..', 'examples', 'small_sync_example'));
    const id = await deployWorkflow(cloud, project);
    // every DynamoDB request of the runs goes through the adapter's one `call` method: count them
    const store = cloud.tables as unknown as { call: (...a: unknown[]) => Promise<unknown> };
    const call = store.call.bind(store);
    let dynamoCalls = 0;
    store.call = (...a: unknown[]) => {
      dynamoCalls++;
      return call(...a);
    };
    const payloads = Array.from({ length: RUNS }, (_, i) => ({ message: `run ${i}`, number: i % 7 }));
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const results = await runMany(cloud, id, payloads, { spacingS: 0.05 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const succeeded = results.filter((r) => r.status === 'succeeded').length;
    const figures = { runs: RUNS, succeeded, wall_s: round(wall), cpu_s: round(cpuS), runs_per_s: round(RUNS / wall), concurrency: cloud.knobs.concurrency, dynamodb_calls_per_run: round(dynamoCalls / RUNS) };
    if (json) console.log(JSON.stringify(figures));
    else {
      console.log(`local cloud: ${RUNS} runs of small_sync_example (3 functions, 2 joins each) on ${os.cpus().length} CPUs, concurrency ${figures.concurrency}`);
      console.log(`  ${succeeded}/${RUNS} succeeded`);
      console.log(`  wall ${figures.wall_s} s (${figures.runs_per_s} runs/s), CPU ${figures.cpu_s} s`);
      console.log(`  DynamoDB calls per run: ${figures.dynamodb_calls_per_run}`);
      console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
    if (succeeded !== RUNS) process.exitCode = 1;
  } finally {
    await cloud.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((err) => {
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
});
