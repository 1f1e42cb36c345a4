import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetPolicyCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetPublicAccessBlockCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetFunctionEventInvokeConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ASYNC_EVENT_MAX_AGE_S } from '../../src/cloud/ports';
import type { AwsCloud } from '../../src/cloud/aws';
import { LAMBDA_RUNTIME, LOG_RETENTION_DAYS, RUNTIME_POLICY, WORKFLOW_POLICY } from '../../src/cloud/aws/lambda-functions';
import { roleName } from '../../src/cloud/aws/names';
import { wildcardGrants, type PolicyDocument } from '../../src/cloud/aws/policies';
import { setupTables, SYSTEM_TABLES } from '../../src/cli/commands/setup_tables';
import { policyPlan } from '../../src/deploy/policy-plan';
import { boundaryArn } from '../../src/cloud/aws/boundary';
import { teardownFramework } from '../../src/cli/commands/teardown_framework';
import { deployWorkflow, listWorkflows, physicalNameOf, removeWorkflow, topicNameOf } from '../../src/deploy/deployer';
import { loadWorkflowProject, type WorkflowProject } from '../../src/deploy/project';
import { migrateWorkflow } from '../../src/migrate/migrator';
import type { DeploymentResources } from '../../src/model/deployment-resources';
import type { WorkflowPlacementDecision } from '../../src/model/placement';
import type { StagedPlan } from '../../src/model/staging';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { MOTO_ACCOUNT, motoCloud, useMoto } from './moto';

const EXAMPLE = path.resolve(__dirname, '../../examples/small_sync_example');

/**
 * The whole life of a workflow on the AWS target, against moto, through the same code the
 * local cloud runs (deployWorkflow, migrateWorkflow, removeWorkflow) with the AWS adapters
 * underneath: setup_tables → deploy (every resource and policy checked) → publish →
 * migrate one function to a second region → remove → teardown_framework, leaving nothing.
 *
 * moto creates Lambda functions but cannot run them here (no Docker), so nothing is invoked.
 */
