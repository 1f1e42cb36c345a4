import type { Cloud } from '../cloud/ports';
import type { DeploymentResources } from '../model/deployment-resources';
import { LOG_PREFIX } from '../model/log-event';
import type { RunInstance } from './run';

/** A run as its functions' log lines tell it. */
export interface LoggedRun {
  /** every message the run sent was received, and every function that started has ended */
  done: boolean;
  failed: boolean;
  instances: RunInstance[];
  errors: string[];
}

interface Ev {
  event: string;
  run_id: string;
  instance: string;
  region: string;
  time: string;
  taint?: string | null;
  fired?: boolean;
  error?: string;
  origin?: string;
}

/**
 * Rebuilds one run from the runtime's log lines in every function stream the workflow has
 * (what `caribou run --wait` does where it cannot watch deliveries, i.e. on AWS). The run is
 * done when the entry started, every message sent (INVOKING_SUCCESSOR, or a join trigger
 * INVOKING_SYNC_NODE that fired) was received (an INVOKED with its taint), and every
 * function that started has ended (EXECUTED, a user-code failure, or the hop limit).
 * Duplicate deliveries log no INVOKED, so they do not count twice.
 */
export async function traceRunFromLogs(
  cloud: Cloud,
  resources: DeploymentResources,
  entryInstance: string,
  runId: string,
  since: number,
  until: number,
): Promise<LoggedRun> {
  const events: Ev[] = [];
  for (const f of resources.functions) {
    for (const l of await cloud.logs.read(f.region, f.physical_name, since, until)) {
      if (!l.line.startsWith(LOG_PREFIX)) continue;
      let ev: Ev;
      try {
        ev = JSON.parse(l.line.slice(LOG_PREFIX.length));
      } catch {
        continue;
      }
      if (ev.run_id === runId) events.push(ev);
    }
  }
  const sent = new Set<string>();
  const received = new Set<string>();
  const instances = new Map<string, RunInstance>();
  const errors: string[] = [];
  let failed = false;
  for (const e of events) {
    switch (e.event) {
      case 'INVOKING_SUCCESSOR':
        if (e.taint) sent.add(e.taint);
        break;
      case 'INVOKING_SYNC_NODE':
        if (e.fired && e.taint) sent.add(e.taint);
        break;
      case 'INVOKED':
        if (e.taint) received.add(e.taint);
        if (!instances.has(e.instance)) instances.set(e.instance, { instance: e.instance, region: e.region, start: e.time, end: null });
        break;
      case 'EXECUTED':
      case 'HOP_LIMIT_EXCEEDED':
      case 'USER_CODE_FAILURE': {
        if (e.event !== 'EXECUTED') {
          failed = true;
          errors.push(`${e.instance}: ${e.event === 'HOP_LIMIT_EXCEEDED' ? 'hop limit exceeded' : e.error}`);
        }
        // a call that could not be made is logged as a failure, then the function still ends with EXECUTED
        if (e.event === 'USER_CODE_FAILURE' && e.origin === 'runtime') break;
        const i = instances.get(e.instance);
        if (i && i.end === null) i.end = e.time;
        break;
      }
    }
  }
  const started = instances.has(entryInstance);
  const done = started && [...sent].every((t) => received.has(t)) && [...instances.values()].every((i) => i.end !== null);
  return {
    done,
    failed,
    instances: [...instances.values()].sort((a, b) => a.start.localeCompare(b.start) || a.instance.localeCompare(b.instance)),
    errors,
  };
}
