import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { toExecutionEvent } from '../../src/cloud/aws/step-functions';
import { bucketName, bucketRegion, parsePhysicalName, roleName, topicArn } from '../../src/cloud/aws/names';
import { assertNoWildcardGrant, runtimePolicy, topicPolicy, wildcardGrants, workflowPolicy, type PolicyDocument } from '../../src/cloud/aws/policies';
import { isZip, zip } from '../../src/cloud/aws/zip';
import { MIGRATE_ACTIONS, operatorPolicy } from '../../src/cloud/aws/permissions';
import YAML from 'yaml';
import { awsError, neverReached } from '../../src/cloud/aws/errors';
import { AwsContext } from '../../src/cloud/aws/context';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { UserError } from '../../src/model/errors';
import { physicalFunctionName } from '../../src/model/primitives';

/** Reads a zip the way an unzipper does: end record → central directory → local entries. */
function unzip(buf: Buffer): Array<{ name: string; data: Buffer; mode: number }> {
  const eocd = buf.length - 22;
  assert.equal(buf.readUInt32LE(eocd), 0x06054b50);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const crc = buf.readUInt32LE(p + 16);
    const packed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const mode = buf.readUInt32LE(p + 38) >>> 16;
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString();
    assert.equal(buf.readUInt32LE(local), 0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = inflateRawSync(buf.subarray(start, start + packed));
    assert.equal(crc32(data) >>> 0, crc, `crc of ${name}`);
    out.push({ name, data, mode });
    p += 46 + nameLen;
  }
  return out;
}

const account = '123456789012';

