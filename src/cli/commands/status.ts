import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { describeStatus, workflowStatus } from '../../deploy/observe';
import { UserError } from '../../model/errors';
import type { Cloud } from '../../cloud/ports';
import { readMigrationRecord } from '../../migrate/migrator';
import { describeRealized, predictedCarbonChange, realizedByDay, type RealizedDay } from '../../report/realized';
import { loadSolveInput } from '../../solve';
import { readSummary } from '../../sync';

/** Realized figures per day from the log syncer's kept runs (issue 15). */
async function realizedOf(cloud: Cloud, workflowId: string): Promise<RealizedDay[]> {
  const summary = await readSummary(cloud.tables, workflowId);
  if (!summary?.runs.length) return [];
  const input = await loadSolveInput(cloud.tables, workflowId);
  const applied = (await readMigrationRecord(cloud, workflowId))?.applied;
  return realizedByDay(input, summary.runs, applied ? { pct: predictedCarbonChange(applied.metrics), since: applied.switched_at } : null);
}

/** Registers `caribou status <workflow_id>`: where it runs, its plan, last solve and migration, recent runs. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show where a deployed workflow runs now and hour by hour, when its plan expires, its last solve and migration, and its recent runs')
    .argument('<workflow_id>', 'the id printed by deploy, e.g. small_sync_example-0.0.1')
    .option('--runs <n>', 'how many recent runs to show', '5')
    .option('--json', 'print the status record as JSON')
    .option('--realized', 'also price the synced runs per day against their home counterfactual, beside the prediction')
    .action(async (workflowId: string, opts: { runs: string; json?: boolean; realized?: boolean }, cmd: Command) => {
      const n = Number(opts.runs);
      if (!Number.isInteger(n) || n < 0) throw new UserError(`--runs must be a whole number ≥ 0; got "${opts.runs}"`);
      const [s, realized] = await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, async (cloud) => [
        await workflowStatus(cloud, workflowId, n),
        opts.realized ? await realizedOf(cloud, workflowId) : undefined,
      ] as const);
      if (opts.json) console.log(JSON.stringify(realized ? { ...s, realized } : s, null, 2));
      else console.log(describeStatus(s) + (realized ? '\n' + describeRealized(realized) : ''));
    });
}
