import {
  CreatePolicyCommand,
  DeletePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsContext } from './context';
import { UserError } from '../../model/errors';
import { attempt, awsError, isCode, isNotFound, unlessNotFound } from './errors';
import { assertNoWildcardGrant, parsePolicyDocument, type PolicyDocument } from './policies';
import { BOUNDARY_NAME, MANAGED_TAG, boundaryArn, boundaryPolicy } from './boundary';

/** What a created role carries besides its policies: a permissions boundary (ARN) and tags. */
export interface RoleGuards {
  boundary?: string;
  tags?: Record<string, string>;
}

/** IAM is global: one client, addressed through us-east-1. */
const IAM_REGION = 'us-east-1';

/** IAM roles with inline policies: create or update to exactly the given policies, and delete. */
export class IamRoles {
  constructor(private readonly ctx: AwsContext) {}

  private iam(): IAMClient {
    return this.ctx.client(IAMClient, IAM_REGION);
  }

  /**
   * Makes role `name` trust `trust` and hold exactly the inline `policies` (name → document):
   * policies not listed are deleted, so a role never keeps a grant it no longer needs.
   * Returns the role ARN and whether the role was created just now.
   * With `guards.boundary`, the role carries that permissions boundary before any policy is
   * put on it (an older role gets it first): the control plane's migrate role may change a
   * role only when the boundary is attached (serverless.yml MigrateRole).
   */
  async put(name: string, trust: PolicyDocument, policies: Record<string, PolicyDocument>, description: string, guards: RoleGuards = {}): Promise<{ arn: string; created: boolean }> {
    for (const [pname, doc] of Object.entries(policies)) assertNoWildcardGrant(doc, `policy ${pname} of role ${name}`);
    const iam = this.iam();
    let arn: string;
    let created = false;
    const existing = await unlessNotFound('read role', name, () => iam.send(new GetRoleCommand({ RoleName: name })), undefined);
    if (existing?.Role?.Arn) {
      arn = existing.Role.Arn;
      // only when it changed: a re-deploy then needs no iam:UpdateAssumeRolePolicy
      const current = existing.Role.AssumeRolePolicyDocument ? parsePolicyDocument(existing.Role.AssumeRolePolicyDocument, `trust policy of role ${name}`) : undefined;
      if (JSON.stringify(current) !== JSON.stringify(trust)) {
        await attempt('update the trust policy of role', name, () =>
          iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(trust) })),
        );
      }
    } else {
      try {
        const r = await iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify(trust),
            Description: description.slice(0, 1000),
            Tags: Object.entries({ [MANAGED_TAG]: 'true', ...guards.tags }).map(([Key, Value]) => ({ Key, Value })),
            ...(guards.boundary ? { PermissionsBoundary: guards.boundary } : {}),
          }),
        );
        arn = r.Role!.Arn!;
        created = true;
      } catch (err) {
        if (!isCode(err, 'EntityAlreadyExists', 'EntityAlreadyExistsException')) throw awsError(err, 'create role', name);
        // created concurrently by another deploy of the same function
        const r = await attempt('read role', name, () => iam.send(new GetRoleCommand({ RoleName: name })));
        arn = r.Role!.Arn!;
      }
    }
    if (!created && (guards.boundary || guards.tags)) await this.guardExisting(name, existing?.Role, guards);
    for (const [PolicyName, doc] of Object.entries(policies)) {
      await attempt(`put policy ${PolicyName} on role`, name, () =>
        iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName, PolicyDocument: JSON.stringify(doc) })),
      );
    }
    for (const stale of await this.inlinePolicyNames(name)) {
      if (!(stale in policies)) {
        await unlessNotFound(`delete policy ${stale} of role`, name, () => iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: stale })), undefined);
      }
    }
    return { arn, created };
  }

  /** Gives a role created earlier (or concurrently) the boundary and tags `guards` asks for. */
  private async guardExisting(name: string, role: { PermissionsBoundary?: { PermissionsBoundaryArn?: string }; Tags?: Array<{ Key?: string; Value?: string }> } | undefined, guards: RoleGuards): Promise<void> {
    const iam = this.iam();
    const current = role ?? (await attempt('read role', name, () => iam.send(new GetRoleCommand({ RoleName: name })))).Role;
    if (guards.boundary && current?.PermissionsBoundary?.PermissionsBoundaryArn !== guards.boundary) {
      await attempt('attach the permissions boundary to role', name, () => iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: guards.boundary })));
    }
    const want = guards.tags ?? {};
    const have = new Map((current?.Tags ?? []).map((t) => [t.Key, t.Value]));
    const missing = Object.entries(want).filter(([k, v]) => have.get(k) !== v);
    if (missing.length > 0) {
      await attempt('tag role', name, () => iam.send(new TagRoleCommand({ RoleName: name, Tags: missing.map(([Key, Value]) => ({ Key, Value })) })));
    }
  }

  /**
   * Makes sure the workflow permissions boundary exists in `account` and returns its ARN.
   * The control-plane stack creates it (serverless.yml CaribouWorkflowBoundary); an operator
   * deploying without the stack gets the same document created here.
   */
  async ensureBoundary(account: string): Promise<string> {
    const arn = boundaryArn(account);
    const iam = this.iam();
    const found = await unlessNotFound('read the permissions boundary', arn, () => iam.send(new GetPolicyCommand({ PolicyArn: arn })), undefined);
    if (found?.Policy) return arn;
    try {
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: BOUNDARY_NAME,
          PolicyDocument: JSON.stringify(boundaryPolicy(account, { bucketPrefix: process.env.CARIBOU_BUCKET_PREFIX })),
          Description: 'Caribou: the most any workflow function role may do (src/cloud/aws/boundary.ts)',
          Tags: [{ Key: MANAGED_TAG, Value: 'true' }],
        }),
      );
    } catch (err) {
      if (!isCode(err, 'EntityAlreadyExists', 'EntityAlreadyExistsException')) throw awsError(err, 'create the permissions boundary', arn);
    }
    return arn;
  }

  /**
   * Deletes the workflow boundary when this CLI created it (tagged `caribou:managed`); one the
   * control-plane stack created belongs to the stack and stays. Returns its ARN when deleted.
   */
  async removeOwnBoundary(account: string): Promise<string | undefined> {
    const arn = boundaryArn(account);
    const iam = this.iam();
    const found = await unlessNotFound('read the permissions boundary', arn, () => iam.send(new GetPolicyCommand({ PolicyArn: arn })), undefined);
    if (!found?.Policy || !(found.Policy.Tags ?? []).some((t) => t.Key === MANAGED_TAG && t.Value === 'true')) return undefined;
    try {
      await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isCode(err, 'DeleteConflict', 'DeleteConflictException')) {
        throw new UserError(`the permissions boundary ${arn} is still attached to roles (not Caribou's, or left by a failed remove); detach it in the IAM console and run the command again`);
      }
      throw awsError(err, 'delete the permissions boundary', arn);
    }
    return arn;
  }

  /** A role's permissions boundary ARN and tags, or undefined when the role is absent. */
  async guards(name: string): Promise<{ boundary?: string; tags: Record<string, string> } | undefined> {
    const r = await unlessNotFound('read role', name, () => this.iam().send(new GetRoleCommand({ RoleName: name })), undefined);
    if (!r?.Role) return undefined;
    return { boundary: r.Role.PermissionsBoundary?.PermissionsBoundaryArn, tags: Object.fromEntries((r.Role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) };
  }

  /** The names of a role's inline policies, across all pages. */
  async inlinePolicyNames(name: string): Promise<string[]> {
    const out: string[] = [];
    let Marker: string | undefined;
    do {
      const r = await unlessNotFound('list the policies of role', name, () => this.iam().send(new ListRolePoliciesCommand({ RoleName: name, Marker })), undefined);
      if (!r) return out;
      out.push(...(r.PolicyNames ?? []));
      Marker = r.IsTruncated ? r.Marker : undefined;
    } while (Marker);
    return out;
  }

  /** A role's inline policies (name → document), or undefined when the role is absent. */
  async inlinePolicies(name: string): Promise<Record<string, PolicyDocument> | undefined> {
    const role = await unlessNotFound('read role', name, () => this.iam().send(new GetRoleCommand({ RoleName: name })), undefined);
    if (!role) return undefined;
    const out: Record<string, PolicyDocument> = {};
    for (const PolicyName of await this.inlinePolicyNames(name)) {
      const r = await attempt(`read policy ${PolicyName} of role`, name, () => this.iam().send(new GetRolePolicyCommand({ RoleName: name, PolicyName })));
      out[PolicyName] = parsePolicyDocument(r.PolicyDocument ?? '{}', `policy ${PolicyName} of role ${name}`);
    }
    return out;
  }

  /** The trust policy of a role, or undefined when absent. */
  async trust(name: string): Promise<PolicyDocument | undefined> {
    const role = await unlessNotFound('read role', name, () => this.iam().send(new GetRoleCommand({ RoleName: name })), undefined);
    const doc = role?.Role?.AssumeRolePolicyDocument;
    return doc ? parsePolicyDocument(doc, `trust policy of role ${name}`) : undefined;
  }

  /**
   * Deletes a role and its inline policies (no error when absent). Caribou's roles carry
   * inline policies only; a managed policy someone attached by hand makes IAM refuse, and
   * the error says which role to look at.
   */
  async remove(name: string): Promise<void> {
    const iam = this.iam();
    for (const PolicyName of await this.inlinePolicyNames(name)) {
      await unlessNotFound(`delete policy ${PolicyName} of role`, name, () => iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName })), undefined);
    }
    try {
      await iam.send(new DeleteRoleCommand({ RoleName: name }));
    } catch (err) {
      if (isNotFound(err)) return;
      if (isCode(err, 'DeleteConflict', 'DeleteConflictException')) {
        throw new UserError(`role ${name} still has managed policies attached (not by Caribou); detach them in the IAM console and run the command again`);
      }
      throw awsError(err, 'delete role', name);
    }
  }
}