describe('aws: names, policies, zip (no emulator)', () => {
  it('parses physical names back to their workflow id, and rejects anything else', () => {
    const p = parsePhysicalName(physicalFunctionName('map_reduce', '0.0.1', 'mapper', 'eu-west-1'));
    assert.deepEqual(p, { workflowName: 'map_reduce', version: '0.0.1', functionName: 'mapper', region: 'eu-west-1', workflowId: 'map_reduce-0.0.1', prefix: 'map_reduce-0_0_1-' });
    for (const bad of ['x', 'a-1-b_aws-nowhere', 'a-1-b*_aws-us-east-1', 'a/b-1-c_aws-us-east-1', `${'a'.repeat(25)}-1_2_3-${'f'.repeat(20)}_aws-us-east-1`]) {
      assert.throws(() => parsePhysicalName(bad), UserError, bad);
    }
  });

  it('role names stay within 64 characters, distinct and stable', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_]{1,25}$/),
        fc.stringMatching(/^[0-9]{1,3}(\.[0-9]{1,2}){0,2}$/),
        fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/),
        fc.constantFrom('us-east-1', 'ap-southeast-2', 'ca-central-1'),
        (w, v, f, r) => {
          const physical = physicalFunctionName(w, v, f, r);
          fc.pre(physical.length <= 64);
          const role = roleName(physical);
          assert.ok(role.length <= 64);
          assert.equal(role, roleName(physical));
          assert.ok(/^[\w+=,.@-]+$/.test(role));
        },
      ),
      { seed: 3, numRuns: 300 },
    );
    const a = 'long_workflow_name_abcdef-1_2_3-function_name15_aws-ca-central-1';
    const b = 'long_workflow_name_abcdef-1_2_3-function_name16_aws-ca-central-1';
    assert.notEqual(roleName(a), roleName(b));
  });

  it('topic ARNs, bucket names: validated parts only', () => {
    assert.equal(topicArn('us-east-1', account, 'wf-1-f_aws-us-east-1_messaging_topic'), `arn:aws:sns:us-east-1:${account}:wf-1-f_aws-us-east-1_messaging_topic`);
    assert.throws(() => topicArn('us-east-1', account, 'a:b'), UserError);
    assert.throws(() => topicArn('us-east-1', account, 'arn:aws:lambda:us-east-1:1:function:x'), UserError);
    assert.equal(bucketName(account, 'eu-west-1'), `caribou-${account}-eu-west-1`);
    assert.equal(bucketRegion(account, `caribou-${account}-eu-west-1`), 'eu-west-1');
    assert.equal(bucketRegion(account, 'someone-elses-bucket'), undefined);
    assert.throws(() => bucketName(account, 'EU'), UserError);
  });

  it('finds a wildcard action on a wildcard resource in any spelling', () => {
    const doc = (s: object): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...s }] }) as PolicyDocument;
    assert.equal(wildcardGrants(doc({ Action: '*', Resource: '*' })).length, 1);
    assert.equal(wildcardGrants(doc({ Action: ['s3:GetObject', '*:*'], Resource: ['arn:x', '*'] })).length, 1);
    assert.equal(wildcardGrants(doc({ NotAction: 'iam:*', Resource: '*' })).length, 1);
    assert.equal(wildcardGrants(doc({ Action: '*', Resource: 'arn:aws:s3:::b/*' })).length, 0);
    assert.equal(wildcardGrants(doc({ Action: 's3:*', Resource: '*' })).length, 0);
    assert.equal(wildcardGrants({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }).length, 0);
    assert.throws(() => assertNoWildcardGrant(doc({ Action: '*', Resource: '*' }), 'p'), /every action on every resource/);
  });

  it('reads the iam_policy in both layouts and explains a malformed one', () => {
    const d = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
    const physical = 'wf-1-f_aws-us-east-1';
    assert.deepEqual(workflowPolicy(d, physical), d);
    assert.deepEqual(workflowPolicy({ aws: d }, physical), d);
    assert.equal(workflowPolicy(undefined, physical), undefined);
    assert.throws(() => workflowPolicy({ aws: { Statement: 'x' } }, physical), /iam_policy of wf-1-f_aws-us-east-1 is invalid/);
  });

  it('generated policies: scoped to the account and the workflow, never a wildcard grant', () => {
    const physical = physicalFunctionName('wf', '1.2', 'f', 'eu-west-1');
    const rt = runtimePolicy(physical, account);
    assert.deepEqual(wildcardGrants(rt), []);
    for (const s of rt.Statement) {
      for (const r of [s.Resource ?? []].flat()) assert.ok(r.includes(account) && r !== '*', r);
      for (const a of [s.Action ?? []].flat()) assert.ok(!a.endsWith(':*') && a !== '*', a);
    }
    const tp = topicPolicy(`arn:aws:sns:eu-west-1:${account}:t`, account);
    assert.deepEqual(tp.Statement.map((s) => s.Principal), [{ AWS: `arn:aws:iam::${account}:root` }]);
  });

  it('zips a bundle into an archive an unzipper reads back byte for byte, identical across builds', () => {
    const js = Buffer.from('exports.handler = async () => "ü";\n'.repeat(100));
    const a = zip([{ name: 'index.js', data: js }, { name: 'lib/other.js', data: Buffer.from('') }]);
    assert.ok(isZip(a));
    assert.ok(!isZip(js));
    const files = unzip(a);
    assert.deepEqual(files.map((f) => f.name), ['index.js', 'lib/other.js']);
    assert.deepEqual(files[0].data, js);
    assert.equal(files[0].mode, 0o100644);
    assert.deepEqual(zip([{ name: 'index.js', data: js }, { name: 'lib/other.js', data: Buffer.from('') }]), a);
  });

  it('maps Step Functions history events to the port\'s events', () => {
    const t = new Date(0);
    assert.deepEqual(toExecutionEvent({ id: 1, timestamp: t, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Decide' } }), { time: 0, type: 'StateEntered', state: 'Decide' });
    assert.deepEqual(toExecutionEvent({ id: 2, timestamp: t, type: 'MapIterationStarted', mapIterationStartedEventDetails: { name: 'Batches', index: 3 } }), {
      time: 0,
      type: 'MapIterationStarted',
      state: 'Batches',
      index: 3,
    });
    assert.deepEqual(toExecutionEvent({ id: 3, timestamp: t, type: 'TaskFailed', taskFailedEventDetails: { resource: 'r', resourceType: 'lambda', error: 'E', cause: 'why' } }), {
      time: 0,
      type: 'TaskFailed',
      state: undefined,
      detail: 'E: why',
    });
    // with the history before it: the failed task's state, and what a Map iteration is about
    const history = [
      { id: 10, timestamp: t, type: 'MapStateEntered', stateEnteredEventDetails: { name: 'EvaluateBatches', input: JSON.stringify({ workflow_id: 'wf-1.0', round: 2, batches: [1, 2, 3] }) } },
      { id: 11, previousEventId: 10, timestamp: t, type: 'MapStateStarted' },
      { id: 12, previousEventId: 11, timestamp: t, type: 'MapIterationStarted', mapIterationStartedEventDetails: { name: 'EvaluateBatches', index: 1 } },
      { id: 13, previousEventId: 12, timestamp: t, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'EvaluateBatch' } },
      { id: 14, previousEventId: 13, timestamp: t, type: 'TaskScheduled' },
      { id: 15, previousEventId: 14, timestamp: t, type: 'TaskFailed', taskFailedEventDetails: { error: 'Lambda.Unknown' } },
    ] as const;
    const byId = new Map(history.map((e) => [e.id, e as never]));
    assert.deepEqual(toExecutionEvent(history[2] as never, byId), { time: 0, type: 'MapIterationStarted', state: 'EvaluateBatches', index: 1, detail: '{"total":3,"workflow_id":"wf-1.0","round":2}' });
    assert.deepEqual(toExecutionEvent(history[5] as never, byId), { time: 0, type: 'TaskFailed', state: 'EvaluateBatch', detail: 'Lambda.Unknown' });
    assert.equal(toExecutionEvent({ id: 4, timestamp: t, type: 'TaskScheduled' }), undefined);
  });

  it('AWS errors name the action, the resource and what to do', () => {
    const denied = awsError(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }), 'create function', 'f in us-east-1');
    assert.ok(denied instanceof UserError);
    assert.match(denied.message, /^could not create function f in us-east-1: AccessDeniedException: User is not authorized\n.*docs\/aws\.md/);
    const creds = awsError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'list', 'topics');
    assert.match(creds.message, /AWS_PROFILE/);
    const other = awsError(Object.assign(new Error('boom'), { name: 'InternalFailure' }), 'delete topic', 't');
    assert.ok(!(other instanceof UserError));
    assert.equal(other.name, 'InternalFailure');
  });
  it('the operator policy names Caribou\'s resources; only listing actions use "*"', () => {
    const p = operatorPolicy(account);
    assert.deepEqual(wildcardGrants(p), []);
    for (const st of p.Statement) {
      const resources = [st.Resource ?? []].flat();
      if (resources.includes('*')) assert.ok([st.Action].flat().every((a) => /:(List|Describe)/.test(a!)), st.Sid);
      else assert.ok(resources.every((r) => r.includes(account)), st.Sid);
    }
  });
  it('docs/aws-operator-policy.json is the operator policy the code describes', () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '../../docs/aws-operator-policy.json'), 'utf8'));
    assert.deepEqual(doc, operatorPolicy('<ACCOUNT_ID>'), 'regenerate it: npx tsx -e "console.log(JSON.stringify(require(\'./src/cloud/aws/permissions\').operatorPolicy(\'<ACCOUNT_ID>\'), null, 2))" > docs/aws-operator-policy.json');
  });
  it('the control plane\'s migrate role (serverless.yml) grants every call deploying or removing a function makes', () => {
    const sls = YAML.parse(readFileSync(join(__dirname, '../../serverless.yml'), 'utf8'), { maxAliasCount: -1 }) as {
      resources: { Resources: Record<string, { Properties: { Policies?: Array<{ PolicyDocument: PolicyDocument }> } }> };
    };
    const role = sls.resources.Resources.MigrateRole;
    assert.ok(role, 'serverless.yml defines MigrateRole');
    const granted = new Set((role.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement.filter((st) => st.Effect === 'Allow').flatMap((st) => [st.Action ?? []].flat())));
    assert.deepEqual(MIGRATE_ACTIONS.filter((a) => !granted.has(a)), []);
  });
  it('without credentials, the first call says how to provide them', async () => {
    const saved = { ...process.env };
    for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) delete process.env[k];
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' });
    const ctx = new AwsContext({ accountId: account });
    try {
      await assert.rejects(ctx.client(SNSClient, 'us-east-1').send(new ListTopicsCommand({})), (e: Error) => e instanceof UserError && /no AWS credentials were found.*AWS_PROFILE/.test(e.message));
    } finally {
      ctx.close();
      process.env = saved;
    }
  });
  it('no role of the control plane (serverless.yml) grants every action on every resource', () => {
    const sls = YAML.parse(readFileSync(join(__dirname, '../../serverless.yml'), 'utf8'), { maxAliasCount: -1 }) as {
      resources: { Resources: Record<string, { Type: string; Properties: { Policies?: Array<{ PolicyDocument: PolicyDocument }> } }> };
    };
    const roles = Object.entries(sls.resources.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    assert.ok(roles.length > 0);
    for (const [name, role] of roles) for (const p of role.Properties.Policies ?? []) assert.deepEqual(wildcardGrants(p.PolicyDocument), [], name);
  });
});

describe('aws: when a publish may fall back to home', () => {
  it('only errors that prove the request was not accepted count as an unreachable region', () => {
    const sys = (code: string) => Object.assign(new Error(code), { code });
    const aws = (name: string) => Object.assign(new Error(name), { name });
    for (const e of [sys('ECONNREFUSED'), sys('ENOTFOUND'), sys('EAI_AGAIN'), sys('EHOSTUNREACH'), aws('UnrecognizedClientException')]) assert.ok(neverReached(e), e.message);
    // the message may have been accepted: republishing it home would run the successor twice
    for (const e of [sys('ETIMEDOUT'), sys('ECONNRESET'), aws('TimeoutError'), aws('RequestTimeout'), aws('InternalError')]) assert.ok(!neverReached(e), e.message);
  });
});
