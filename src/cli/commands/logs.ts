import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { followWorkflowLogs, formatLogEntry, readWorkflowLogs, type LogEntry, type LogQuery } from '../../deploy/observe';

/** Registers `caribou logs <workflow_id>`: console output and runtime events of a workflow's functions. */
export function register(program: Command): void {
  program
    .command('logs')
    .description("print a deployed workflow's logs: its functions' console output and the runtime's events (INVOKED, EXECUTED, failures), oldest first")
    .argument('<workflow_id>', 'the id printed by deploy, e.g. small_sync_example-0.0.1')
    .option('--run <run_id>', 'only this run (console lines belong to the run whose event precedes them in their stream)')
    .option('--function <name>', 'only this function (its name in app.ts)')
    .option('-f, --follow', 'keep printing new lines as they arrive (Ctrl-C stops)')
    .option('--json', 'one JSON object per line: {"time","region","function","run_id","kind","event","instance","text"}')
    .action(async (workflowId: string, opts: { run?: string; function?: string; follow?: boolean; json?: boolean }, cmd: Command) => {
      const target = targetOf(cmd.optsWithGlobals().target);
      const q: LogQuery = { runId: opts.run, functionName: opts.function };
      const print = (e: LogEntry) => console.log(opts.json ? JSON.stringify(e) : formatLogEntry(e));
      if (!opts.follow) {
        const entries = await withCloud({ target }, (cloud) => readWorkflowLogs(cloud, workflowId, q));
        if (entries.length === 0 && !opts.json) console.log(`no log lines for ${workflowId}${opts.run ? ` run ${opts.run}` : ''}${opts.function ? ` function ${opts.function}` : ''}`);
        entries.forEach(print);
        return;
      }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      await followWorkflowLogs((fn) => withCloud({ target }, fn), workflowId, q, print, { intervalMs: 2000, signal: stop.signal });
    });
}
