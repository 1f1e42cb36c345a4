import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { removeWorkflow } from '../../deploy/deployer';

/** Registers `caribou remove <workflow_id>`: removes a workflow and everything deployed for it. */
export function register(program: Command): void {
  program
    .command('remove')
    .description('remove a deployed workflow: its functions, topics, code and records in every region')
    .argument('<workflow_id>', 'the id printed by deploy, e.g. small_sync_example-0.0.1')
    .option('--json', 'print {"removed"} as JSON')
    .action(async (workflowId: string, opts: { json?: boolean }, cmd: Command) => {
      await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, (cloud) => removeWorkflow(cloud, workflowId));
      console.log(opts.json ? JSON.stringify({ removed: workflowId }) : `removed ${workflowId}`);
    });
}
