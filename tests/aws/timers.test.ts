import { strict as assert } from 'node:assert';
import { runCli } from '../support/cli';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { AwsCloud } from '../../src/cloud/aws';
import { TIMER_ROLE } from '../../src/cloud/aws/eventbridge-schedules';
import { trustPolicy } from '../../src/cloud/aws/policies';
import { zip } from '../../src/cloud/aws/zip';
import { TIMERS } from '../../src/cli/commands/timers';
import { MOTO_ACCOUNT, motoCloud, useMoto, type Moto } from './moto';

/**
 * The timer commands on EventBridge (moto), driven through the CLI with --target aws the
 * way a user runs them: Caribou's rule names, schedules and payloads; EventBridge may invoke
 * exactly the control-plane functions it targets; removing a timer removes its permission.
 */
describe('aws: timers on EventBridge (moto)', function () {
  let moto: Moto;
  let cloud: AwsCloud;
  const region = 'us-west-2';
  let cycleArn: string;
  const saved = { ...process.env };

  /** Runs `caribou --target aws <args>` and returns what it printed. */
  const caribou = async (...args: string[]) => (await runCli(['--target', 'aws', ...args])).out;

  const events = () => cloud.context.client(EventBridgeClient, region);
  async function rules(): Promise<Array<{ name: string; expression?: string }>> {
    const r = await events().send(new ListRulesCommand({}));
    return (r.Rules ?? []).map((x) => ({ name: x.Name!, expression: x.ScheduleExpression })).sort((a, b) => a.name.localeCompare(b.name));
  }

  before(async function () {
    moto = await useMoto(this);
    process.env.CARIBOU_AWS_ENDPOINT = moto.endpoint;
    process.env.CARIBOU_AWS_ACCOUNT_ID = MOTO_ACCOUNT;
    delete process.env.CARIBOU_CONTROL_PLANE_PREFIX;
    cloud = await motoCloud(moto);
    // the control plane as `sls deploy` leaves it: task functions and the CaribouCycle machine
    const role = await cloud.context
      .client(IAMClient, 'us-east-1')
      .send(new CreateRoleCommand({ RoleName: 'caribou-dev-lambda', AssumeRolePolicyDocument: JSON.stringify(trustPolicy('lambda.amazonaws.com')) }));
    const code = zip([{ name: 'index.js', data: Buffer.from('exports.handler = async () => ({})') }]);
    for (const task of ['collectProvider', 'collectCarbon', 'collectPerformance', 'syncLogs', 'migrate']) {
      await cloud.context
        .client(LambdaClient, region)
        .send(new CreateFunctionCommand({ FunctionName: `caribou-dev-${task}`, Role: role.Role!.Arn!, Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: code } }));
    }
    const sm = await cloud.context
      .client(SFNClient, region)
      .send(new CreateStateMachineCommand({ name: 'CaribouCycle', roleArn: role.Role!.Arn!, definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }) }));
    cycleArn = sm.stateMachineArn!;
  });
  after(async () => {
    process.env = saved;
    await cloud?.close();
  });

  it('setup_all_timers creates Caribou\'s rules with their default schedules and payloads, but no second schedule of CaribouCycle', async () => {
    const out = await caribou('setup_all_timers');
    assert.equal(out.split('\n').length, 6);
    // the stack schedules CaribouCycle: a deployment_manager rule would start it twice a day
    assert.match(out, /^deployment_manager\s+not created: sls deploy already schedules CaribouCycle/m);
    assert.ok(!(await rules()).some((r) => r.name === 'deployment_manager-timer-rule'));
    // asked for by name, it is created (the operator may have disabled the stack's schedule)
    await caribou('setup_timer', 'deployment_manager');
    assert.deepEqual(
      await rules(),
      Object.entries(TIMERS)
        .map(([name, t]) => ({ name: `${name}-timer-rule`, expression: t.expression }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const [name, t] of Object.entries(TIMERS)) {
      const targets = (await events().send(new ListTargetsByRuleCommand({ Rule: `${name}-timer-rule` }))).Targets!;
      assert.equal(targets.length, 1);
      assert.equal(targets[0].Id, 'caribou_cli-target');
      assert.deepEqual(JSON.parse(targets[0].Input!), t.input);
      if (t.task === 'CaribouCycle') {
        assert.equal(targets[0].Arn, cycleArn);
        assert.equal(targets[0].RoleArn, `arn:aws:iam::${MOTO_ACCOUNT}:role/${TIMER_ROLE}`);
      } else {
        const fn = `caribou-dev-${t.task}`;
        assert.equal(targets[0].Arn, `arn:aws:lambda:${region}:${MOTO_ACCOUNT}:function:${fn}`);
        const statements = await cloud.functions.resourcePolicy(region, fn);
        const mine = statements.filter((s) => s.Sid === `${name}-timer-rule-invoke-lambda`);
        assert.equal(mine.length, 1, `${fn} lets its rule invoke it`);
        assert.deepEqual(mine[0].Principal, { Service: 'events.amazonaws.com' });
      }
    }
    // the role EventBridge uses may start the cycle and nothing else
    const policies = (await cloud.functions.roles.inlinePolicies(TIMER_ROLE))!;
    assert.deepEqual(
      Object.values(policies).flatMap((p) => p.Statement.map((s) => [s.Action, s.Resource])),
      [[['states:StartExecution'], [cycleArn]]],
    );
    const trust = (await cloud.functions.roles.trust(TIMER_ROLE))!;
    assert.deepEqual(trust.Statement[0].Principal, { Service: 'events.amazonaws.com' });
    assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { 'aws:SourceAccount': MOTO_ACCOUNT } });
  });

  it('list_timers shows every timer with its schedule and target', async () => {
    const out = await caribou('list_timers');
    for (const [name, t] of Object.entries(TIMERS)) assert.match(out, new RegExp(`^${name}\\s+${t.expression.replace(/[()*?]/g, '\\$&')}\\s+arn:aws:`, 'm'));
  });

  it('setup_timer -se replaces one schedule (Caribou spells the option -se)', async () => {
    await caribou('setup_timer', 'log_syncer', '-se', 'rate(6 hours)');
    assert.equal((await rules()).find((r) => r.name === 'log_syncer-timer-rule')?.expression, 'rate(6 hours)');
    // still exactly one permission statement for the rule
    const statements = await cloud.functions.resourcePolicy(region, 'caribou-dev-syncLogs');
    assert.equal(statements.filter((s) => s.Sid === 'log_syncer-timer-rule-invoke-lambda').length, 1);
    await assert.rejects(caribou('setup_timer', 'no_such_timer'), /unknown timer "no_such_timer"/);
    await assert.rejects(caribou('setup_timer', 'log_syncer', '-se', 'every day'), /not an EventBridge schedule expression/);
  });

  it('remove_timer removes the rule and its invoke permission', async () => {
    await caribou('remove_timer', 'carbon_collector');
    assert.ok(!(await rules()).some((r) => r.name === 'carbon_collector-timer-rule'));
    assert.deepEqual(await cloud.functions.resourcePolicy(region, 'caribou-dev-collectCarbon'), []);
  });

  it('remove_all_timers leaves no rule, permission or timer role', async () => {
    const out = await caribou('remove_all_timers');
    assert.match(out, /^removed /);
    assert.deepEqual(await rules(), []);
    for (const task of ['collectProvider', 'collectCarbon', 'collectPerformance', 'syncLogs', 'migrate']) {
      assert.deepEqual(await cloud.functions.resourcePolicy(region, `caribou-dev-${task}`), [], task);
    }
    assert.equal(await cloud.functions.roles.trust(TIMER_ROLE), undefined);
    assert.match(await caribou('list_timers'), /no timers/);
  });

  it('without the control plane a timer is refused with what to do, and no rule is left behind', async () => {
    process.env.CARIBOU_CONTROL_PLANE_PREFIX = 'caribou-prod';
    try {
      await assert.rejects(caribou('setup_timer', 'log_syncer'), /caribou-prod-syncLogs, which does not exist in us-west-2; deploy the control plane with `sls deploy`/);
    } finally {
      delete process.env.CARIBOU_CONTROL_PLANE_PREFIX;
    }
    assert.deepEqual(await rules(), []);
  });
});

