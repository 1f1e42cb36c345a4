import type { Command } from 'commander';

/**
 * The CLI's commands. Each module under ./commands exports a `register(program)`; it is loaded
 * only when one of its commands runs (or `buildProgram()` is asked for all of them), so
 * `caribou --help` does not load TypeScript, esbuild or the AWS SDK. `names` and `summary`
 * are what the command list shows without loading the module; tests/cli/lazy.test.ts checks
 * each module registers exactly the names listed here.
 */
export interface CommandModule {
  /** the commands the module registers, in order */
  names: string[];
  /** one line for the command list of `caribou --help` (one per name when a module has several) */
  summary: string | string[];
  load: () => (program: Command) => void;
}

/** The CLI registers them in this order; add a command module with one entry here. */
export const COMMANDS: CommandModule[] = [
  { names: ['new_workflow'], summary: 'create a new workflow directory', load: () => require('./commands/new_workflow').register },
  { names: ['inspect'], summary: 'show the DAG read from a workflow (type-checked; nothing is run)', load: () => require('./commands/inspect').register },
  { names: ['deploy'], summary: 'type-check, bundle and deploy a workflow; prints its id', load: () => require('./commands/deploy').register },
  { names: ['run'], summary: 'run a deployed workflow once', load: () => require('./commands/run').register },
  { names: ['list'], summary: 'list the deployed workflows and where they run now', load: () => require('./commands/list').register },
  { names: ['logs'], summary: "print a workflow's console output and runtime events", load: () => require('./commands/logs').register },
  { names: ['status'], summary: 'where a workflow runs, its plan, last solve and recent runs', load: () => require('./commands/status').register },
  { names: ['remove'], summary: 'remove a deployed workflow', load: () => require('./commands/remove').register },
  { names: ['data_collect'], summary: 'collect region data or a workflow summary', load: () => require('./commands/data_collect').register },
  { names: ['setup_tables'], summary: "create the framework's tables", load: () => require('./commands/setup_tables').register },
  { names: ['teardown_framework'], summary: 'remove everything the framework created', load: () => require('./commands/teardown_framework').register },
  {
    names: ['setup_all_timers', 'setup_timer', 'list_timers', 'remove_timer', 'remove_all_timers'],
    summary: ['create every timer', 'create or replace one timer', 'list the timers', 'remove one timer', 'remove every timer'],
    load: () => require('./commands/timers').register,
  },
  { names: ['solve'], summary: 'solve the placement of a deployed workflow', load: () => require('./commands/solve').register },
  { names: ['log_sync'], summary: 'read the runtime logs into run summaries', load: () => require('./commands/log_sync').register },
  { names: ['manage_deployments'], summary: 'decide which workflows to solve, and solve them', load: () => require('./commands/manage_deployments').register },
  { names: ['run_deployment_migrator'], summary: 'apply staged placement plans', load: () => require('./commands/run_deployment_migrator').register },
  { names: ['cycle'], summary: 'run the CaribouCycle state machine once', load: () => require('./commands/cycle').register },
  { names: ['quickstart'], summary: 'the whole story on the local cloud in about a minute', load: () => require('./commands/quickstart').register },
];

/** The name of the command `argv` invokes (`help <name>` included), or undefined; skips global options. */
export function invokedCommand(argv: string[]): string | undefined {
  const rest = argv.slice(2);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--target') i++;
    else if (a.startsWith('-')) continue;
    else if (a === 'help') return rest.slice(i + 1).find((x) => !x.startsWith('-'));
    else return a;
  }
  return undefined;
}

/**
 * Registers the commands on `program`: every module when `only` is undefined, else the module
 * holding `only` in full and a one-line stub for each other command (enough for the command list
 * and for commander's "unknown command" suggestions).
 */
export function registerCommands(program: Command, only?: string): void {
  for (const m of COMMANDS) {
    if (only === undefined || m.names.includes(only)) m.load()(program);
    else
      m.names.forEach((name, i) => {
        const line = Array.isArray(m.summary) ? m.summary[i] : m.summary;
        program.command(name).summary(line).description(line);
      });
  }
}
