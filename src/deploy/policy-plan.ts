import { BOUNDARY_NAME, boundaryArn, boundaryPolicy } from '../cloud/aws/boundary';
import { functionRolePlan, type FunctionRolePlan, type PolicyDocument } from '../cloud/aws/policies';
import { policyFindings, type PolicyFinding } from '../cloud/aws/policy-guard';
import { PolicyDocument as PolicyDocumentCodec } from '../cloud/aws/policies';
import { physicalNameOf, type DeployableProject } from './deployer';

/**
 * What `caribou inspect --policy` prints: exactly the IAM documents deploy attaches on AWS
 * (the same functionRolePlan builds both), so a reviewer can read them before anything exists.
 */
export interface PolicyPlan {
  workflow_id: string;
  account: string;
  /** the permissions boundary every function role carries */
  boundary: { name: string; arn: string; document: PolicyDocument };
  /** one role per function in the home region (a migration attaches the same documents in the new region) */
  functions: Array<{ function: string; physical_name: string; region: string } & FunctionRolePlan>;
  /** what deploy's guard says of the user part (each one refused unless the opt-in admits it) */
  findings: PolicyFinding[];
}

/** The account shown when none is given: the documents are the same for any account. */
export const PLACEHOLDER_ACCOUNT = '<ACCOUNT_ID>';

export function policyPlan(project: DeployableProject, account = PLACEHOLDER_ACCOUNT): PolicyPlan {
  const c = project.config;
  const region = c.home_region.region;
  const raw = project.iamPolicy && typeof project.iamPolicy === 'object' && 'aws' in project.iamPolicy ? (project.iamPolicy as { aws: unknown }).aws : project.iamPolicy;
  const findings = PolicyDocumentCodec.is(raw) ? policyFindings(raw) : [];
  return {
    workflow_id: c.workflow_id,
    account,
    boundary: { name: BOUNDARY_NAME, arn: boundaryArn(account), document: boundaryPolicy(account, { bucketPrefix: process.env.CARIBOU_BUCKET_PREFIX }) },
    functions: c.functions.map((f) => {
      const physical = physicalNameOf(c, f.name, region);
      return { function: f.name, physical_name: physical, region, ...functionRolePlan(physical, account, project.iamPolicy) };
    }),
    findings,
  };
}

/** The plan in words, each document as JSON. */
export function describePolicyPlan(plan: PolicyPlan): string {
  const lines: string[] = [];
  lines.push(`IAM of workflow ${plan.workflow_id} on AWS (account ${plan.account}), as deploy attaches it`);
  lines.push('');
  for (const f of plan.functions) {
    lines.push(`role ${f.role} for function ${f.physical_name}`);
    lines.push(`  permissions boundary ${f.permissionsBoundary}`);
    lines.push(`  tags ${Object.entries(f.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    for (const [name, doc] of Object.entries(f.policies)) {
      lines.push(`  inline policy ${name}${name === 'caribou-runtime' ? ' (what the Caribou runtime needs, scoped to this workflow)' : ' (the workflow\'s iam_policy)'}:`);
      lines.push(...JSON.stringify(doc, null, 2).split('\n').map((l) => `    ${l}`));
    }
    if (!('caribou-workflow' in f.policies)) lines.push('  (no user part: the iam_policy has no statements)');
    lines.push('');
  }
  lines.push(`permissions boundary ${plan.boundary.name} (${plan.boundary.arn}), the most any of these roles may do:`);
  lines.push(...JSON.stringify(plan.boundary.document, null, 2).split('\n').map((l) => `  ${l}`));
  if (plan.findings.length > 0) {
    lines.push('');
    lines.push('deploy refuses the iam_policy:');
    for (const f of plan.findings) lines.push(`  ${f.statement} ${f.reason}${f.serviceWide ? ' (admitted by --allow-service-wide-grants)' : ''}`);
  }
  return lines.join('\n');
}
