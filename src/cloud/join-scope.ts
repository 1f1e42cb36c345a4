/**
 * Join-table keys per workflow. On AWS every workflow's join items (claims, slots, run
 * failure markers in sync_messages_table) are keyed `<workflow_id>/<key>`, so one IAM
 * condition (`dynamodb:LeadingKeys` like `<workflow_id>/*`) confines a function's role to its
 * own workflow's items: a workflow can neither read nor forge another's join. The local
 * cloud has no IAM and keeps the bare keys (its tests read items by them).
 */

/** The prefix of every join key of `workflowId` on a scoped target. */
export function joinKeyPrefix(workflowId: string): string {
  return `${workflowId}/`;
}

/** The stored key of join-table item `key` of `workflowId`. */
export function joinKey(scoped: boolean | undefined, workflowId: string, key: string): string {
  return scoped ? joinKeyPrefix(workflowId) + key : key;
}
