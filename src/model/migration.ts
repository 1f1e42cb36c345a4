import * as t from 'io-ts';
import { HourKey, IsoTime, RegionCode, WorkflowId } from './primitives';
import { DeploymentMetrics } from './staging';

/** The migrator's own tables (not in Caribou, which had neither leases nor cleanup). */
export const MIGRATION_TABLES = {
  /** workflow_id → MigrationRecord */
  migration: 'deployment_migration_table',
  /** workflow_id → lease fields claim_<n> / release_<n>, written only with single-field conditional updates */
  lease: 'deployment_migrator_lease_table',
} as const;

/** A deployed function no plan uses any more, waiting for runs in flight to finish. */
export const RetiringFunction = t.strict({
  function_name: t.string,
  region: RegionCode,
  physical_name: t.string,
  topic: t.string,
  /** when it was first seen unused */
  since: IsoTime,
  /** it is removed on the first migrator pass at or after this time */
  retire_after: IsoTime,
});
export type RetiringFunction = t.TypeOf<typeof RetiringFunction>;

/** deployment_migration_table[workflow_id]: what the migrator did and still has to do. */
export const MigrationRecord = t.intersection([
  t.strict({
    workflow_id: WorkflowId,
    updated_at: IsoTime,
    /** seconds an unused function is kept: longer than the longest possible run */
    grace_s: t.number,
    retiring: t.array(RetiringFunction),
  }),
  t.exact(
    t.partial({
      /** the staged plan (by its solved_at) last switched live, and when */
      applied: t.intersection([
        t.strict({ solved_at: IsoTime, switched_at: IsoTime }),
        // the solver's estimates for the live plan, kept because the staged plan is deleted once applied
        t.exact(t.partial({ metrics: t.record(HourKey, t.strict({ chosen: DeploymentMetrics, home: DeploymentMetrics })) })),
      ]),
      /** the latest events, newest last (capped) */
      history: t.array(t.strict({ at: IsoTime, event: t.string })),
    }),
  ),
]);
export type MigrationRecord = t.TypeOf<typeof MigrationRecord>;

/**
 * One claim of the migration lease of a workflow. `pid` and `host` name the holding process,
 * so that a claim whose process provably died (same host, pid gone) is taken over at once
 * instead of blocking every pass until it expires.
 */
export const LeaseClaim = t.intersection([t.strict({ owner: t.string, at: IsoTime, until: IsoTime }), t.exact(t.partial({ pid: t.number, host: t.string }))]);
export type LeaseClaim = t.TypeOf<typeof LeaseClaim>;
