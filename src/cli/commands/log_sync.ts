import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { UserError } from '../../model/errors';
import { formatSyncReport, syncAllWorkflows } from '../../sync';

interface Flags {
  workflowId?: string;
  bufferMinutes?: string;
  json?: boolean;
  reset?: boolean;
}

/** Registers `caribou log_sync [-w <workflow_id>]`: reads new runtime log lines into each workflow's summary. */
export function register(program: Command): void {
  program
    .command('log_sync')
    .description('read the runtime logs of deployed workflows since the last sync and update their run summaries')
    .option('-w, --workflow-id <id>', 'sync only this workflow (default: every deployed workflow)')
    .option('--buffer-minutes <n>', 'leave lines newer than now minus this many minutes for the next sync (default 15 on AWS, 0 on the local cloud)')
    .option('--json', 'print the reports as JSON')
    .option('--reset', 'rebuild the summaries from the logs of the last 30 days instead of continuing from the last sync')
    .action(async (flags: Flags, cmd: Command) => {
      let bufferMs: number | undefined;
      if (flags.bufferMinutes !== undefined) {
        const n = Number(flags.bufferMinutes);
        if (!(Number.isFinite(n) && n >= 0)) throw new UserError(`--buffer-minutes: "${flags.bufferMinutes}" is not a number of minutes ≥ 0`);
        bufferMs = n * 60_000;
      }
      const target = targetOf(cmd.optsWithGlobals().target);
      // the local cloud delivers every message before a command exits, so no line can arrive
      // late: read up to now and keep complete runs at once (AWS keeps the 15-minute buffer)
      const local = target === 'local' ? { bufferMs: bufferMs ?? 0, settleMs: 0 } : { bufferMs };
      await withCloud({ target }, async (cloud) => {
        const results = await syncAllWorkflows({ tables: cloud.tables, logs: cloud.logs, now: () => cloud.now() }, { workflowId: flags.workflowId, ...local, reset: flags.reset });
        // a workflow not synced: the command did not do its job (1: its input or state; 2: internal)
        if (results.some((r) => r.error)) process.exitCode = results.some((r) => r.internal) ? 2 : 1;
        if (flags.json) {
          console.log(JSON.stringify(results, null, 2));
          return;
        }
        if (results.length === 0) console.log('no workflows are deployed: nothing to sync');
        for (const r of results) console.log(r.report ? formatSyncReport(r.report) : `${r.workflow_id}: not synced: ${r.error}`);
      });
    });
}
