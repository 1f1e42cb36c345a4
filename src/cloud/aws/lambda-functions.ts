import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { UserError } from '../../model/errors';
import { ASYNC_EVENT_MAX_AGE_S, type FunctionSpec, type Functions } from '../ports';
import type { AwsContext } from './context';
import { attempt, awsError, isCode, sleep, unlessNotFound } from './errors';
import { IamRoles } from './iam-roles';
import { assertRegion, digest, isPhysicalName, logGroupName, parsePhysicalName, roleName } from './names';
import { functionRolePlan, WORKFLOW_POLICY } from './policies';
import { checkWorkflowPolicy } from './policy-guard';
import type { S3PackageStore } from './s3-packages';
import { isZip, zip } from './zip';

/** The runtime every Caribou function runs on. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
/** Lambda's limit on code uploaded inline (zipped). */
const MAX_INLINE_ZIP = 50 * 1024 * 1024;
/** Days a function's logs are kept (CloudWatch accepts 1, 3, 5, 7, 14, 30, 60, 90, …). */
export const LOG_RETENTION_DAYS = 30;
/** Inline policy names on a function's role (policies.ts). */
export { RUNTIME_POLICY, WORKFLOW_POLICY } from './policies';

/** Options that tests shorten; the defaults suit AWS. */
export interface LambdaTiming {
  /** how long to keep retrying while a new role propagates through IAM (ms) */
  roleWaitMs: number;
  /** how long to wait for a function to become Active / finish an update (ms) */
  readyWaitMs: number;
  pollMs: number;
}
const DEFAULT_TIMING: LambdaTiming = { roleWaitMs: 60_000, readyWaitMs: 300_000, pollMs: 1000 };

/**
 * Functions on Lambda. Each function gets its own role holding exactly two inline policies:
 * what the Caribou runtime needs (policies.ts runtimePolicy) and the workflow's iam_policy.
 * Code comes from the package store as a zip (or a single bundled file, zipped here).
 */
export class LambdaFunctions implements Functions {
  readonly roles: IamRoles;
  private readonly timing: LambdaTiming;
  /** the boundary's ARN, once checked (or created) in this process */
  private boundary: Promise<string> | undefined;

