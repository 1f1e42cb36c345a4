/**
 * Step Functions on the local cloud: runs state-machines/*.asl.json — the very files
 * serverless.yml deploys — with the aws-local-stepfunctions interpreter. Each Task's
 * Resource is a placeholder `${taskName}`; here it is bound to the same handler core the
 * Lambda of that name runs on AWS (src/handlers). Events stream like the console's
 * execution history: states entered/exited, retries, catches, Map iterations.
 */
import '../../polyfill';
import * as fs from 'fs';
import * as path from 'path';
import { mapIterationDetail, type Cloud, type ExecutionEvent, type StateMachines } from '../ports';
import { UserError } from '../../model/errors';
import { SYSTEM_REGION } from '../../model/tables';
import { packageRoot } from '../../paths';
import { HistoryMeter, type HistoryFigures, type RawHistoryEvent } from './history';

/** A local task: what a Lambda handler does, minus the Lambda. */
export type LocalTask = (input: unknown) => Promise<unknown>;

/** Where the ASL files live (the repository's state-machines/). */
export const STATE_MACHINES_DIR = path.join(packageRoot(), 'state-machines');

/** "CaribouCycle" → "caribou-cycle" (the file name of a state machine). */
export function fileNameOf(stateMachine: string): string {
  return stateMachine.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() + '.asl.json';
}

/** The `${task}` placeholder of a Resource, or undefined when it is a literal ARN. */
export function taskOfResource(resource: unknown): string | undefined {
  const m = typeof resource === 'string' ? /^\$\{([A-Za-z0-9_]+)\}$/.exec(resource) : null;
  return m ? m[1] : undefined;
}

interface AnyState {
  Type: string;
  Resource?: unknown;
  Retry?: unknown[];
  Branches?: Array<{ States: Record<string, AnyState> }>;
  ItemProcessor?: { States: Record<string, AnyState> };
  Iterator?: { States: Record<string, AnyState> };
}

/** Every state of a definition, nested ones included, with its name. */
export function allStates(def: { States: Record<string, AnyState> }): Array<[string, AnyState]> {
  const out: Array<[string, AnyState]> = [];
  const walk = (states: Record<string, AnyState>) => {
    for (const [name, s] of Object.entries(states)) {
      out.push([name, s]);
      for (const b of s.Branches ?? []) walk(b.States);
      if (s.ItemProcessor) walk(s.ItemProcessor.States);
      if (s.Iterator) walk(s.Iterator.States);
    }
  };
  walk(def.States);
  return out;
}