describe('aws: workflow lifecycle on moto', function () {
  let cloud: AwsCloud;
  let project: WorkflowProject;
  let id: string;
  const home = 'us-east-1';
  const second = 'us-west-1';

  const ddb = (r: string) => cloud.context.client(DynamoDBClient, r);
  const iam = () => cloud.context.client(IAMClient, 'us-east-1');
  const sns = (r: string) => cloud.context.client(SNSClient, r);
  const s3 = (r: string) => cloud.context.client(S3Client, r);
  const lambda = (r: string) => cloud.context.client(LambdaClient, r);

  async function tablesIn(region: string): Promise<string[]> {
    return (await ddb(region).send(new ListTablesCommand({}))).TableNames ?? [];
  }
  async function caribouRoles(): Promise<string[]> {
    const out: string[] = [];
    let Marker: string | undefined;
    do {
      const r = await iam().send(new ListRolesCommand({ Marker }));
      for (const role of r.Roles ?? []) if (role.RoleName?.startsWith('small_sync_example-') || role.RoleName === 'caribou-timers-role') out.push(role.RoleName);
      Marker = r.IsTruncated ? r.Marker : undefined;
    } while (Marker);
    return out;
  }

  before(async function () {
    const moto = await useMoto(this);
    cloud = await motoCloud(moto);
    project = await loadWorkflowProject(EXAMPLE);
  });
  after(async () => cloud?.close());

  it('setup_tables creates every system table, on-demand, keyed by `key`', async () => {
    const made = await setupTables(cloud);
    assert.deepEqual([...made].sort(), [...SYSTEM_TABLES].sort());
    assert.deepEqual((await tablesIn(SYSTEM_REGION)).sort(), [...SYSTEM_TABLES].sort());
    for (const t of SYSTEM_TABLES) {
      const d = (await ddb(SYSTEM_REGION).send(new DescribeTableCommand({ TableName: t }))).Table!;
      assert.equal(d.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST', t);
      assert.deepEqual(d.KeySchema, [{ AttributeName: 'key', KeyType: 'HASH' }], t);
    }
    // idempotent
    await setupTables(cloud);
  });

  it('deploys a workflow: functions, roles, topics, subscriptions, permissions, join table, package, records', async () => {
    id = await deployWorkflow(cloud, project);
    assert.equal(id, 'small_sync_example-0.0.1');
    assert.deepEqual(await listWorkflows(cloud), [id]);
    const config = project.config;
    const userPolicy = (project.iamPolicy as { aws: PolicyDocument }).aws;

    const fns = await cloud.functions.list(home);
    assert.deepEqual(fns, config.functions.map((f) => physicalNameOf(config, f.name, home)).sort());

    for (const fn of config.functions) {
      const physical = physicalNameOf(config, fn.name, home);
      const c = (await cloud.functions.describe(home, physical))!;
      assert.equal(c.Runtime, LAMBDA_RUNTIME);
      assert.equal(c.Handler, 'index.handler');
      assert.equal(c.MemorySize, fn.memory);
      assert.equal(c.Timeout, fn.timeout);
      assert.equal(c.Role, `arn:aws:iam::${MOTO_ACCOUNT}:role/${roleName(physical)}`);
      assert.equal(c.Environment?.Variables?.LOG_LEVEL, 'INFO');
      assert.ok(await cloud.functions.isLive(home, physical));
      // delayed deliveries are dropped before the migrator's grace period ends
      const eic = await lambda(home).send(new GetFunctionEventInvokeConfigCommand({ FunctionName: physical }));
      assert.equal(eic.MaximumEventAgeInSeconds, ASYNC_EVENT_MAX_AGE_S);

      // the role: trusted by Lambda only; exactly the runtime's policy and the workflow's
      const trust = (await cloud.functions.roles.trust(roleName(physical)))!;
      assert.deepEqual(trust.Statement.map((s) => s.Principal), [{ Service: 'lambda.amazonaws.com' }]);
      const policies = (await cloud.functions.roles.inlinePolicies(roleName(physical)))!;
      // exactly the documents `caribou inspect --policy` prints (the example's iam_policy has no statements: no user part)
      const planned = policyPlan(project, MOTO_ACCOUNT).functions.find((f) => f.physical_name === physical)!;
      assert.deepEqual(policies, planned.policies);
      assert.deepEqual(Object.keys(policies), userPolicy.Statement.length > 0 ? [RUNTIME_POLICY, WORKFLOW_POLICY] : [RUNTIME_POLICY]);
      const guards = (await cloud.functions.roles.guards(roleName(physical)))!;
      assert.equal(guards.boundary, planned.permissionsBoundary);
      assert.equal(guards.tags['caribou:workflow'], id);
      const runtime = policies[RUNTIME_POLICY];
      assert.deepEqual(wildcardGrants(runtime), []);
      const resources = runtime.Statement.flatMap((s) => [s.Resource ?? []].flat());
      assert.ok(resources.every((r) => r !== '*' && r.includes(MOTO_ACCOUNT)), `every runtime grant is scoped to the account: ${resources.join(', ')}`);
      assert.ok(resources.includes(`arn:aws:sns:*:${MOTO_ACCOUNT}:small_sync_example-0_0_1-*`), 'publishes only to its own workflow topics');
      assert.ok(resources.includes(`arn:aws:dynamodb:*:${MOTO_ACCOUNT}:table/${TABLES.syncMessages}`));
      const wpdRead = runtime.Statement.find((s) => s.Sid === 'ReadOwnPlacementDecision')!;
      assert.deepEqual(wpdRead.Action, ['dynamodb:GetItem']);
      assert.deepEqual(wpdRead.Condition, { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [id] } });

      // its topic admits only the account, and delivers to the function
      const topic = `arn:aws:sns:${home}:${MOTO_ACCOUNT}:${topicNameOf(physical)}`;
      assert.ok((await cloud.messaging.listTopics(home)).includes(topic));
      const attrs = (await sns(home).send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
      const topicPolicy = JSON.parse(attrs.Policy!) as PolicyDocument;
      assert.deepEqual(
        topicPolicy.Statement.map((s) => s.Principal),
        [{ AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }],
      );
      const subs = await cloud.messaging.subscriptions(home, topic);
      assert.deepEqual(
        subs.map((s) => [s.Protocol, s.Endpoint]),
        [['lambda', `arn:aws:lambda:${home}:${MOTO_ACCOUNT}:function:${physical}`]],
      );
      // SNS may invoke the function, and only from this topic
      const statements = await cloud.functions.resourcePolicy(home, physical);
      assert.equal(statements.length, 1);
      assert.deepEqual(statements[0].Principal, { Service: 'sns.amazonaws.com' });
      assert.equal((statements[0].Condition as { ArnLike: Record<string, string> }).ArnLike['AWS:SourceArn'], topic);
    }

    // the join table in the home region, the code package in the home bucket (private)
    assert.ok((await tablesIn(home)).includes(TABLES.syncMessages));
    const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id)) as DeploymentResources;
    assert.equal(res.functions.length, config.functions.length);
    assert.deepEqual(await cloud.packages.list(home, `workflows/${id}/`), [res.package_key]);
    const block = await s3(home).send(new GetPublicAccessBlockCommand({ Bucket: await cloud.packages.bucket(home) }));
    assert.deepEqual(block.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    const wpd = (await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id)) as WorkflowPlacementDecision;
    assert.deepEqual(Object.keys(wpd.home_deployment).sort(), config.instances.map((i) => i.instance_name).sort());
    for (const p of Object.values(wpd.home_deployment)) assert.equal(p.region, home);
    assert.deepEqual(await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentManagerResource, id), config);
  });

  it('a second deploy of the same version is refused and changes nothing', async () => {
    await assert.rejects(deployWorkflow(cloud, project), /already deployed/);
    assert.equal((await cloud.functions.list(home)).length, project.config.functions.length);
  });

  it('publishes to the entry topic, which has the entry function subscribed', async () => {
    const wpd = (await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id)) as WorkflowPlacementDecision;
    const entry = wpd.home_deployment[wpd.entry_instance];
    await cloud.messaging.publish(home, entry.topic, JSON.stringify({ hello: 'moto' }));
    const subs = await cloud.messaging.subscriptions(home, entry.topic);
    assert.deepEqual(subs.map((s) => s.Endpoint), [`arn:aws:lambda:${home}:${MOTO_ACCOUNT}:function:${entry.function_name}`]);
    // the size limit is enforced before anything is sent
    await assert.rejects(cloud.messaging.publish(home, entry.topic, 'x'.repeat(256 * 1024 + 1)), /spilled/);
  });

  it('migrates a function to a second region with the migrator (deployFunctionToRegion underneath)', async () => {
    const config = project.config;
    const join = config.instances.find((i) => i.function_name === 'syncFunction')!;
    const now = new Date();
    const staged: StagedPlan = {
      workflow_id: id,
      solved_at: now.toISOString(),
      expiry_time: new Date(now.getTime() + 24 * 3600e3).toISOString(),
      algorithm: 'coarse',
      time_keys: ['0'],
      placements: { '0': { [join.instance_name]: second } },
      metrics: {},
      fallbacks: [],
      evaluations: 1,
    };
    await cloud.tables.put(SYSTEM_REGION, TABLES.solverStagingArea, id, staged);
    const report = await migrateWorkflow(cloud, id);
    assert.equal(report.status, 'migrated', report.error);
    assert.deepEqual(report.deployed, [`syncFunction@${second}`]);
    assert.equal(report.switched, true);

    const physical = physicalNameOf(config, 'syncFunction', second);
    assert.deepEqual(await cloud.functions.list(second), [physical]);
    assert.ok(await cloud.functions.isLive(second, physical));
    const topic = `arn:aws:sns:${second}:${MOTO_ACCOUNT}:${topicNameOf(physical)}`;
    assert.deepEqual(await cloud.messaging.listTopics(second), [topic]);
    assert.deepEqual((await cloud.messaging.subscriptions(second, topic)).map((s) => s.Endpoint), [`arn:aws:lambda:${second}:${MOTO_ACCOUNT}:function:${physical}`]);
    assert.ok((await tablesIn(second)).includes(TABLES.syncMessages), 'the join table exists in the new region');
    const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id)) as DeploymentResources;
    assert.deepEqual(await cloud.packages.list(second, `workflows/${id}/`), [res.package_key], 'the code was copied to the new region');
    // the new role is scoped like the home ones (its logs are in the new region)
    const runtime = (await cloud.functions.roles.inlinePolicies(roleName(physical)))![RUNTIME_POLICY];
    assert.ok([runtime.Statement[0].Resource].flat().every((r) => r!.startsWith(`arn:aws:logs:${second}:`)));
    // and the role the migrator created carries the workflow boundary too
    assert.equal((await cloud.functions.roles.guards(roleName(physical)))?.boundary, boundaryArn(MOTO_ACCOUNT));

    const wpd = (await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id)) as WorkflowPlacementDecision;
    assert.equal(wpd.current_deployment?.instances['0'][join.instance_name].region, second);
    assert.equal(wpd.current_deployment?.instances['0'][join.instance_name].topic, topic);
  });

  it('remove leaves nothing of the workflow in any region', async () => {
    await removeWorkflow(cloud, id);
    assert.deepEqual(await listWorkflows(cloud), []);
    for (const r of [home, second]) {
      assert.deepEqual(await cloud.functions.list(r), [], `functions in ${r}`);
      assert.deepEqual(await cloud.messaging.listTopics(r), [], `topics in ${r}`);
      assert.deepEqual(await cloud.packages.list(r, `workflows/${id}/`), [], `packages in ${r}`);
      // the log groups stay, with a retention, for the log syncer to read the last runs
      const groups = (await cloud.context.client(CloudWatchLogsClient, r).send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
      assert.ok(groups.length > 0 && groups.every((g) => g.retentionInDays === LOG_RETENTION_DAYS), `log groups in ${r} expire`);
    }
    assert.deepEqual(await caribouRoles(), []);
    for (const t of [TABLES.deploymentResources, TABLES.workflowPlacementDecision, TABLES.deploymentManagerResource, TABLES.solverStagingArea]) {
      assert.equal(await cloud.tables.get(SYSTEM_REGION, t, id), undefined, t);
    }
  });

  it('teardown_framework removes workflows, join tables, system tables and buckets', async () => {
    // deploy again so there is something to tear down
    await deployWorkflow(cloud, project);
    const report = await teardownFramework(cloud);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.workflows, [id]);
    for (const r of [SYSTEM_REGION, home, second]) assert.deepEqual(await tablesIn(r), [], `tables in ${r}`);
    for (const r of [home, second]) {
      assert.deepEqual(await cloud.functions.list(r), []);
      assert.deepEqual(await cloud.messaging.listTopics(r), []);
    }
    for (const r of [home, second]) {
      const groups = (await cloud.context.client(CloudWatchLogsClient, r).send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
      assert.deepEqual(groups.map((g) => g.logGroupName), [], `log groups in ${r}`);
    }
    const buckets = (await s3(SYSTEM_REGION).send(new ListBucketsCommand({}))).Buckets ?? [];
    assert.deepEqual(buckets.map((b) => b.Name), []);
    assert.deepEqual(await caribouRoles(), []);
    // the boundary deploy created (no control-plane stack here) goes too
    await assert.rejects(cloud.context.client(IAMClient, 'us-east-1').send(new GetPolicyCommand({ PolicyArn: boundaryArn(MOTO_ACCOUNT) })), /NoSuchEntity|not found/i, 'the boundary is gone');
    // and again, on an empty account: nothing to do, no error
    const again = await teardownFramework(cloud);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.workflows, []);
  });
});
