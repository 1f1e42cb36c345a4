import { strict as assert } from 'node:assert';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createAwsCloud, type AwsCloud } from '../../src/cloud/aws';
import { awsRuntimeEnv, lambdaHandler } from '../../src/cloud/aws/lambda-entry';
import { RUNTIME_POLICY } from '../../src/cloud/aws/lambda-functions';
import { roleName } from '../../src/cloud/aws/names';
import { S3PackageStore } from '../../src/cloud/aws/s3-packages';
import { trustPolicy } from '../../src/cloud/aws/policies';
import { boundaryArn, WORKFLOW_TAG } from '../../src/cloud/aws/boundary';
import type { ExecutionEvent, FunctionSpec } from '../../src/cloud/ports';
import { RegionUnreachableError } from '../../src/cloud/ports';
import { UserError } from '../../src/model/errors';
import { MOTO_ACCOUNT, motoCloud, useMoto, type Moto } from './moto';

/** Each AWS adapter on its own against moto: pagination, idempotence, errors. */
describe('aws: adapters on moto', function () {
  let moto: Moto;
  let cloud: AwsCloud;

  before(async function () {
    moto = await useMoto(this);
    cloud = await motoCloud(moto);
  });
  after(async () => cloud?.close());

  describe('CloudWatch Logs', () => {
    const region = 'eu-west-1';
    const fn = 'logs_wf-1_0-reader_aws-eu-west-1';
    // relative to now: CloudWatch (and moto) reject events older than 14 days or over 2 h ahead
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

    before(async () => {
      const logs = cloud.context.client(CloudWatchLogsClient, region);
      await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/lambda/${fn}` }));
      // two streams (two containers) of 6,000 lines each, interleaved in time: 12,000 lines
      // are more than one FilterLogEvents page (10,000)
      for (const s of [0, 1]) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: `/aws/lambda/${fn}`, logStreamName: `stream-${s}` }));
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: `/aws/lambda/${fn}`,
            logStreamName: `stream-${s}`,
            logEvents: Array.from({ length: 6000 }, (_, i) => ({ timestamp: base + 2 * i + s, message: `line ${2 * i + s}\n` })),
          }),
        );
      }
    });

    it('reads every page, across streams, oldest first, start inclusive and end exclusive', async () => {
      const all = await cloud.logs.read(region, fn, base, base + 12_000);
      assert.equal(all.length, 12_000);
      assert.deepEqual(all.slice(0, 3), [
        { time: base, line: 'line 0' },
        { time: base + 1, line: 'line 1' },
        { time: base + 2, line: 'line 2' },
      ]);
      assert.ok(all.every((l, i) => l.time === base + i));
      const window = await cloud.logs.read(region, fn, base + 10, base + 20);
      assert.deepEqual(window.map((l) => l.time - base), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    });

    it('a function that never ran has no log group: no lines, no error', async () => {
      assert.deepEqual(await cloud.logs.read(region, 'never_ran-1_0-f_aws-eu-west-1', base, base + 1000), []);
    });
  });

  describe('Step Functions', () => {
    let arn: string;
    before(async () => {
      const role = await cloud.context
        .client(IAMClient, 'us-east-1')
        .send(new CreateRoleCommand({ RoleName: 'caribou-dev-states', AssumeRolePolicyDocument: JSON.stringify(trustPolicy('states.amazonaws.com')) }));
      const sm = await cloud.context.client(SFNClient, 'us-west-2').send(
        new CreateStateMachineCommand({ name: 'CaribouCycle', roleArn: role.Role!.Arn!, definition: JSON.stringify({ StartAt: 'Collect', States: { Collect: { Type: 'Pass', End: true } } }) }),
      );
      arn = sm.stateMachineArn!;
    });

    it('starts CaribouCycle by name and follows its history to the end', async () => {
      const id = await cloud.stateMachines.start('CaribouCycle', { force: true }, 'cycle-test-1');
      assert.match(id, /^arn:aws:states:us-west-2:123456789012:execution:CaribouCycle:cycle-test-1$/);
      const events: ExecutionEvent[] = [];
      const end = await cloud.stateMachines.follow(id, (e) => events.push(e));
      // moto serves a fixed sample history (it does not run the ASL): a Pass state, then success
      assert.deepEqual(
        events.map((e) => [e.type, e.state]),
        [
          ['StateEntered', 'A State'],
          ['StateExited', 'A State'],
          ['ExecutionSucceeded', undefined],
        ],
      );
      assert.equal(end.status, 'SUCCEEDED');
      assert.equal(end.output, 'An output');
      assert.equal(await cloud.stateMachines.resolve(arn), arn);
    });

    it('names what to do when the state machine is not deployed', async () => {
      await assert.rejects(cloud.stateMachines.start('NoSuchMachine', {}), (e: Error) => e instanceof UserError && /sls deploy/.test(e.message));
      await assert.rejects(cloud.stateMachines.start('CaribouCycle', {}, 'bad name!'), /not a valid execution name/);
    });
  });

  describe('S3 package store', () => {
    const region = 'eu-north-1';

    it('puts, gets, lists every page, deletes; absent keys and buckets are not errors', async () => {
      assert.equal(await cloud.packages.get(region, 'nothing/here'), undefined);
      assert.deepEqual(await cloud.packages.list(region, ''), []);
      await cloud.packages.put(region, 'workflows/a/1.js', Buffer.from('code'));
      assert.equal(Buffer.from((await cloud.packages.get(region, 'workflows/a/1.js'))!).toString(), 'code');
      // 40 keys read in pages of 7 (S3's pages hold 1,000; the paging code is the same)
      const keys = Array.from({ length: 40 }, (_, i) => `payloads/wf-1.0/run/${String(i).padStart(4, '0')}.json`);
      await Promise.all(keys.map((k) => cloud.packages.put(region, k, Buffer.from('{}'))));
      const paged = new S3PackageStore(cloud.context, true, 7);
      assert.deepEqual(await paged.list(region, 'payloads/'), keys);
      assert.deepEqual(await cloud.packages.list(region, 'payloads/wf-1.0/run/001'), keys.slice(10, 20));
      await cloud.packages.delete(region, 'workflows/a/1.js');
      await cloud.packages.delete(region, 'workflows/a/1.js');
      assert.equal(await cloud.packages.get(region, 'workflows/a/1.js'), undefined);
      assert.deepEqual(await cloud.packages.regions(), [region]);
      await cloud.packages.dropBucket(region);
      assert.deepEqual(await cloud.packages.regions(), []);
    });
  });

  describe('SNS messaging', () => {
    const region = 'ap-southeast-2';
    const fn = 'msg_wf-1_0-target_aws-ap-southeast-2';

    before(async () => {
      await cloud.packages.put(region, 'code/target.js', Buffer.from('exports.handler = async () => 1;'));
      await cloud.functions.deploy(spec(fn, region, 'code/target.js'));
    });

    it('creating a topic and subscribing are idempotent: one topic, one subscription, one permission', async () => {
      const a = await cloud.messaging.createTopic(region, `${fn}_messaging_topic`);
      const b = await cloud.messaging.createTopic(region, `${fn}_messaging_topic`);
      assert.equal(a, b);
      await cloud.messaging.subscribe(region, a, fn);
      await cloud.messaging.subscribe(region, a, fn);
      assert.equal((await cloud.messaging.subscriptions(region, a)).length, 1);
      assert.equal((await cloud.functions.resourcePolicy(region, fn)).length, 1);
      await cloud.messaging.publish(region, a, '{"ok":true}');
      await cloud.messaging.deleteTopic(region, a);
      await cloud.messaging.deleteTopic(region, a); // absent: no error
      assert.deepEqual(await cloud.messaging.listTopics(region), []);
    });

    it('refuses ids that are not valid names before they reach an ARN', async () => {
      await assert.rejects(cloud.messaging.createTopic(region, 'bad/topic'), UserError);
      await assert.rejects(cloud.messaging.createTopic('not-a-region', 'ok'), UserError);
    });

    it('publishing to an unreachable region raises RegionUnreachableError (the runtime then falls back to home)', async () => {
      const dead = await createAwsCloud({ endpoint: 'http://127.0.0.1:9', accountId: MOTO_ACCOUNT, maxAttempts: 1 });
      try {
        await assert.rejects(dead.messaging.publish(region, 'any_topic', 'x'), (e: Error) => e instanceof RegionUnreachableError && e.region === region);
      } finally {
        await dead.close();
      }
    });
  });

  describe('Lambda functions and roles', () => {
    const region = 'ca-central-1';
    const fn = 'fn_wf-2_0-worker_aws-ca-central-1';
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::my-data/*'] }] };

    before(async () => {
      await cloud.packages.put(region, 'code/worker.js', Buffer.from('exports.handler = async () => 2;'));
    });

    it('updates code, configuration and policies of an existing function in place', async () => {
      await cloud.functions.deploy({ ...spec(fn, region, 'code/worker.js'), policy: { aws: policy } });
      const before = (await cloud.functions.describe(region, fn))!;
      await cloud.packages.put(region, 'code/worker2.js', Buffer.from('exports.handler = async () => 3;'));
      await cloud.functions.deploy({ ...spec(fn, region, 'code/worker2.js'), memory: 512, environment: { MODE: 'two' } });
      const after = (await cloud.functions.describe(region, fn))!;
      assert.equal(after.MemorySize, 512);
      assert.equal(after.Environment?.Variables?.MODE, 'two');
      assert.notEqual(after.CodeSha256, before.CodeSha256);
      // the workflow policy is gone with the iam_policy; the runtime's stays
      assert.deepEqual(Object.keys((await cloud.functions.roles.inlinePolicies(roleName(fn)))!), [RUNTIME_POLICY]);
      assert.deepEqual(await cloud.functions.list(region), [fn]);
    });

    it('refuses a workflow policy granting every action on every resource, before creating anything', async () => {
      const other = 'fn_wf-2_0-greedy_aws-ca-central-1';
      const greedy = { aws: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
      await assert.rejects(cloud.functions.deploy({ ...spec(other, region, 'code/worker.js'), policy: greedy }), (e: Error) => e instanceof UserError && /every action on every resource/.test(e.message));
      assert.equal(await cloud.functions.roles.trust(roleName(other)), undefined);
      assert.equal(await cloud.functions.describe(region, other), undefined);
    });

    it('refuses a stored iam_policy naming Caribou\'s tables or IAM, on every deploy path, before creating anything', async () => {
      const other = 'fn_wf-2_0-sneaky_aws-ca-central-1';
      const sneaky = { aws: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: `arn:aws:dynamodb:us-west-2:${MOTO_ACCOUNT}:table/deployment_resources_table` }] } };
      await assert.rejects(cloud.functions.deploy({ ...spec(other, region, 'code/worker.js'), policy: sneaky }), (e: Error) => e instanceof UserError && /names Caribou's table deployment_resources_table/.test(e.message));
      assert.equal(await cloud.functions.roles.trust(roleName(other)), undefined);
    });

    it('gives a 64-character function a role name within IAM\'s limit, and removes it all', async () => {
      // 25-character workflow name, 5-character version, 15-character function: exactly 64
      const physical = 'long_workflow_name_abcdef-1_2_3-function_name15_aws-ca-central-1';
      assert.equal(physical.length, 64);
      assert.equal(roleName(physical).length, 64);
      assert.ok(physical.length <= 64);
      assert.ok(roleName(physical).length <= 64);
      await cloud.functions.deploy(spec(physical, region, 'code/worker.js'));
      assert.ok(await cloud.functions.isLive(region, physical));
      await cloud.functions.remove(region, physical);
      await cloud.functions.remove(region, physical); // absent: no error
      assert.equal(await cloud.functions.roles.trust(roleName(physical)), undefined);
      assert.equal(await cloud.functions.describe(region, physical), undefined);
    });

    it('every role deploy creates carries the workflow boundary and names its workflow; an older role gets them', async () => {
      await cloud.functions.deploy(spec(fn, region, 'code/worker.js'));
      const guards = await cloud.functions.roles.guards(roleName(fn));
      assert.equal(guards?.boundary, boundaryArn(MOTO_ACCOUNT));
      assert.equal(guards?.tags[WORKFLOW_TAG], 'fn_wf-2.0');
      assert.equal(guards?.tags['caribou:managed'], 'true');
      // a role made before the boundary existed (as by an older Caribou): the next deploy attaches it
      const old = 'fn_wf-2_0-older_aws-ca-central-1';
      await cloud.context.client(IAMClient, 'us-east-1').send(new CreateRoleCommand({ RoleName: roleName(old), AssumeRolePolicyDocument: JSON.stringify(trustPolicy('lambda.amazonaws.com')) }));
      assert.equal((await cloud.functions.roles.guards(roleName(old)))?.boundary, undefined);
      await cloud.functions.deploy(spec(old, region, 'code/worker.js'));
      const upgraded = await cloud.functions.roles.guards(roleName(old));
      assert.equal(upgraded?.boundary, boundaryArn(MOTO_ACCOUNT));
      assert.equal(upgraded?.tags[WORKFLOW_TAG], 'fn_wf-2.0');
      await cloud.functions.remove(region, old);
    });

    it('names the missing package instead of failing inside Lambda', async () => {
      await assert.rejects(cloud.functions.deploy(spec('fn_wf-2_0-nocode_aws-ca-central-1', region, 'code/none.js')), /code package code\/none\.js .* no Caribou bucket/);
    });
  });

  describe('Lambda entry (the handler around the runtime)', () => {
    const region = 'eu-west-3';
    const saved = { ...process.env };
    after(() => {
      process.env = saved;
    });

    it('builds the runtime env from the AWS adapters and hands each SNS message to the runtime', async () => {
      process.env.AWS_REGION = region;
      process.env.CARIBOU_AWS_ENDPOINT = moto.endpoint;
      const seen: string[] = [];
      const handler = lambdaHandler({
        handle: async (env, message) => {
          seen.push(message);
          // the env's adapters are real: write through DynamoDB, S3 and SNS on moto
          await env.tables.ensureTable(env.region, 'entry_test_table');
          await env.tables.put(env.region, 'entry_test_table', message, { region: env.region });
          return { outcome: 'executed' };
        },
      });
      const record = (m: string) => ({ EventSource: 'aws:sns', Sns: { Message: m, TopicArn: `arn:aws:sns:${region}:${MOTO_ACCOUNT}:t`, MessageId: m } });
      await handler({ Records: [record('m1'), record('m2')] }, { invokedFunctionArn: `arn:aws:lambda:${region}:${MOTO_ACCOUNT}:function:x` });
      assert.deepEqual(seen, ['m1', 'm2']);
      const env = awsRuntimeEnv(region, MOTO_ACCOUNT, moto.endpoint);
      assert.deepEqual(await env.tables.get(region, 'entry_test_table', 'm2'), { region });
      await assert.rejects(handler({ Records: [{ nope: 1 }] }, { invokedFunctionArn: `arn:aws:lambda:${region}:${MOTO_ACCOUNT}:function:x` }), /SNS event is invalid/);
    });

    it('drops a message that is not an envelope, and rethrows other errors so Lambda retries', async () => {
      process.env.AWS_REGION = region;
      const ctx = { invokedFunctionArn: `arn:aws:lambda:${region}:${MOTO_ACCOUNT}:function:x` };
      const event = { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'junk', TopicArn: 't', MessageId: 'id' } }] };
      const bad = Object.assign(new Error('not an envelope'), { name: 'EnvelopeError' });
      const out: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
      try {
        await lambdaHandler({ handle: async () => Promise.reject(bad) })(event, ctx);
      } finally {
        process.stdout.write = write;
      }
      assert.match(out.join(''), /BAD_MESSAGE/);
      await assert.rejects(lambdaHandler({ handle: async () => Promise.reject(new Error('throttled')) })(event, ctx), /throttled/);
    });
  });
});

function spec(name: string, region: string, packageKey: string): FunctionSpec {
  return { name, region, packageKey, handler: 'index.handler', memory: 256, timeout: 30, architecture: 'x86_64', environment: {} };
}