/** Reads a state machine's definition; a clear error when it does not exist. */
export function loadDefinition(stateMachine: string, dir = STATE_MACHINES_DIR): Record<string, unknown> {
  const file = path.join(dir, fileNameOf(stateMachine));
  if (!fs.existsSync(file)) throw new UserError(`state machine ${stateMachine} has no definition (${path.relative(process.cwd(), file)} is missing)`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

interface Execution {
  id: string;
  events: ExecutionEvent[];
  waiters: Array<() => void>;
  /** the history events and payload sizes AWS would have recorded (src/cloud/local/history.ts) */
  meter: HistoryMeter;
  done?: { status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: string };
}

/** Options of the local port. */
export interface LocalStateMachinesOptions {
  /** task name (the `${name}` of a Resource) → handler */
  tasks: Record<string, LocalTask>;
  dir?: string;
  /** wall-clock ms a retry waits (AWS waits IntervalSeconds; locally we do not need to) */
  retryDelayMs?: number;
  /** definitions by name, instead of reading state-machines/ (e.g. one part of CaribouCycle run on its own) */
  definitions?: Record<string, Record<string, unknown>>;
}

/** The StateMachines port over aws-local-stepfunctions. */
export class LocalStateMachines implements StateMachines {
  private readonly executions = new Map<string, Execution>();
  private counter = 0;

  constructor(private readonly opts: LocalStateMachinesOptions) {}

  /** Starts an execution now; its events are buffered until someone follows it. */
  async start(stateMachine: string, input: unknown, name?: string): Promise<string> {
    const given = this.opts.definitions?.[stateMachine];
    // a copy: binding the Resources below rewrites the definition
    const definition = (given ? structuredClone(given) : loadDefinition(stateMachine, this.opts.dir)) as unknown as Definition;
    return this.launch(stateMachine, definition, input, name);
  }

  /** Starts an execution of a definition (the caller's copy: it is rewritten). */
  private async launch(stateMachine: string, definition: Definition, input: unknown, name?: string): Promise<string> {
    // loaded here, not at the top: the interpreter is an ES module bundle that costs ~100 ms to load
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');
    const id = `arn:local:states:${stateMachine}:${name ?? `exec-${Date.now()}-${++this.counter}`}`;
    // Distributed Maps become local tasks that run each item as a child execution (the
    // interpreter runs every Map inline, in one history)
    const distributed = this.distributedMaps(stateMachine, definition, id);
    const taskResourceLocalHandlers: Record<string, (input: never) => Promise<never>> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const [stateName, s] of allStates(definition)) {
      if (s.Retry) retryIntervalOverrides[stateName] = this.opts.retryDelayMs ?? 0;
      if (s.Type !== 'Task') continue;
      const task = taskOfResource(s.Resource);
      const fn = task ? (distributed.tasks[task] ?? this.opts.tasks[task]) : undefined;
      if (!fn) throw new UserError(`state ${stateName} of ${stateMachine} uses resource ${JSON.stringify(s.Resource)}, which has no local handler`);
      // the interpreter validates Resources as ARNs: give the placeholder the ARN shape sls gives it on AWS
      s.Resource = `arn:aws:lambda:${SYSTEM_REGION}:000000000000:function:caribou-local-${task}`;
      taskResourceLocalHandlers[stateName] = (async (i: unknown) => {
        try {
          return (await fn(i)) as never;
        } catch (err) {
          // Step Functions names a Lambda error by the error's type; keep that so Retry/Catch match alike
          const e = err instanceof Error ? err : new Error(String(err));
          const named = new Error(e.message);
          named.name = e.name && e.name !== 'Error' ? e.name : 'TaskError';
          throw named;
        }
      }) as never;
    }
    const machine = new StateMachine(definition as never);
    const exec: Execution = { id, events: [], waiters: [], meter: new HistoryMeter(distributed.states) };
    this.executions.set(id, exec);
    const push = (e: ExecutionEvent) => {
      exec.events.push(e);
      for (const w of exec.waiters.splice(0)) w();
    };
    const run = machine.run(input as never, { overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, retryIntervalOverrides } });
    // the event stream can trail the result: the execution is over only when both are
    const streamed = (async () => {
      try {
        for await (const ev of run.eventLogs) {
          exec.meter.add(ev as unknown as RawHistoryEvent);
          const out = translate(ev as unknown as RawEvent);
          if (out) push(out);
        }
      } catch (err) {
        if (process.env.CARIBOU_DEBUG) console.error('event stream ended:', err);
      }
    })();
    void Promise.allSettled([run.result, streamed]).then(([r]) => {
      if (r.status === 'fulfilled') {
        exec.done = { status: 'SUCCEEDED', output: r.value };
        push({ time: Date.now(), type: 'ExecutionSucceeded' });
      } else {
        const e = r.reason as { message?: string; cause?: { message?: string; name?: string } };
        const detail = e?.cause?.name ? `${e.cause.name}: ${e.cause.message}` : (e?.message ?? String(r.reason));
        exec.done = { status: 'FAILED', error: detail };
        push({ time: Date.now(), type: 'ExecutionFailed', detail });
      }
    });
    return id;
  }

  /**
   * Replaces each Distributed Map state (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED) with a
   * Task bound to a local handler that runs every item as a child execution of the item
   * processor — its own history, counted by its own meter, as on AWS — at most MaxConcurrency at
   * a time, and returns their outputs in item order. A child that fails counts against
   * ToleratedFailurePercentage / ToleratedFailureCount (default 0); beyond them the state fails
   * with States.ExceedToleratedFailureThreshold, as on AWS; within them its place in the output
   * holds its Error and Cause. Items come from ItemsPath (ItemReader, an S3 source, is refused
   * in words: the local cloud has no S3); ItemSelector may use $$.Map.Item.Value/Index and
   * paths into the state's input.
   */
  private distributedMaps(stateMachine: string, definition: Definition, parentId: string): { tasks: Record<string, LocalTask>; states: Set<string> } {
    const tasks: Record<string, LocalTask> = {};
    const states = new Set<string>();
    for (const [stateName, s] of allStates(definition)) {
      const m = s as AnyState & DistributedMapFields;
      if (m.Type !== 'Map' || m.ItemProcessor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') continue;
      if (m.ItemReader) throw new UserError(`state ${stateName} of ${stateMachine} reads its items with ItemReader, which the local cloud cannot serve (no S3); give them through ItemsPath`);
      const child: Definition = { StartAt: m.ItemProcessor.StartAt as string, States: structuredClone(m.ItemProcessor.States) as Record<string, AnyState> };
      // a placeholder taskOfResource reads: letters, digits and _ only
      const task = `distributedMap_${states.size}`;
      const { ItemsPath: itemsPath, ItemSelector: selector, MaxConcurrency: maxConcurrency, ToleratedFailurePercentage: pct, ToleratedFailureCount: count } = m;
      tasks[task] = async (input: unknown) => {
        const items = itemsPath ? selectPath(input, itemsPath, `${stateName}.ItemsPath`) : input;
        if (!Array.isArray(items)) throw namedError('States.Runtime', `${stateName}: the items at ${itemsPath ?? '$'} are not an array`);
        const outputs: unknown[] = new Array(items.length);
        let failed = 0;
        let next = 0;
        const worker = async () => {
          for (let k = next++; k < items.length; k = next++) {
            const childInput = selector ? select(selector, input, items[k], k) : items[k];
            const childId = await this.launch(`${stateMachine}-${stateName}`, structuredClone(child), childInput, `${parentId.split(':').pop()}-${stateName}-${k}`);
            // the children's events join the parent's stream, so a local follower (caribou
            // cycle's progress bars) still sees every round; AWS keeps them in the children
            const r = await this.follow(childId, (e) => this.forward(parentId, e));
            if (r.status === 'SUCCEEDED') outputs[k] = r.output;
            else {
              failed++;
              outputs[k] = { Error: 'States.ChildExecutionFailed', Cause: r.error ?? 'failed' };
            }
          }
        };
        const width = Math.max(1, Math.min(maxConcurrency && maxConcurrency > 0 ? maxConcurrency : 1000, items.length));
        await Promise.all(Array.from({ length: width }, worker));
        const tolerated = Math.max(count ?? 0, Math.floor(((pct ?? 0) / 100) * items.length));
        if (failed > tolerated) throw namedError('States.ExceedToleratedFailureThreshold', `${stateName}: ${failed} of ${items.length} child executions failed; ${tolerated} tolerated`);
        return outputs;
      };
      // the state as the interpreter sees it: a Task keeping the Map's paths, retries and catches
      for (const k of ['ItemProcessor', 'ItemsPath', 'ItemSelector', 'MaxConcurrency', 'ToleratedFailurePercentage', 'ToleratedFailureCount', 'Label', 'ResultWriter', 'ItemBatcher']) delete (m as unknown as Record<string, unknown>)[k];
      m.Type = 'Task';
      m.Resource = `\${${task}}`;
      states.add(stateName);
    }
    return { tasks, states };
  }

  /** Adds a child execution's event to its parent's stream (not to the parent's history count). */
  private forward(parentId: string, e: ExecutionEvent): void {
    const parent = this.executions.get(parentId);
    if (!parent || e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed') return;
    parent.events.push(e);
    for (const w of parent.waiters.splice(0)) w();
  }

  /** The history events and largest payload AWS would have recorded for an execution (so far). */
  history(executionId: string): HistoryFigures {
    const exec = this.executions.get(executionId);
    if (!exec) throw new UserError(`no local execution ${executionId}`);
    return exec.meter.figures();
  }

  /** Every execution's figures, by execution id. */
  histories(): Map<string, HistoryFigures> {
    return new Map([...this.executions].map(([id, e]) => [id, e.meter.figures()]));
  }

  /** Replays the execution's events so far, then streams the rest until it ends. */
  async follow(executionId: string, onEvent: (e: ExecutionEvent) => void): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: string }> {
    const exec = this.executions.get(executionId);
    if (!exec) throw new UserError(`no local execution ${executionId}`);
    let seen = 0;
    for (;;) {
      while (seen < exec.events.length) onEvent(exec.events[seen++]);
      if (exec.done && seen >= exec.events.length) {
        // the final event may have been pushed already; the result is settled
        return exec.done;
      }
      await new Promise<void>((res) => exec.waiters.push(res));
    }
  }
}

type Definition = { States: Record<string, AnyState>; StartAt: string };

interface DistributedMapFields {
  ItemProcessor?: { ProcessorConfig?: { Mode?: string }; StartAt?: string; States: Record<string, AnyState> };
  ItemReader?: unknown;
  ItemsPath?: string;
  ItemSelector?: Record<string, unknown>;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ToleratedFailureCount?: number;
}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** A reference path ($, $.a.b, $.a[0]) into a value. */
function selectPath(value: unknown, p: string, where: string): unknown {
  if (!/^\$(\.[A-Za-z0-9_]+|\[\d+\])*$/.test(p)) throw new UserError(`${where}: "${p}" is not a path the local cloud understands ($, $.field, $.list[0])`);
  let v: unknown = value;
  for (const m of p.slice(1).matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) v = v == null ? undefined : (v as Record<string, unknown>)[m[1] ?? Number(m[2])];
  return v;
}

/** An ItemSelector for one item: "k.$" values are $$.Map.Item.Value/Index or paths into the state's input. */
function select(selector: Record<string, unknown>, input: unknown, item: unknown, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(selector)) {
    if (!k.endsWith('.$')) out[k] = v && typeof v === 'object' && !Array.isArray(v) ? select(v as Record<string, unknown>, input, item, index) : v;
    else if (typeof v === 'string' && v.startsWith('$$.Map.Item.Value')) out[k.slice(0, -2)] = selectPath(item, '$' + v.slice('$$.Map.Item.Value'.length), `ItemSelector.${k}`);
    else if (v === '$$.Map.Item.Index') out[k.slice(0, -2)] = index;
    else out[k.slice(0, -2)] = selectPath(input, String(v), `ItemSelector.${k}`);
  }
  return out;
}

