import { UserError } from '../../model/errors';
import { TABLES } from '../../model/tables';
import { systemTables } from './boundary';
import { decodeOrThrow } from '../../model/decode';
import { PolicyDocument, type PolicyStatement } from './policies';

/**
 * The check of a workflow's own iam_policy.json. The runtime policy (policies.ts) already
 * grants what Caribou's runtime needs, scoped to the workflow; the user's part should hold
 * only what the user's code needs beyond that, named resource by resource. A grant of a
 * whole service (`Action: "*"`, `s3:*`, any `iam:` action, `NotAction`) or of a service's
 * every resource (`*`, `arn:*`, `arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:*`, `…:table/*`) is
 * refused with the statement named, and so is a grant naming Caribou's own resources
 * (system and join tables, its buckets and topics), which is how a workflow would reach
 * another's. `deploy --allow-service-wide-grants` lets the service-wide ones through, loudly;
 * the permissions boundary (boundary.ts) still caps them.
 */

/** One refused statement: which, and why. */
export interface PolicyFinding {
  statement: string;
  reason: string;
  /** true for the findings the opt-in flag admits (service-wide grants; never Caribou's own resources) */
  serviceWide: boolean;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** True when `action` names a whole service or more: `*`, `*:*`, `s3:*`, `s3:Get*`-style prefixes are not. */
function wholeServiceAction(action: string): boolean {
  return action === '*' || /^[^:]*\*[^:]*:/.test(action) || /^[A-Za-z0-9-]+:\*$/.test(action);
}

/** True when `arn` covers every resource of a service (or of every service). */
export function serviceWideResource(arn: string): boolean {
  if (!arn.startsWith('arn:')) return arn.includes('*');
  const parts = arn.split(':');
  if (parts.length < 6) return true; // `arn:*`, `arn:aws:*`
  const [, partition, service] = parts;
  if (partition.includes('*') || service.includes('*')) return true;
  const resource = parts.slice(5).join(':');
  // nothing but wildcards and separators, or a resource type followed by only wildcards (table/*, function:*)
  if (/^[*/:?]*$/.test(resource)) return true;
  // S3 names the bucket first (`my-data/*` is one bucket); elsewhere `table/*` is every table
  return service !== 's3' && /^[A-Za-z-]+[/:][*/:?]*$/.test(resource);
}

/** The Caribou resource a resource string names, if any. */
function caribouResource(arn: string): string | undefined {
  for (const t of [...systemTables(), TABLES.workflowPlacementDecision, TABLES.syncMessages]) if (arn.includes(`table/${t}`)) return `Caribou's table ${t}`;
  if (/^arn:[^:]*:s3:::caribou-/.test(arn)) return "Caribou's package bucket";
  if (/_messaging_topic$/.test(arn)) return "a Caribou function's topic";
  if (/^arn:[^:]*:iam:/.test(arn)) return 'an IAM resource';
  return undefined;
}

function label(s: PolicyStatement, i: number): string {
  return s.Sid ? `statement ${i} (Sid ${s.Sid})` : `statement ${i}`;
}

/** Every refused statement of `doc` (Allow statements only; a Deny only narrows). */
export function policyFindings(doc: PolicyDocument): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  doc.Statement.forEach((s, i) => {
    if (s.Effect !== 'Allow') return;
    const name = label(s, i);
    const actions = list(s.Action);
    if (s.NotAction !== undefined) out.push({ statement: name, reason: `uses NotAction (${list(s.NotAction).join(', ')}), which grants every other action`, serviceWide: true });
    for (const a of actions) {
      if (wholeServiceAction(a)) out.push({ statement: name, reason: `grants every action of ${a === '*' || a.startsWith('*') ? 'every service' : a.split(':')[0]} ("${a}")`, serviceWide: true });
      else if (/^iam:/i.test(a) || /^sts:AssumeRole/i.test(a)) out.push({ statement: name, reason: `grants ${a}; workflow code never needs to change identities (the boundary denies it anyway)`, serviceWide: false });
    }
    if (s.NotResource !== undefined) out.push({ statement: name, reason: `uses NotResource (${list(s.NotResource).join(', ')}), which grants every other resource`, serviceWide: true });
    for (const r of list(s.Resource)) {
      const own = caribouResource(r);
      if (own) out.push({ statement: name, reason: `names ${own} (${r}); Caribou grants its runtime what it needs, scoped to this workflow`, serviceWide: false });
      else if (serviceWideResource(r)) out.push({ statement: name, reason: `applies to every resource of its service ("${r}")`, serviceWide: true });
    }
  });
  return out;
}

/**
 * Refuses a workflow's iam_policy with a worded error naming each bad statement. With
 * `allowServiceWide`, service-wide grants pass and are returned as warnings for the caller
 * to print; grants on Caribou's own resources and IAM never pass.
 */
export function checkWorkflowPolicy(doc: PolicyDocument, where: string, opts: { allowServiceWide?: boolean } = {}): PolicyFinding[] {
  const findings = policyFindings(doc);
  const refused = findings.filter((f) => !f.serviceWide || !opts.allowServiceWide);
  if (refused.length > 0) {
    const hint = refused.some((f) => f.serviceWide)
      ? '\nname the actions and the resources (ARNs) the code really uses; if a service-wide grant is truly needed, deploy with --allow-service-wide-grants'
      : '\nname the actions and the resources (ARNs) the code really uses';
    throw new UserError(`${where} is refused:\n${refused.map((f) => `  ${f.statement} ${f.reason}`).join('\n')}${hint}`);
  }
  return findings;
}

/**
 * Checks a workflow's `.caribou/<iam_policy_file>` as loaded (Caribou's `{ "aws": <document> }`
 * layout, or a bare document); returns the findings let through by the opt-in, for the caller to print.
 */
export function checkIamPolicyFile(file: unknown, where: string, opts: { allowServiceWide?: boolean } = {}): PolicyFinding[] {
  if (file === undefined || file === null) return [];
  const raw = typeof file === 'object' && 'aws' in file ? (file as { aws: unknown }).aws : file;
  return checkWorkflowPolicy(decodeOrThrow(PolicyDocument, raw, where), where, opts);
}
