import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import type { Cloud, Schedule } from '../../cloud/ports';
import { UserError } from '../../model/errors';

/**
 * Caribou's timers, with its names, schedules (EventBridge cron, UTC) and payloads. Each
 * starts one control-plane task; `deployment_manager` starts CaribouCycle, since deciding
 * only pays off when the solve and migration that follow it run too.
 */
export const TIMERS = {
  provider_collector: { expression: 'cron(5 0 1 * ? *)', task: 'collectProvider', input: { action: 'data_collect', collector: 'provider' } },
  carbon_collector: { expression: 'cron(30 0 * * ? *)', task: 'collectCarbon', input: { action: 'data_collect', collector: 'carbon' } },
  performance_collector: { expression: 'cron(30 0 * * ? *)', task: 'collectPerformance', input: { action: 'data_collect', collector: 'performance' } },
  log_syncer: { expression: 'cron(5 0 * * ? *)', task: 'syncLogs', input: { action: 'log_sync' } },
  deployment_manager: { expression: 'cron(0 1 * * ? *)', task: 'CaribouCycle', input: {} },
  deployment_migrator: { expression: 'cron(0 2 * * ? *)', task: 'migrate', input: { action: 'run_deployment_migrator' } },
} as const;
export type TimerName = keyof typeof TIMERS;

/** The control plane's state machine (serverless.yml). */
export const CYCLE = 'CaribouCycle';

function timerOf(name: string): (typeof TIMERS)[TimerName] {
  const t = (TIMERS as Record<string, (typeof TIMERS)[TimerName]>)[name];
  if (!t) throw new UserError(`unknown timer "${name}"; the timers are ${Object.keys(TIMERS).join(', ')}`);
  return t;
}

/**
 * What a timer starts. Locally: the task's name. On AWS: the state machine's ARN, or the
 * control-plane Lambda `<prefix>-<task>` as `sls deploy` names it (prefix: service and
 * stage, CARIBOU_CONTROL_PLANE_PREFIX, default caribou-dev).
 */
async function targetOf_(cloud: Cloud, task: string): Promise<string> {
  if (cloud.target !== 'aws') return task;
  if (task === CYCLE) {
    const sfn = cloud.stateMachines as typeof cloud.stateMachines & { resolve?: (name: string) => Promise<string> };
    return sfn.resolve ? sfn.resolve(CYCLE) : CYCLE;
  }
  return `${process.env.CARIBOU_CONTROL_PLANE_PREFIX ?? 'caribou-dev'}-${task}`;
}

/** Creates (or replaces) one timer; `expression` defaults to Caribou's schedule for it. */
export async function setupTimer(cloud: Cloud, name: string, expression?: string): Promise<Schedule> {
  const t = timerOf(name);
  // `input` rides along for targets that take one (EventBridge); other Schedules ignore it
  const schedule = { name, expression: expression ?? t.expression, target: await targetOf_(cloud, t.task), input: t.input };
  await cloud.schedules.put(schedule);
  return { name: schedule.name, expression: schedule.expression, target: schedule.target };
}

/**
 * Timers the control-plane stack already is on AWS: `sls deploy` schedules CaribouCycle at
 * deployment_manager's time (serverless.yml), so a deployment_manager rule as well would run
 * the manager twice a day. `setup_timer deployment_manager` still creates it on request.
 */
export const STACK_TIMERS: readonly TimerName[] = ['deployment_manager'];

/** Creates every timer with its default schedule; on AWS, all but those the stack already schedules. */
export async function setupAllTimers(cloud: Cloud): Promise<Schedule[]> {
  const out: Schedule[] = [];
  for (const name of Object.keys(TIMERS)) {
    if (cloud.target === 'aws' && (STACK_TIMERS as readonly string[]).includes(name)) continue;
    out.push(await setupTimer(cloud, name));
  }
  return out;
}

/** Removes one timer (no error when it does not exist). */
export async function removeTimer(cloud: Cloud, name: string): Promise<void> {
  timerOf(name);
  await cloud.schedules.remove(name);
}

/** Removes every Caribou timer that exists. */
export async function removeAllTimers(cloud: Cloud): Promise<string[]> {
  const names = (await cloud.schedules.list()).map((s) => s.name).filter((n) => n in TIMERS);
  for (const n of names) await cloud.schedules.remove(n);
  return names;
}

function target(cmd: Command): { target: 'local' | 'aws' } {
  return { target: targetOf(cmd.optsWithGlobals().target) };
}

function show(s: Schedule): string {
  return `${s.name.padEnd(22)} ${s.expression.padEnd(20)} ${s.target}`;
}

/** Registers the timer commands: setup_all_timers, setup_timer, list_timers, remove_timer, remove_all_timers. */
export function register(program: Command): void {
  program
    .command('setup_all_timers')
    .description(`create every timer with its default schedule (${Object.keys(TIMERS).join(', ')})`)
    .action(async (_o: unknown, cmd: Command) => {
      const t = target(cmd);
      for (const s of await withCloud(t, setupAllTimers)) console.log(show(s));
      if (t.target === 'aws')
        for (const name of STACK_TIMERS) console.log(`${name.padEnd(22)} not created: sls deploy already schedules CaribouCycle (serverless.yml); a second rule would run it twice a day`);
    });
  const setup = program
    .command('setup_timer')
    .description('create or replace one timer')
    .argument('<timer>', Object.keys(TIMERS).join(' | '))
    .option('--se, --schedule_expression <expression>', 'EventBridge schedule, e.g. "cron(0 3 * * ? *)" or "rate(6 hours)"; default: the timer\'s own (Caribou\'s -se works too)')
    .action(async (name: string, opts: { schedule_expression?: string }, cmd: Command) => {
      console.log(show(await withCloud(target(cmd), (cloud) => setupTimer(cloud, name, opts.schedule_expression))));
    });
  // Caribou spells the option `-se`; commander reads a single dash as one-letter flags, so
  // translate it before commander parses this command's arguments.
  const parseOptions = setup.parseOptions.bind(setup);
  setup.parseOptions = (argv: string[]) => parseOptions(argv.map((a) => (a === '-se' ? '--se' : a)));
  program
    .command('list_timers')
    .description('list the timers and their schedules')
    .option('--json', 'print a JSON array of {"name","expression","target"}')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const all = await withCloud(target(cmd), (cloud) => cloud.schedules.list());
      if (o.json) return console.log(JSON.stringify(all.map((s) => ({ name: s.name, expression: s.expression, target: s.target }))));
      if (all.length === 0) console.log('no timers (create them with caribou setup_all_timers)');
      for (const s of all) console.log(show(s));
    });
  program
    .command('remove_timer')
    .description('remove one timer')
    .argument('<timer>', Object.keys(TIMERS).join(' | '))
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withCloud(target(cmd), (cloud) => removeTimer(cloud, name));
      console.log(`removed ${name}`);
    });
  program
    .command('remove_all_timers')
    .description('remove every timer')
    .action(async (_o: unknown, cmd: Command) => {
      const removed = await withCloud(target(cmd), removeAllTimers);
      console.log(removed.length ? `removed ${removed.join(', ')}` : 'no timers to remove');
    });
}