interface RawEvent {
  type: string;
  timestamp: number;
  state?: { name: string; input?: unknown };
  parentState?: { name: string; input?: unknown };
  index?: number;
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
  catch?: { catcher: { Next: string } };
}

/** Map iterations carry the size of the fan-out and whose solve it is, so a progress bar can be drawn. */
function mapDetail(parent: RawEvent['parentState']): string | undefined {
  return mapIterationDetail(parent?.input);
}

function causeText(c: unknown): string {
  if (c instanceof Error) return c.message;
  if (typeof c === 'string') return c;
  try {
    return JSON.stringify(c);
  } catch {
    return String(c);
  }
}

/** aws-local-stepfunctions event → the port's ExecutionEvent (undefined for events the port has no name for). */
function translate(ev: RawEvent): ExecutionEvent | undefined {
  const time = ev.timestamp ?? Date.now();
  switch (ev.type) {
    case 'StateEntered':
    case 'StateExited':
      return { time, type: ev.type, state: ev.state?.name, index: ev.index };
    case 'StateFailed':
      return { time, type: 'TaskFailed', state: ev.state?.name, index: ev.index, detail: `${ev.Error ?? 'Error'}: ${causeText(ev.Cause)}` };
    case 'StateRetried':
      return { time, type: 'TaskFailed', state: ev.state?.name, index: ev.index, detail: `retrying (attempt ${ev.retry?.attempt ?? '?'})` };
    case 'StateCaught':
      return { time, type: 'TaskFailed', state: ev.state?.name, index: ev.index, detail: `caught → ${ev.catch?.catcher.Next ?? '?'}` };
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
      return { time, type: ev.type, state: ev.parentState?.name, index: ev.index, detail: mapDetail(ev.parentState) };
    case 'MapIterationFailed':
      return { time, type: ev.type, state: ev.parentState?.name, index: ev.index, detail: `${ev.Error ?? 'Error'}: ${causeText(ev.Cause)}` };
    default:
      return undefined;
  }
}

/** The local cloud's StateMachines: every Task bound to the control-plane handler of the same name. */
export function createLocalStateMachines(cloud: Cloud): StateMachines {
  // required lazily: the handlers import most of the engine
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { taskHandlers } = require('../../handlers/tasks') as typeof import('../../handlers/tasks');
  return new LocalStateMachines({ tasks: taskHandlers(cloud) });
}

export default createLocalStateMachines;
