import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { listWorkflows } from '../../deploy/deployer';
import { currentPlacement } from '../../deploy/observe';
import { UserError } from '../../model/errors';

/** Registers `caribou list`: the deployed workflows and where each runs now. */
export function register(program: Command): void {
  program
    .command('list')
    .description('list the deployed workflows and the regions each runs in now')
    .option('--json', 'print a JSON array of {"workflow_id","home_region","route","regions"}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const rows = await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, async (cloud) => {
        const out = [];
        for (const id of await listWorkflows(cloud)) {
          // a workflow whose deploy did not finish has no placement decision: listed, not fatal
          const p = await currentPlacement(cloud, id).catch((e: unknown) => {
            if (e instanceof UserError) return { home_region: null, route: 'unknown', regions: [] as string[] };
            throw e;
          });
          out.push({ workflow_id: id, home_region: p.home_region, route: p.route, regions: p.regions });
        }
        return out;
      });
      if (opts.json) console.log(JSON.stringify(rows));
      else if (rows.length === 0) console.log('no workflows are deployed (deploy one with caribou deploy)');
      else for (const r of rows) console.log(`${r.workflow_id}  ${r.regions.join(', ')}  (${r.route === 'home' ? 'home deployment' : r.route === 'unknown' ? 'deploy did not finish' : `plan of hour ${r.route}`})`);
    });
}
