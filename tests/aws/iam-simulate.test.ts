import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import YAML from 'yaml';
import { boundaryArn, boundaryPolicy, boundaryResource, WORKFLOW_TAG } from '../../src/cloud/aws/boundary';
import { runtimePolicy, type PolicyDocument } from '../../src/cloud/aws/policies';
import { roleName } from '../../src/cloud/aws/names';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';

/**
 * The generated policies evaluated offline by an IAM policy simulator
 * (@cloud-copilot/iam-simulate): identity policies, the permissions boundary, conditions and
 * policy variables as IAM evaluates them. Each question a hostile workflow would ask is
 * denied; each call the runtime makes is allowed (so the policies are not simply empty).
 */

const ACCOUNT = '123456789012';
const A = 'wfa-0_0_1-f_aws-us-east-1';
const A_ID = 'wfa-0.0.1';
const B = 'wfb-0_0_1-g_aws-eu-west-1';
const B_ID = 'wfb-0.0.1';
const BUCKET = `caribou-${ACCOUNT}-us-east-1`;
const table = (t: string, region = SYSTEM_REGION) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${t}`;
const JOIN = table(TABLES.syncMessages, 'us-east-1');

type Result = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

interface Ask {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** What IAM decides for a principal with these identity policies and boundary. */
async function decide(principal: string, identity: PolicyDocument[], ask: Ask, boundary?: PolicyDocument, tags: Record<string, string> = {}): Promise<Result> {
  const context: Record<string, string | string[]> = { ...ask.context };
  for (const [k, v] of Object.entries(tags)) context[`aws:PrincipalTag/${k}`] = v;
  const r = await runSimulation(
    {
      request: { principal, action: ask.action, resource: { resource: ask.resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
    },
    {},
  );
  if (r.resultType === 'error') throw new Error(`the simulator refused the request ${JSON.stringify(ask)}: ${JSON.stringify(r.errors)}`);
  return r.overallResult as Result;
}

/** A workflow function's role as deploy creates it: runtime part, user part, the boundary, the workflow tag. */
function workflowRole(physical: string, workflowId: string, user?: PolicyDocument) {
  const principal = `arn:aws:iam::${ACCOUNT}:role/${roleName(physical)}`;
  const identity = [runtimePolicy(physical, ACCOUNT), ...(user ? [user] : [])];
  return (ask: Ask) => decide(principal, identity, ask, boundaryPolicy(ACCOUNT), { [WORKFLOW_TAG]: workflowId });
}

/** A record rewritten by an attacker (or a deploy with every guard bypassed): the user part grants everything. */
const EVERYTHING: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

describe('aws: generated policies under an IAM simulator', function () {
  this.timeout(60_000);

  const hostile: Array<[string, Ask]> = [
    ['write deployment_resources_table (to stage a policy for itself)', { action: 'dynamodb:PutItem', resource: table(TABLES.deploymentResources), context: { 'dynamodb:LeadingKeys': [B_ID] } }],
    ['stage a plan in the solver staging table', { action: 'dynamodb:PutItem', resource: table(TABLES.solverStagingArea), context: { 'dynamodb:LeadingKeys': [A_ID] } }],
    ['overwrite its own placement decision', { action: 'dynamodb:PutItem', resource: table(TABLES.workflowPlacementDecision), context: { 'dynamodb:LeadingKeys': [A_ID] } }],
    ["read workflow B's code", { action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/workflows/${B_ID}/0123456789abcdef.js` }],
    ["overwrite workflow B's code", { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/workflows/${B_ID}/0123456789abcdef.js` }],
    ["read the solver's objects", { action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/solves/${B_ID}@x/input.json` }],
    ["write workflow B's join item", { action: 'dynamodb:PutItem', resource: JOIN, context: { 'dynamodb:LeadingKeys': [`${B_ID}/join:2:run1`] } }],
    ["claim workflow B's instance", { action: 'dynamodb:UpdateItem', resource: JOIN, context: { 'dynamodb:LeadingKeys': [`${B_ID}/entry:0:run1`] } }],
    ['scan the join table', { action: 'dynamodb:Scan', resource: JOIN }],
    ['create a role', { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/x_aws-us-east-1-role` }],
    ['put a policy on its own role', { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/${roleName(A)}` }],
    ["update workflow B's function code", { action: 'lambda:UpdateFunctionCode', resource: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${B}` }],
    ["change workflow B's topic", { action: 'sns:SetTopicAttributes', resource: `arn:aws:sns:eu-west-1:${ACCOUNT}:${B}_messaging_topic` }],
    ['start the CaribouCycle', { action: 'states:StartExecution', resource: `arn:aws:states:${SYSTEM_REGION}:${ACCOUNT}:stateMachine:CaribouCycle` }],
    ["read the operator's secrets", { action: 'ssm:GetParameter', resource: `arn:aws:ssm:${SYSTEM_REGION}:${ACCOUNT}:parameter/caribou/electricity-maps-token` }],
  ];

  for (const [what, ask] of hostile) {
    it(`workflow A may not ${what}, not even with a user policy granting everything`, async () => {
      assert.notEqual(await workflowRole(A, A_ID)(ask), 'Allowed', 'runtime policy alone');
      assert.notEqual(await workflowRole(A, A_ID, EVERYTHING)(ask), 'Allowed', 'the boundary holds');
      // and it is the boundary that holds: without it, the stored grant would allow the call
      assert.equal(await decide(`arn:aws:iam::${ACCOUNT}:role/${roleName(A)}`, [EVERYTHING], ask), 'Allowed');
    });
  }

  it("only its own identity policy keeps A from B's topics and payloads (the guard refuses user grants on them)", async () => {
    const a = workflowRole(A, A_ID);
    assert.notEqual(await a({ action: 'sns:Publish', resource: `arn:aws:sns:eu-west-1:${ACCOUNT}:${B}_messaging_topic` }), 'Allowed');
    assert.notEqual(await a({ action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/payloads/${B_ID}/run1/t.json` }), 'Allowed');
    assert.notEqual(await a({ action: 'dynamodb:GetItem', resource: table(TABLES.workflowPlacementDecision), context: { 'dynamodb:LeadingKeys': [B_ID] } }), 'Allowed');
  });

  it('the runtime may make every call it makes', async () => {
    const a = workflowRole(A, A_ID);
    const own = (key: string) => ({ 'dynamodb:LeadingKeys': [`${A_ID}/${key}`] });
    const legit: Ask[] = [
      { action: 'dynamodb:UpdateItem', resource: JOIN, context: own('join:2:run1') },
      { action: 'dynamodb:UpdateItem', resource: table(TABLES.syncMessages, 'eu-west-1'), context: own('entry:0:run1') },
      { action: 'dynamodb:GetItem', resource: JOIN, context: own('join:2:run1') },
      { action: 'dynamodb:PutItem', resource: JOIN, context: own('run:run1') },
      { action: 'dynamodb:GetItem', resource: table(TABLES.workflowPlacementDecision), context: { 'dynamodb:LeadingKeys': [A_ID] } },
      { action: 'sns:Publish', resource: `arn:aws:sns:eu-west-1:${ACCOUNT}:wfa-0_0_1-g_aws-eu-west-1_messaging_topic` },
      { action: 's3:PutObject', resource: `arn:aws:s3:::caribou-${ACCOUNT}-eu-west-1/payloads/${A_ID}/run1/join-0.json` },
      { action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/payloads/${A_ID}/run1/join-0.json` },
      { action: 'logs:PutLogEvents', resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/${A}:log-stream:x` },
    ];
    for (const ask of legit) assert.equal(await a(ask), 'Allowed', JSON.stringify(ask));
  });

  it("a user part naming the workflow's own resources stays within the boundary", async () => {
    const user: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::my-data/*'] }] };
    assert.equal(await workflowRole(A, A_ID, user)({ action: 's3:GetObject', resource: 'arn:aws:s3:::my-data/in.csv' }), 'Allowed');
  });

  it("the control plane's CaribouWorkflowBoundary (serverless.yml) is the boundary the code generates", () => {
    const sls = YAML.parse(readFileSync(join(__dirname, '../../serverless.yml'), 'utf8'), { maxAliasCount: -1 }) as { resources: { Resources: Record<string, unknown> } };
    assert.deepEqual(sls.resources.Resources.CaribouWorkflowBoundary, boundaryResource(), 'regenerate it from src/cloud/aws/boundary.ts boundaryResource()');
  });

  describe('the control plane roles (serverless.yml)', () => {
    const roles = controlPlaneRoles();
    const principal = (r: string) => `arn:aws:iam::${ACCOUNT}:role/${r}`;
    const can = (role: string, ask: Ask) => decide(principal(role), roles[role], ask);
    const workflowRoleArn = `arn:aws:iam::${ACCOUNT}:role/${roleName(A)}`;

    it('the migrate role may create or change a role only with the workflow boundary attached', async () => {
      for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary']) {
        assert.notEqual(await can('MigrateRole', { action, resource: workflowRoleArn }), 'Allowed', `${action} without a boundary`);
        assert.notEqual(await can('MigrateRole', { action, resource: workflowRoleArn, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/weaker` } }), 'Allowed', `${action} with another boundary`);
        assert.equal(await can('MigrateRole', { action, resource: workflowRoleArn, context: { 'iam:PermissionsBoundary': boundaryArn(ACCOUNT) } }), 'Allowed', `${action} with the boundary`);
      }
      for (const action of ['iam:DeleteRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:CreatePolicyVersion', 'iam:CreatePolicy']) {
        const resource = action.includes('Polic') && !action.includes('Role') ? boundaryArn(ACCOUNT) : workflowRoleArn;
        assert.notEqual(await can('MigrateRole', { action, resource, context: { 'iam:PermissionsBoundary': boundaryArn(ACCOUNT) } }), 'Allowed', action);
      }
      assert.equal(await can('MigrateRole', { action: 'iam:PassRole', resource: workflowRoleArn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }), 'Allowed');
      assert.notEqual(await can('MigrateRole', { action: 'iam:PassRole', resource: principal('MigrateRole'), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }), 'Allowed', 'pass a control-plane role');
    });

    it('no other control-plane role touches IAM; each writes only the tables it owns', async () => {
      for (const role of Object.keys(roles).filter((r) => r !== 'MigrateRole')) {
        assert.notEqual(await can(role, { action: 'iam:CreateRole', resource: workflowRoleArn }), 'Allowed', role);
        assert.notEqual(await can(role, { action: 'iam:PassRole', resource: workflowRoleArn }), 'Allowed', role);
        assert.notEqual(await can(role, { action: 'dynamodb:PutItem', resource: table(TABLES.deploymentResources) }), 'Allowed', role);
        assert.notEqual(await can(role, { action: 'ssm:GetParameter', resource: `arn:aws:ssm:${SYSTEM_REGION}:${ACCOUNT}:parameter/caribou/x` }), role === 'CollectCarbonRole' ? 'ImplicitlyDenied' : 'Allowed', role);
      }
      assert.equal(await can('CollectCarbonRole', { action: 'ssm:GetParameter', resource: `arn:aws:ssm:${SYSTEM_REGION}:${ACCOUNT}:parameter/caribou/electricity-maps-token` }), 'Allowed');
      assert.notEqual(await can('CollectCarbonRole', { action: 'ssm:GetParameter', resource: `arn:aws:ssm:${SYSTEM_REGION}:${ACCOUNT}:parameter/other/secret` }), 'Allowed');
      assert.equal(await can('CollectCarbonRole', { action: 'dynamodb:PutItem', resource: table(TABLES.carbonRegion) }), 'Allowed');
      assert.equal(await can('MigrateRole', { action: 'dynamodb:PutItem', resource: table(TABLES.deploymentResources) }), 'Allowed');
      assert.equal(await can('SolveStageRole', { action: 'dynamodb:PutItem', resource: table(TABLES.solverStagingArea) }), 'Allowed');
      assert.notEqual(await can('DecideRole', { action: 's3:GetObject', resource: `arn:aws:s3:::caribou-${ACCOUNT}-${SYSTEM_REGION}/workflows/${A_ID}/x.js` }), 'Allowed');
    });
  });
});

/** The control plane's role policies from serverless.yml, with CloudFormation references resolved for ACCOUNT in us-west-2. */
function controlPlaneRoles(): Record<string, PolicyDocument[]> {
  const sls = YAML.parse(readFileSync(join(__dirname, '../../serverless.yml'), 'utf8'), { maxAliasCount: -1 }) as {
    resources: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  };
  const res = sls.resources.Resources;
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('Fn::Sub' in o) return String(o['Fn::Sub']).replace(/\$\{AWS::AccountId\}/g, ACCOUNT).replace(/\$\{AWS::Region\}/g, SYSTEM_REGION).replace(/\$\{sls:stage\}/g, 'dev');
      if ('Fn::GetAtt' in o) {
        const [id] = o['Fn::GetAtt'] as string[];
        return table(String(res[id].Properties.TableName));
      }
      if ('Ref' in o) {
        const target = res[String(o.Ref)];
        if (target?.Type === 'AWS::IAM::ManagedPolicy') return `arn:aws:iam::${ACCOUNT}:policy/${String(target.Properties.ManagedPolicyName)}`;
        throw new Error(`unresolved Ref ${String(o.Ref)}`);
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
    }
    return v;
  };
  const out: Record<string, PolicyDocument[]> = {};
  for (const [id, r] of Object.entries(res)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    out[id] = ((r.Properties.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((p) => resolve(p.PolicyDocument) as PolicyDocument);
  }
  return out;
}
