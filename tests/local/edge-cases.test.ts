import { strict as assert } from 'assert';
import { openLocalCloud, SNS_MAX_BYTES, type LocalCloud } from '../../src/cloud/local';
import { RegionUnreachableError } from '../../src/cloud/ports';
import { deployFunctionToRegion, deployWorkflow, removeWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject, type WorkflowProject } from '../../src/deploy/project';
import { parseRunArgument, runWorkflow } from '../../src/deploy/run';
import { UserError } from '../../src/model/errors';
import type { WorkflowPlacementDecision } from '../../src/model/placement';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { allLines, eventsOf, example, printedOf, tempDir } from './helpers';

describe('local cloud: bad input, failures, large payloads and outages', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;
  let sync: WorkflowProject;
  let mapReduce: WorkflowProject;

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir, knobs: { seed: 3 } });
    sync = await loadWorkflowProject(example('small_sync_example'));
    mapReduce = await loadWorkflowProject(example('map_reduce'));
    await deployWorkflow(cloud, sync);
    await deployWorkflow(cloud, mapReduce);
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  describe('a payload that is not JSON', () => {
    it('is refused by caribou run with a clear error', () => {
      assert.throws(() => parseRunArgument('{message: hi}'), (e: Error) => e instanceof UserError && /not valid JSON/.test(e.message));
      assert.deepEqual(parseRunArgument('{"message":"hi"}'), { message: 'hi' });
      assert.equal(parseRunArgument(undefined), null);
    });

    it('is refused by runWorkflow when the value cannot be sent as JSON', async () => {
      await assert.rejects(runWorkflow(cloud, sync.config.workflow_id, { big: BigInt(1) }), (e: Error) => e instanceof UserError && /JSON/.test(e.message));
    });

    it('delivered raw to a function, is logged and dropped; later runs still work', async () => {
      const topic = (await cloud.messaging.listTopics('us-east-1')).find((t) => t.includes('initial_function'))!;
      await cloud.messaging.publish('us-east-1', topic, 'this is not json');
      await cloud.drain();
      const lines = await allLines(cloud, sync.config, 'initial_function');
      assert.ok(lines.some((l) => /ERROR .*not JSON/.test(l.line)), 'the function logs the bad message');
      const r = await runWorkflow(cloud, sync.config.workflow_id, { message: 'after', number: 1 });
      assert.equal(r.status, 'succeeded');
    });
  });

  it('an unknown workflow id is a clear error for run and remove', async () => {
    await assert.rejects(runWorkflow(cloud, 'nope-0.0.1', {}), /no workflow nope-0.0.1 is deployed \(see caribou list\)/);
    await assert.rejects(removeWorkflow(cloud, 'nope-0.0.1'), /no workflow nope-0.0.1 is deployed/);
  });

  it('a function that throws fails the run; its successors and joins do not run', async () => {
    const r = await runWorkflow(cloud, mapReduce.config.workflow_id, { document: 'no_such_document' });
    assert.equal(r.status, 'failed');
    assert.match(r.errors!.join('\n'), /unknown document/);
    assert.deepEqual(
      r.instances.map((i) => i.instance),
      ['map_reduce-0_0_1-input_processor:entry_point:0'],
    );
    const events = await eventsOf(cloud, mapReduce.config, 'input_processor');
    assert.ok(events.some((e) => e.event === 'USER_CODE_FAILURE' && e.run_id === r.run_id));
    for (const fn of ['mapper', 'shuffler', 'reducer', 'output_processor'])
      assert.equal((await eventsOf(cloud, mapReduce.config, fn)).filter((e) => e.run_id === r.run_id).length, 0, fn);
  });

  it('an invocation that fails outside user code is retried twice, as Lambda does, then fails the run', async () => {
    // take the region's join table away: the runtime's first table call fails on every attempt
    await cloud.tables.dropTable('us-east-1', TABLES.syncMessages);
    try {
      const r = await runWorkflow(cloud, mapReduce.config.workflow_id, {});
      assert.equal(r.status, 'failed');
      assert.match(r.errors!.join('\n'), /table sync_messages_table does not exist in us-east-1/);
      const lines = (await allLines(cloud, mapReduce.config, 'input_processor')).map((l) => l.line);
      assert.equal(lines.filter((l) => l.startsWith('RETRY')).length, 2);
    } finally {
      await cloud.tables.ensureTable('us-east-1', TABLES.syncMessages);
    }
  });

  it('a payload over the SNS limit travels by reference and arrives whole', async () => {
    const message = 'x'.repeat(SNS_MAX_BYTES + 50_000);
    const r = await runWorkflow(cloud, sync.config.workflow_id, { message, number: 1 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
    const [out] = (await printedOf(cloud, sync.config, 'secondSyncFunction')).filter((o) => o.run_id === r.run_id);
    assert.equal(out.total, 6);
    const spilled = await cloud.packages.list('us-east-1', `payloads/${sync.config.workflow_id}/${r.run_id}/`);
    assert.ok(spilled.length > 0, 'the large payloads were stored in package storage');
    // the messaging itself refuses what SNS refuses
    const topic = (await cloud.messaging.listTopics('us-east-1'))[0];
    await assert.rejects(cloud.messaging.publish('us-east-1', topic, 'y'.repeat(SNS_MAX_BYTES + 1)), /above the 262144-byte limit/);
  });

  describe('a region outage', () => {
    const syncInstance = 'small_sync_example-0_0_1-syncFunction:sync:1';

    before(async () => {
      // a plan that runs syncFunction in us-west-1 at every hour
      const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, sync.config.workflow_id)) as { package_key: string };
      const d = await deployFunctionToRegion(cloud, sync.config, 'syncFunction', 'us-west-1', res.package_key);
      const wpd = (await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, sync.config.workflow_id)) as WorkflowPlacementDecision;
      wpd.current_deployment = {
        expiry_time: '2999-01-01T00:00:00.000Z',
        time_keys: ['0'],
        instances: { '0': { [syncInstance]: { region: 'us-west-1', topic: d.topic, function_name: d.physical_name } } },
      };
      await cloud.tables.put(SYSTEM_REGION, TABLES.workflowPlacementDecision, sync.config.workflow_id, wpd);
    });

    it('without an outage, the run follows the plan', async () => {
      const r = await runWorkflow(cloud, sync.config.workflow_id, { message: 'plan', number: 1 });
      assert.equal(r.status, 'succeeded');
      assert.equal(r.time_key, '0');
      assert.equal(r.instances.find((i) => i.instance === syncInstance)!.region, 'us-west-1');
    });

    it('publishing to a region in CARIBOU_LOCAL_OUTAGE throws RegionUnreachableError; the run uses home and says so', async () => {
      const home = cloud.home;
      await cloud.close();
      cloud = await openLocalCloud({ home, knobs: { outage: ['us-west-1'], seed: 3 } });
      await assert.rejects(cloud.messaging.publish('us-west-1', 'any', '{}'), RegionUnreachableError);
      const r = await runWorkflow(cloud, sync.config.workflow_id, { message: 'outage', number: 1 });
      assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
      assert.equal(r.instances.find((i) => i.instance === syncInstance)!.region, 'us-east-1');
      const [out] = (await printedOf(cloud, sync.config, 'secondSyncFunction')).filter((o) => o.run_id === r.run_id);
      assert.equal(out.total, 6);
      const unreachable = (await eventsOf(cloud, sync.config, 'initial_function')).filter((e) => e.run_id === r.run_id && e.event === 'REGION_UNREACHABLE');
      assert.ok(unreachable.length > 0, 'the fallback is logged');
      assert.equal(unreachable[0].unreachable_region, 'us-west-1');
      assert.equal(unreachable[0].fallback_region, 'us-east-1');
    });

    it('a join planned in a region whose tables are down meets its writers in its home region\'s table', async () => {
      const r = await runWorkflow(cloud, sync.config.workflow_id, { message: 'outage', number: 2 });
      assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
      const item = (await cloud.tables.get('us-east-1', TABLES.syncMessages, `${syncInstance}:${r.run_id}`)) as Record<string, unknown> | undefined;
      assert.ok(item?.fired, 'the join item is in us-east-1 and fired there');
      const [out] = (await printedOf(cloud, sync.config, 'secondSyncFunction')).filter((o) => o.run_id === r.run_id);
      assert.equal(out.total, 12);
    });
  });
});
