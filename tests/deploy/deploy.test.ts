import { strict as assert } from 'assert';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import type { Cloud } from '../../src/cloud/ports';
import { deployWorkflow, listWorkflows, removeWorkflow, topicNameOf } from '../../src/deploy/deployer';
import { bundleWorkflow } from '../../src/deploy/bundle';
import { loadWorkflowProject, type WorkflowProject } from '../../src/deploy/project';
import { runWorkflow } from '../../src/deploy/run';
import { decodeOrThrow } from '../../src/model/decode';
import { DeploymentResources } from '../../src/model/deployment-resources';
import { WorkflowPlacementDecision } from '../../src/model/placement';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { WorkflowConfig } from '../../src/model/workflow-config';
import { example, tempDir } from '../local/helpers';

/** Everything a workflow can leave behind in the local cloud. */
async function footprint(cloud: LocalCloud, id: string) {
  const records: string[] = [];
  for (const t of Object.values(TABLES)) if (t !== TABLES.syncMessages && (await cloud.tables.get(SYSTEM_REGION, t, id)) !== undefined) records.push(t);
  const functions: string[] = [];
  const topics: string[] = [];
  const packages: string[] = [];
  for (const r of cloud.regions) {
    functions.push(...(await cloud.functions.list(r)));
    topics.push(...(await cloud.messaging.listTopics(r)));
    packages.push(...(await cloud.packages.list(r, 'workflows/')));
  }
  return { records, functions, topics, packages };
}

const EMPTY = { records: [], functions: [], topics: [], packages: [] };

describe('deploy and remove on the local cloud', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;
  let project: WorkflowProject;
  let id: string;

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir });
    project = await loadWorkflowProject(example('small_sync_example'));
    id = project.config.workflow_id;
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  it('bundles the workflow for Node 22 with its call sites numbered and the Lambda handler', async () => {
    const b = await bundleWorkflow(project);
    const code = Buffer.from(b.code).toString('utf8');
    assert.match(b.sha256, /^[0-9a-f]{64}$/);
    assert.match(code, /invoke\([^)]*, 2\)/, 'call site 2 passes its index');
    assert.match(code, /handler/);
    assert.match(code, /require\("@aws-sdk\/client-dynamodb"\)/, 'the AWS SDK stays external');
  });

  it('creates the function, topic and subscription of every function, then the records, config last', async () => {
    assert.equal(await deployWorkflow(cloud, project), id);
    const names = project.config.functions.map((f) => `small_sync_example-0_0_1-${f.name}_aws-us-east-1`).sort();
    assert.deepEqual(await cloud.functions.list('us-east-1'), names);
    const topics = await cloud.messaging.listTopics('us-east-1');
    assert.deepEqual(topics.map((t) => t.split(':').pop()).sort(), names.map(topicNameOf).sort());
    assert.deepEqual(decodeOrThrow(WorkflowConfig, await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentManagerResource, id), 'config'), project.config);
    const wpd = decodeOrThrow(WorkflowPlacementDecision, await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id), 'wpd');
    assert.equal(wpd.entry_instance, 'small_sync_example-0_0_1-initial_function:entry_point:0');
    assert.deepEqual(Object.keys(wpd.home_deployment).sort(), project.config.instances.map((i) => i.instance_name).sort());
    for (const p of Object.values(wpd.home_deployment)) assert.ok(topics.includes(p.topic));
    const res = decodeOrThrow(DeploymentResources, await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id), 'resources');
    assert.equal(res.functions.length, 3);
    assert.deepEqual(res.iam_policy, project.iamPolicy);
    assert.deepEqual(await listWorkflows(cloud), [id]);
  });

  it('refuses an id that is already deployed, and changes nothing', async () => {
    const before = await footprint(cloud, id);
    await assert.rejects(deployWorkflow(cloud, project), /already deployed; remove it first \(caribou remove small_sync_example-0\.0\.1\)/);
    assert.deepEqual(await footprint(cloud, id), before);
  });

  it('remove deletes everything it created; a second remove is a clear error', async () => {
    const r = await runWorkflow(cloud, id, { message: 'x'.repeat(300_000), number: 1 }); // leaves spilled payloads
    assert.equal(r.status, 'succeeded');
    await removeWorkflow(cloud, id);
    assert.deepEqual(await footprint(cloud, id), EMPTY);
    assert.deepEqual(await cloud.packages.list('us-east-1', 'payloads/'), []);
    assert.deepEqual(await listWorkflows(cloud), []);
    await assert.rejects(removeWorkflow(cloud, id), /no workflow small_sync_example-0.0.1 is deployed/);
  });

  it('a deploy that fails half-way leaves nothing behind, and a retry succeeds', async () => {
    let topics = 0;
    const flaky: Cloud = {
      ...cloud,
      messaging: {
        ...cloud.messaging,
        listTopics: (r) => cloud.messaging.listTopics(r),
        subscribe: (r, t, f) => cloud.messaging.subscribe(r, t, f),
        deleteTopic: (r, t) => cloud.messaging.deleteTopic(r, t),
        publish: (r, t, m) => cloud.messaging.publish(r, t, m),
        createTopic: async (r, n) => {
          if (++topics === 3) throw new Error('SNS throttled');
          return cloud.messaging.createTopic(r, n);
        },
      },
    };
    await assert.rejects(deployWorkflow(flaky, project), /SNS throttled/);
    assert.deepEqual(await footprint(cloud, id), EMPTY);
    assert.equal(await deployWorkflow(cloud, project), id);
    const r = await runWorkflow(cloud, id, { message: 'again', number: 1 });
    assert.equal(r.status, 'succeeded');
  });
});
