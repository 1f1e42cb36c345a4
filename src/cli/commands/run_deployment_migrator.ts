import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { runDeploymentMigrator } from '../../migrate';
import { ExitCode } from '../../model/errors';

/** Registers `caribou run_deployment_migrator`: applies staged plans and cleans up unused regions. */
export function register(program: Command): void {
  program
    .command('run_deployment_migrator')
    .description('apply staged plans: deploy to new regions, check them live, switch each placement decision, and remove functions no plan uses once no run can still reach them')
    .option('-w, --workflow <id...>', 'only these workflows')
    .option('--json', 'print one line: {"applied":true|false,"reason"?,"workflows":[...]}; exit 3 when a live migrator holds a lease (nothing applied there)')
    .action(async (opts: { workflow?: string[]; json?: boolean }, cmd: Command) => {
      const target = targetOf(cmd.optsWithGlobals().target);
      const workflows = await withCloud({ target }, (cloud) => runDeploymentMigrator(cloud, { workflows: opts.workflow }));
      // "not applied" is never success: a workflow whose lease a live migrator holds, or that failed
      const notApplied = workflows.filter((m) => m.status === 'locked' || m.status === 'failed');
      const reason = notApplied.map((m) => `${m.workflow_id}: ${m.reason ?? m.error ?? m.status}`).join('; ');
      if (opts.json) console.log(JSON.stringify({ applied: notApplied.length === 0, ...(reason ? { reason } : {}), workflows }));
      else {
        if (!workflows.length) console.log('nothing staged, nothing retiring');
        for (const m of workflows)
          console.log(
            `${m.workflow_id}: ${m.status === 'locked' ? 'not applied (locked)' : m.status}` +
              (m.switched ? ' (placement decision switched)' : '') +
              (m.deployed.length ? `\n  deployed: ${m.deployed.join(', ')}` : '') +
              (m.removed.length ? `\n  removed: ${m.removed.join(', ')}` : '') +
              (m.retiring.length ? `\n  retiring after the grace period: ${m.retiring.join(', ')}` : '') +
              `\n  instances away from home: ${m.migrated_instances}` +
              (m.error ? `\n  error: ${m.error}` : '') +
              (m.reason ? `\n  ${m.reason}; run again once it is released or expired` : ''),
          );
      }
      if (workflows.some((m) => m.status === 'failed')) process.exitCode = ExitCode.UserInput;
      else if (notApplied.length) process.exitCode = ExitCode.NothingApplied;
    });
}
