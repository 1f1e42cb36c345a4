import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { describeStatus, workflowStatus } from '../../deploy/observe';
import { UserError } from '../../model/errors';

/** Registers `caribou status <workflow_id>`: where it runs, its plan, last solve and migration, recent runs. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show where a deployed workflow runs now and hour by hour, when its plan expires, its last solve and migration, and its recent runs')
    .argument('<workflow_id>', 'the id printed by deploy, e.g. small_sync_example-0.0.1')
    .option('--runs <n>', 'how many recent runs to show', '5')
    .option('--json', 'print the status record as JSON')
    .action(async (workflowId: string, opts: { runs: string; json?: boolean }, cmd: Command) => {
      const n = Number(opts.runs);
      if (!Number.isInteger(n) || n < 0) throw new UserError(`--runs must be a whole number ≥ 0; got "${opts.runs}"`);
      const s = await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, (cloud) => workflowStatus(cloud, workflowId, n));
      console.log(opts.json ? JSON.stringify(s, null, 2) : describeStatus(s));
    });
}
