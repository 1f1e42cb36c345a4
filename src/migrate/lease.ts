/**
 * A per-workflow lease so that two cycles (or a cycle and a manual run_deployment_migrator)
 * never migrate the same workflow at once. Built only on the KeyValueStore's single-field
 * conditional update (`setFieldOnce`), which both DynamoDB and dynalite provide atomically:
 * claim number n+1 can be set by exactly one contender.
 *
 * A lease expires after `ttlS`; the default (16 min) outlasts the longest a migrate Lambda
 * can run (15 min), so a live holder can never be overtaken — only a crashed one. A claim
 * records its holder's pid and host: one whose process provably died on this host (killed
 * migrator, crashed CLI) is taken over at once instead of blocking every pass until it expires.
 * Each pass adds two small fields to the workflow's item (~4000 passes fit in 400 KB).
 */
import type { KeyValueStore } from '../cloud/ports';
import { decodeResult } from '../model/decode';
import { LeaseClaim, MIGRATION_TABLES } from '../model/migration';
import { SYSTEM_REGION } from '../model/tables';
import { currentHolder, holderGone } from './holder';

export const DEFAULT_LEASE_TTL_S = 16 * 60;

/** A held lease: release it when done. */
export interface Lease {
  workflowId: string;
  claim: number;
  owner: string;
  until: Date;
}

/** Who holds the lease now, if anyone. */
export interface LeaseState {
  latest: number;
  holder?: LeaseClaim;
  /** an unexpired, unreleased claim whose process is provably gone (free to take over) */
  abandoned?: LeaseClaim;
}

/** Reads the lease item: the latest claim and whether it still holds at `now`. */
export async function readLease(tables: KeyValueStore, workflowId: string, now: Date): Promise<LeaseState> {
  const fields = ((await tables.get(SYSTEM_REGION, MIGRATION_TABLES.lease, workflowId)) ?? {}) as Record<string, unknown>;
  let latest = 0;
  for (const k of Object.keys(fields)) {
    const m = /^claim_(\d+)$/.exec(k);
    if (m) latest = Math.max(latest, Number(m[1]));
  }
  if (latest === 0) return { latest };
  const c = decodeResult(LeaseClaim, fields[`claim_${latest}`]);
  const released = fields[`release_${latest}`] !== undefined;
  if (!c.ok || released || Date.parse(c.value.until) <= now.getTime()) return { latest };
  if (holderGone(c.value)) return { latest, abandoned: c.value };
  return { latest, holder: c.value };
}

/** Tries to take the lease; undefined when someone else holds it (or won the race). */
export async function acquireLease(tables: KeyValueStore, workflowId: string, owner: string, now: Date, ttlS = DEFAULT_LEASE_TTL_S): Promise<Lease | undefined> {
  await tables.ensureTable(SYSTEM_REGION, MIGRATION_TABLES.lease);
  const state = await readLease(tables, workflowId, now);
  if (state.holder) return undefined;
  const claim = state.latest + 1;
  const until = new Date(now.getTime() + ttlS * 1000);
  const r = await tables.setFieldOnce(SYSTEM_REGION, MIGRATION_TABLES.lease, workflowId, `claim_${claim}`, { owner, at: now.toISOString(), until: until.toISOString(), ...currentHolder() });
  return r.set ? { workflowId, claim, owner, until } : undefined;
}

/** The holder of a lease in words (for "not applied" reports). */
export function describeHolder(h: LeaseClaim): string {
  return `${h.owner}${h.pid !== undefined ? ` (pid ${h.pid}${h.host ? ` on ${h.host.split('|')[0]}` : ''})` : ''}, until ${h.until}`;
}

/** Releases a held lease (idempotent). */
export async function releaseLease(tables: KeyValueStore, lease: Lease, now: Date): Promise<void> {
  await tables.setFieldOnce(SYSTEM_REGION, MIGRATION_TABLES.lease, lease.workflowId, `release_${lease.claim}`, { at: now.toISOString(), owner: lease.owner });
}