  constructor(
    private readonly ctx: AwsContext,
    private readonly packages: S3PackageStore,
    timing?: Partial<LambdaTiming>,
  ) {
    this.roles = new IamRoles(ctx);
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  private lambda(region: string): LambdaClient {
    return this.ctx.client(LambdaClient, assertRegion(region));
  }

  async deploy(spec: FunctionSpec): Promise<void> {
    const p = parsePhysicalName(spec.name);
    if (p.region !== spec.region) throw new UserError(`function ${spec.name} is named for ${p.region} but was asked to deploy to ${spec.region}`);
    const account = await this.ctx.accountId();

    const plan = functionRolePlan(spec.name, account, spec.policy);
    // deploy refused these already; a record that names Caribou's own resources or IAM is refused on every path (the migrator's too)
    const user = plan.policies[WORKFLOW_POLICY];
    if (user) checkWorkflowPolicy(user, `the iam_policy of ${spec.name}`, { allowServiceWide: true });
    // every function role carries the workflow boundary and names its workflow (boundary.ts)
    this.boundary ??= this.roles.ensureBoundary(account);
    const boundary = await this.boundary.catch((err) => {
      this.boundary = undefined;
      throw err;
    });
    if (boundary !== plan.permissionsBoundary) throw new Error(`the boundary ${boundary} is not the planned ${plan.permissionsBoundary}`);
    const role = await this.roles.put(plan.role, plan.trust, plan.policies, `Caribou function ${spec.name} (workflow ${p.workflowId})`, { boundary, tags: plan.tags });

    const code = await this.code(spec);
    await this.ensureLogGroup(spec.region, spec.name);
    const lambda = this.lambda(spec.region);
    const existing = await this.describe(spec.region, spec.name);
    const config = {
      FunctionName: spec.name,
      Role: role.arn,
      Handler: spec.handler,
      Runtime: LAMBDA_RUNTIME,
      MemorySize: spec.memory,
      Timeout: spec.timeout,
      Environment: { Variables: spec.environment },
    } as const;
    if (!existing) {
      await this.createWithRoleRetry(spec, { ...config, Code: { ZipFile: code }, Architectures: [spec.architecture] });
    } else {
      await this.waitReady(spec.region, spec.name);
      await attempt('update the code of function', `${spec.name} in ${spec.region}`, () =>
        lambda.send(new UpdateFunctionCodeCommand({ FunctionName: spec.name, ZipFile: code, Architectures: [spec.architecture] })),
      );
      await this.waitReady(spec.region, spec.name);
      await this.whileRoleIsNew(`update the configuration of function`, spec, () => lambda.send(new UpdateFunctionConfigurationCommand(config)));
    }
    await this.waitReady(spec.region, spec.name);
    // SNS invokes asynchronously and Lambda keeps retrying a throttled event for up to 6 hours:
    // bound that age, so no event reaches a function the migrator removed after its grace period
    await attempt('limit the event age of function', `${spec.name} in ${spec.region}`, () =>
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: spec.name, MaximumEventAgeInSeconds: ASYNC_EVENT_MAX_AGE_S, MaximumRetryAttempts: 2 })),
    );
  }

  /** The zip to upload: the stored package, zipped here when it is a single bundled file. */
  private async code(spec: FunctionSpec): Promise<Uint8Array> {
    // The package is usually stored in the function's own region; a migration to a new
    // region finds it where the workflow was first deployed.
    let body = await this.packages.get(spec.region, spec.packageKey);
    if (!body) {
      for (const region of [this.ctx.controlRegion, ...(await this.packages.regions())]) {
        if (region === spec.region) continue;
        body = await this.packages.get(region, spec.packageKey);
        if (body) break;
      }
    }
    if (!body) throw new UserError(`the code package ${spec.packageKey} of ${spec.name} is in no Caribou bucket of this account; deploy the workflow again`);
    const archive = isZip(body) ? body : zip([{ name: `${spec.handler.split('.').slice(0, -1).join('.') || 'index'}.js`, data: body }]);
    if (archive.length > MAX_INLINE_ZIP) throw new UserError(`the code of ${spec.name} is ${(archive.length / 1e6).toFixed(1)} MB zipped; Lambda accepts at most 50 MB`);
    return archive;
  }

  private async createWithRoleRetry(spec: FunctionSpec, input: ConstructorParameters<typeof CreateFunctionCommand>[0]): Promise<void> {
    try {
      await this.whileRoleIsNew('create function', spec, () => this.lambda(spec.region).send(new CreateFunctionCommand(input)));
    } catch (err) {
      // created concurrently by another deploy of the same function: the next deploy updates it
      if ((err as { cause?: unknown }).cause && isCode((err as { cause?: unknown }).cause, 'ResourceConflictException')) return;
      throw err;
    }
  }

  /**
   * Runs a call that names the function's role, again while Lambda cannot assume the role
   * yet: a role is usable by Lambda only some seconds after IAM created it.
   */
  private async whileRoleIsNew<T>(action: string, spec: FunctionSpec, call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.timing.roleWaitMs;
    for (let wait = 500; ; wait = Math.min(wait * 2, 8000)) {
      try {
        return await call();
      } catch (err) {
        if (isCode(err, 'InvalidParameterValueException') && /cannot be assumed/i.test((err as Error).message) && Date.now() + wait < deadline) {
          await sleep(wait);
          continue;
        }
        throw awsError(err, action, `${spec.name} in ${spec.region}`);
      }
    }
  }

  /** The function's configuration, or undefined when it does not exist. */
  async describe(region: string, name: string): Promise<FunctionConfiguration | undefined> {
    const r = await unlessNotFound('read function', `${name} in ${region}`, () => this.lambda(region).send(new GetFunctionCommand({ FunctionName: name })), undefined);
    return r?.Configuration;
  }

  private async waitReady(region: string, name: string): Promise<void> {
    const deadline = Date.now() + this.timing.readyWaitMs;
    for (;;) {
      const c = await this.describe(region, name);
      if (!c) throw new Error(`function ${name} in ${region} disappeared while being deployed`);
      if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed') {
        throw new UserError(`function ${name} in ${region} failed to deploy: ${c.StateReason ?? c.LastUpdateStatusReason ?? 'no reason given'}`);
      }
      if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return;
      if (Date.now() > deadline) throw new Error(`function ${name} in ${region} is still ${c.State}/${c.LastUpdateStatus}; try again later`);
      await sleep(this.timing.pollMs);
    }
  }

  async isLive(region: string, name: string): Promise<boolean> {
    const c = await this.describe(region, name);
    return !!c && c.State === 'Active' && c.LastUpdateStatus !== 'InProgress' && c.LastUpdateStatus !== 'Failed';
  }

  /**
   * Creates the function's log group ahead of Lambda, with a retention, so that the logs of
   * a removed function (which the log syncer may not have read yet) expire on their own.
   */
  private async ensureLogGroup(region: string, name: string): Promise<void> {
    const logs = this.ctx.client(CloudWatchLogsClient, region);
    const group = logGroupName(name);
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    } catch (err) {
      if (!isCode(err, 'ResourceAlreadyExistsException')) throw awsError(err, 'create log group', `${group} in ${region}`);
    }
    await attempt('set the retention of log group', `${group} in ${region}`, () => logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: LOG_RETENTION_DAYS })));
  }

  /**
   * Deletes the function and its role (no error when absent). Its log group stays until its
   * retention ends: the log syncer may still need the last runs (teardown_framework deletes it).
   */
  async remove(region: string, name: string): Promise<void> {
    parsePhysicalName(name);
    await unlessNotFound('delete function', `${name} in ${region}`, () => this.lambda(region).send(new DeleteFunctionCommand({ FunctionName: name })), undefined);
    await this.roles.remove(roleName(name));
  }

  async list(region: string): Promise<string[]> {
    const out: string[] = [];
    let Marker: string | undefined;
    do {
      const r = await attempt('list functions in', region, () => this.lambda(region).send(new ListFunctionsCommand({ Marker })));
      for (const f of r.Functions ?? []) {
        if (f.FunctionName && isPhysicalName(f.FunctionName) && f.FunctionName.endsWith(`_aws-${region}`)) out.push(f.FunctionName);
      }
      Marker = r.NextMarker;
    } while (Marker);
    return out.sort();
  }

  /** Lets `principal` (a service) invoke the function when the call comes from `sourceArn`. Idempotent. */
  async allowInvoke(region: string, fn: string, statementId: string, principal: string, sourceArn: string): Promise<void> {
    const SourceAccount = await this.ctx.accountId();
    // Look first rather than rely on ResourceConflictException: a statement with this id but
    // another source must be replaced, and some emulators accept duplicate ids silently.
    const existing = (await this.resourcePolicy(region, fn)).find((s) => s.Sid === statementId);
    if (existing) {
      const source = (existing.Condition as { ArnLike?: Record<string, string> } | undefined)?.ArnLike?.['AWS:SourceArn'];
      if (source === sourceArn) return;
      await this.revokeInvoke(region, fn, statementId);
    }
    try {
      await this.lambda(region).send(
        new AddPermissionCommand({ FunctionName: fn, StatementId: statementId, Action: 'lambda:InvokeFunction', Principal: principal, SourceArn: sourceArn, SourceAccount }),
      );
    } catch (err) {
      if (isCode(err, 'ResourceConflictException')) return; // the statement is already there
      throw awsError(err, `let ${principal} invoke`, `${fn} in ${region}`);
    }
  }

  /** Removes one statement of the function's resource policy (no error when absent). */
  async revokeInvoke(region: string, fn: string, statementId: string): Promise<void> {
    await unlessNotFound('remove a permission of', `${fn} in ${region}`, () => this.lambda(region).send(new RemovePermissionCommand({ FunctionName: fn, StatementId: statementId })), undefined);
  }

  /** Lets an SNS topic invoke the function (statement `caribou-sns-<digest of topic>`). */
  grantTopic = async (region: string, fn: string, topicArn: string): Promise<void> => {
    await this.allowInvoke(region, fn, `caribou-sns-${digest(topicArn, 12)}`, 'sns.amazonaws.com', topicArn);
  };

  /** The statements of the function's resource policy (who may invoke it). */
  async resourcePolicy(region: string, fn: string): Promise<Array<Record<string, unknown>>> {
    const r = await unlessNotFound('read the resource policy of', `${fn} in ${region}`, () => this.lambda(region).send(new GetPolicyCommand({ FunctionName: fn })), undefined);
    if (!r?.Policy) return [];
    return (JSON.parse(r.Policy) as { Statement?: Array<Record<string, unknown>> }).Statement ?? [];
  }
}