/** The user's path: every command with --target aws, configured only by environment variables, against moto. */
describe('aws: the CLI with --target aws (moto)', function () {
  const saved = { ...process.env };
  const caribou = async (...args: string[]) => (await runCli(args)).out;

  before(async function () {
    const moto = await useMoto(this);
    process.env.CARIBOU_AWS_ENDPOINT = moto.endpoint;
    process.env.CARIBOU_TARGET = 'aws';
    delete process.env.CARIBOU_AWS_ACCOUNT_ID; // found through STS, as for a user
  });
  after(() => {
    process.env = saved;
  });

  it('setup_tables, deploy, list, run, remove, teardown_framework', async function () {
    this.timeout(120_000);
    assert.match(await caribou('setup_tables'), /^us-west-2 available_regions_table$/m);
    const id = await caribou('deploy', '-p', 'examples/small_sync_example');
    assert.equal(id, 'small_sync_example-0.0.1');
    assert.match(await caribou('list'), new RegExp(`^${id}  us-east-1  \\(home deployment\\)$`));
    assert.match(await caribou('run', id, '-a', '{"message":"hi"}'), /^run [0-9a-f]{32}: started/);
    await caribou('remove', id);
    assert.match(await caribou('list'), /no workflows are deployed/);
    assert.match(await caribou('teardown_framework', '--yes'), /teardown done: 0 workflows, 0 timers, \d+ tables, 1 buckets/);
    await assert.rejects(caribou('list'), /table deployment_manager_resource_table does not exist in us-west-2 .*setup_tables/);
  });
});
