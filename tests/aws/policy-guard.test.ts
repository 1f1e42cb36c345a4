import { strict as assert } from 'node:assert';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { checkIamPolicyFile, checkWorkflowPolicy, policyFindings, serviceWideResource } from '../../src/cloud/aws/policy-guard';
import type { PolicyDocument } from '../../src/cloud/aws/policies';
import { openLocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { UserError } from '../../src/model/errors';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { example, tempDir } from '../local/helpers';
import { runCli, runCliCode } from '../support/cli';
import { policyPlan, type PolicyPlan } from '../../src/deploy/policy-plan';
import { functionRolePlan } from '../../src/cloud/aws/policies';
import { boundaryPolicy } from '../../src/cloud/aws/boundary';

const ROOT = join(__dirname, '..', '..');
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });

/** The check of a workflow's own iam_policy.json: what the user's code needs beyond the runtime, named. */
describe('aws: the iam_policy guard', () => {
  it('refuses every service-wide grant the old wildcard check let through, naming the statement', () => {
    const refused: Array<[PolicyDocument['Statement'][number], RegExp]> = [
      [{ Effect: 'Allow', Action: '*', Resource: 'arn:*' }, /every action of every service/],
      [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, /every action of iam/],
      [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::my-data/*' }, /every action of s3/],
      [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:*:*:*' }, /every resource of its service/],
      [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }, /every resource/],
      [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/*' }, /every resource/],
      [{ Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:*:*:*' }, /every resource/],
      [{ Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: 'arn:aws:s3:::my-data/*' }, /NotAction/],
      [{ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' }, /NotResource/],
    ];
    for (const [s, why] of refused) {
      const d = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::ok/*' }, { ...s, Sid: 'Greedy' });
      assert.throws(() => checkWorkflowPolicy(d, 'the iam_policy of w'), (e: Error) => e instanceof UserError && /statement 1 \(Sid Greedy\)/.test(e.message) && why.test(e.message), JSON.stringify(s));
    }
  });

  it('refuses grants on Caribou\'s own resources and on IAM even with the opt-in', () => {
    for (const s of [
      { Effect: 'Allow' as const, Action: 'dynamodb:PutItem', Resource: `arn:aws:dynamodb:${SYSTEM_REGION}:123456789012:table/${TABLES.deploymentResources}` },
      { Effect: 'Allow' as const, Action: 'dynamodb:PutItem', Resource: `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLES.syncMessages}` },
      { Effect: 'Allow' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::caribou-123456789012-us-east-1/workflows/other-0.0.1/x.js' },
      { Effect: 'Allow' as const, Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:123456789012:other-0_0_1-f_aws-us-east-1_messaging_topic' },
      { Effect: 'Allow' as const, Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/x' },
    ]) {
      assert.throws(() => checkWorkflowPolicy(doc(s), 'p', { allowServiceWide: true }), UserError, JSON.stringify(s));
    }
  });

  it('admits named grants, Deny statements, and with the opt-in returns the service-wide ones as warnings', () => {
    const named = doc(
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::my-data/inputs/*' },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders' },
      { Effect: 'Deny', Action: '*', Resource: '*' },
    );
    assert.deepEqual(checkWorkflowPolicy(named, 'p'), []);
    const wide = doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::my-data/*' });
    assert.throws(() => checkWorkflowPolicy(wide, 'p'), /--allow-service-wide-grants/);
    assert.equal(checkWorkflowPolicy(wide, 'p', { allowServiceWide: true }).length, 1);
    assert.equal(serviceWideResource('arn:aws:s3:::my-data/*'), false);
    assert.equal(serviceWideResource('arn:aws:lambda:us-east-1:1:function:*'), true);
  });

  it('the scaffold and every example ship an iam_policy.json without wildcards', () => {
    const files = [join(ROOT, 'src/deploy/template/.caribou/iam_policy.json.template')];
    for (const d of readdirSync(join(ROOT, 'examples'))) files.push(join(ROOT, 'examples', d, '.caribou', 'iam_policy.json'));
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      assert.ok(!text.includes('*'), `${f} holds a wildcard`);
      assert.deepEqual(checkIamPolicyFile(JSON.parse(text), f), [], f);
    }
  });

  it('the old scaffold policy is refused, each of its statements named', () => {
    const old = {
      aws: doc(
        { Action: ['logs:CreateLogGroup'], Resource: 'arn:aws:logs:*:*:*', Effect: 'Allow' },
        { Action: ['sns:Publish'], Resource: 'arn:aws:sns:*:*:*', Effect: 'Allow' },
        { Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: 'arn:aws:dynamodb:*:*:*', Effect: 'Allow' },
        { Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::*', Effect: 'Allow' },
      ),
    };
    assert.equal(policyFindings(old.aws).length, 4);
    assert.throws(() => checkIamPolicyFile(old, 'x/.caribou/iam_policy.json'), (e: Error) => [0, 1, 2, 3].every((i) => e.message.includes(`statement ${i} `)));
  });

  it('deploy refuses a service-wide iam_policy before creating anything; the opt-in deploys it with a warning', async () => {
    const tmp = tempDir();
    const cloud = await openLocalCloud({ home: tmp.dir });
    try {
      const project = await loadWorkflowProject(example('small_sync_example'));
      const greedy = { ...project, iamPolicy: { aws: doc({ Sid: 'AllTables', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:*:*:*' }) } };
      await assert.rejects(deployWorkflow(cloud, greedy), (e: Error) => e instanceof UserError && /Sid AllTables\) applies to every resource/.test(e.message));
      assert.equal(await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, project.config.workflow_id), undefined, 'nothing was recorded');
      const warnings: string[] = [];
      assert.equal(await deployWorkflow(cloud, greedy, { allowServiceWideGrants: true, warn: (m) => warnings.push(m) }), project.config.workflow_id);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /^WARNING: --allow-service-wide-grants: .*Sid AllTables/);
    } finally {
      await cloud.close();
      tmp.cleanup();
    }
  });

  it('`caribou inspect --policy --json` prints the documents deploy attaches: runtime part, user part, boundary', async () => {
    const dir = example('small_sync_example');
    const { out } = await runCli(['inspect', '--workflow-dir', dir, '--policy', '--json', '--account', '123456789012']);
    const plan = JSON.parse(out) as PolicyPlan;
    const project = await loadWorkflowProject(dir);
    assert.deepEqual(plan, JSON.parse(JSON.stringify(policyPlan(project, '123456789012'))));
    assert.equal(plan.functions.length, project.config.functions.length);
    for (const f of plan.functions) {
      assert.deepEqual(f.policies, functionRolePlan(f.physical_name, '123456789012', project.iamPolicy).policies);
      assert.equal(f.permissionsBoundary, 'arn:aws:iam::123456789012:policy/caribou-workflow-boundary');
      assert.equal(f.tags['caribou:workflow'], project.config.workflow_id);
    }
    assert.deepEqual(plan.boundary.document, boundaryPolicy('123456789012'));
    // a user part appears when the iam_policy has statements; the words name every document
    const withUser = { ...project, iamPolicy: { aws: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-data/*' }) } };
    assert.deepEqual(Object.keys(policyPlan(withUser).functions[0].policies), ['caribou-runtime', 'caribou-workflow']);
    const { out: words } = await runCli(['inspect', '--workflow-dir', dir, '--policy']);
    assert.match(words, /inline policy caribou-runtime/);
    assert.match(words, /permissions boundary caribou-workflow-boundary \(arn:aws:iam::[^:]*:policy\/caribou-workflow-boundary\)/);
  });

  it('`caribou deploy` exits 1 naming the statement; with --allow-service-wide-grants it deploys and warns', async () => {
    const tmp = tempDir('caribou-guard-');
    const saved = process.env.CARIBOU_HOME;
    try {
      process.env.CARIBOU_HOME = join(tmp.dir, 'home');
      // two levels below the repository, as an example is, so its `../../sdk` import resolves (/tmp/ is git-ignored)
      const dir = join(ROOT, 'tmp', `guard-${process.pid}`);
      cpSync(example('small_sync_example'), dir, { recursive: true, filter: (f) => !f.includes(`${sep}.caribou${sep}local`) });
      const greedy = { aws: doc({ Sid: 'AnyBucket', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }) };
      writeFileSync(join(dir, '.caribou', 'iam_policy.json'), JSON.stringify(greedy));
      const refused = await runCliCode(['deploy', '--workflow-dir', dir]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /statement 0 \(Sid AnyBucket\) applies to every resource of its service \("arn:aws:s3:::\*"\)/);
      assert.match(refused.stderr, /--allow-service-wide-grants/);
      const admitted = await runCliCode(['deploy', '--workflow-dir', dir, '--allow-service-wide-grants']);
      assert.equal(admitted.code, 0, admitted.stderr);
      assert.match(admitted.stderr, /WARNING: --allow-service-wide-grants: .*Sid AnyBucket/);
    } finally {
      if (saved === undefined) delete process.env.CARIBOU_HOME;
      else process.env.CARIBOU_HOME = saved;
      rmSync(join(ROOT, 'tmp', `guard-${process.pid}`), { recursive: true, force: true });
      tmp.cleanup();
    }
  });
});
