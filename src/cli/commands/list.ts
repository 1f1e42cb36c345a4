import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { listWorkflows } from '../../deploy/deployer';

/** Registers `caribou list`: the ids of the deployed workflows. */
export function register(program: Command): void {
  program
    .command('list')
    .description('list the deployed workflows')
    .option('--json', 'print a JSON array of workflow ids')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ids = await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, (cloud) => listWorkflows(cloud));
      if (opts.json) console.log(JSON.stringify(ids));
      else if (ids.length === 0) console.log('no workflows are deployed (deploy one with caribou deploy)');
      else for (const id of ids) console.log(id);
    });
}
