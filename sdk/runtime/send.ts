import { randomUUID } from 'crypto';
import type { RuntimeEnv } from './env';
import { Envelope, EnvelopePayload, SNS_MAX_BYTES, byteSize, encodeEnvelope } from '../../src/model/envelope';
import type { Placement, PlacementMap } from '../../src/model/placement';

/** A fresh id for runs and taints: 32 hex digits, as Caribou's uuid4().hex. */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * Room kept free below the SNS limit when deciding whether to spill: a fallback to home
 * adds `fallback_from` to the envelope after the size was checked.
 */
const SIZE_MARGIN = 128;

/** Where spilled payloads are stored in package storage. */
export function spillKey(workflowId: string, runId: string, taint: string): string {
  return `payloads/${workflowId}/${runId}/${taint}.json`;
}

/** The envelope fields shared by every message of one run. */
export type RunFields = Pick<Envelope, 'v' | 'workflow_id' | 'run_id' | 'route' | 'home'>;

/** What goes into a message: a JSON payload (its value and text) or a join trigger. */
export type Outgoing = { kind: 'inline'; value: unknown; json: string } | { kind: 'join' };

/** What was sent, for logs and the handler's result. */
export interface Sent {
  instance: string;
  region: string;
  topic: string;
  taint: string;
  spilled: boolean;
  payloadBytes: number;
  /** the planned region, when it was unreachable and the message went home instead */
  fallbackFrom?: string;
  /** when the message was handed to messaging (ms): delivery latency counts from here */
  publishedAt: number;
}

/** Home placements of the instances whose planned placement differs (what the envelope carries for fallbacks). */
export function homeOverrides(home: PlacementMap, planned: PlacementMap): PlacementMap {
  const out: PlacementMap = {};
  for (const [inst, p] of Object.entries(home)) {
    const q = planned[inst];
    if (!q || q.region !== p.region || q.topic !== p.topic) out[inst] = p;
  }
  return out;
}

/**
 * True for the port's RegionUnreachableError. Checked by name, not instanceof: the runtime is
 * bundled into each function's code, so the adapter's class may be a different copy.
 */
export function isRegionUnreachable(err: unknown): err is Error & { region: string } {
  return err instanceof Error && err.name === 'RegionUnreachableError';
}

/**
 * Publishes one message to `target`'s topic in its planned region; payloads that would make
 * the message exceed the SNS limit go to package storage (in `spillRegion`) and travel by
 * reference. If the planned region is unreachable the message goes to the target's home
 * placement instead and `onFallback` is told (the caller logs REGION_UNREACHABLE).
 */
export async function send(
  env: RuntimeEnv,
  run: RunFields,
  hops: number,
  target: string,
  out: Outgoing,
  spillRegion: string,
  onFallback: (from: string, to: string) => void,
  /** the message's taint; a replayed checkpoint passes the one it recorded, so every copy of the message is the same */
  fixedTaint?: string,
): Promise<Sent> {
  const planned: Placement | undefined = run.route.placements[target];
  if (!planned) throw new Error(`the run's route has no placement for instance ${target}`);
  const taint = fixedTaint ?? newId();
  const make = (payload: EnvelopePayload, fallbackFrom?: string): string =>
    encodeEnvelope({
      ...run,
      instance: target,
      hops,
      taint,
      payload,
      sent_at: env.now().toISOString(),
      ...(fallbackFrom ? { fallback_from: fallbackFrom } : {}),
    });
  let payload: EnvelopePayload = out.kind === 'inline' ? { kind: 'inline', data: out.value } : { kind: 'join' };
  const payloadBytes = out.kind === 'inline' ? byteSize(out.json) : 0;
  let message = make(payload);
  let spilled = false;
  if (out.kind === 'inline' && byteSize(message) > SNS_MAX_BYTES - SIZE_MARGIN) {
    const key = spillKey(run.workflow_id, run.run_id, taint);
    await env.packages.put(spillRegion, key, Buffer.from(out.json, 'utf8'));
    payload = { kind: 'ref', ref: { region: spillRegion, key, bytes: payloadBytes } };
    spilled = true;
    message = make(payload);
  }
  const size = byteSize(message);
  if (size > SNS_MAX_BYTES - SIZE_MARGIN) {
    throw new Error(`the message to ${target} is ${size} bytes even with its payload in storage (SNS accepts ${SNS_MAX_BYTES}); the run's route is too large`);
  }
  // taken before publishing: the publish call's own duration is part of the transfer
  let publishedAt = env.now().getTime();
  try {
    await env.messaging.publish(planned.region, planned.topic, message);
    return { instance: target, region: planned.region, topic: planned.topic, taint, spilled, payloadBytes, publishedAt };
  } catch (err) {
    if (!isRegionUnreachable(err)) throw err;
    const home = run.home[target] ?? planned;
    // the home deployment itself is unreachable: there is nowhere left to send it
    if (home.region === planned.region) throw err;
    onFallback(planned.region, home.region);
    publishedAt = env.now().getTime();
    await env.messaging.publish(home.region, home.topic, make(payload, planned.region));
    return { instance: target, region: home.region, topic: home.topic, taint, spilled, payloadBytes, fallbackFrom: planned.region, publishedAt };
  }
}
