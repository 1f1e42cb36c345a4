import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import Module from 'node:module';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { readSummary, syncWorkflowLogs } from '../../src/sync';
import { readWorkflowLogs, workflowStatus } from '../../src/deploy/observe';
import { startRun, readRunFailure } from '../../sdk/runtime';
import type { AwsCloud } from '../../src/cloud/aws';
import { awsRuntimeEnv } from '../../src/cloud/aws/lambda-entry';
import { setupTables } from '../../src/cli/commands/setup_tables';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import type { DeploymentResources } from '../../src/model/deployment-resources';
import type { WorkflowPlacementDecision } from '../../src/model/placement';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { MOTO_ACCOUNT, motoCloud, useMoto, type Moto } from './moto';

const ROOT = path.resolve(__dirname, '../..');

/** One SNS notification as SNS posts it to an HTTP subscriber. */
interface Notification {
  Type: string;
  Message: string;
  TopicArn: string;
  MessageId: string;
}

/**
 * A run of a deployed workflow on moto, as close to Lambda as this machine allows: the very
 * package `deploy` uploaded to S3 is loaded as a module and its `handler` is called with
 * SNS events. SNS (moto) delivers every publish to an HTTP subscriber added next to the
 * Lambda subscription (moto cannot invoke Lambda without Docker); the joins run on moto's
 * DynamoDB. Every message is delivered twice, as SNS may.
 */
describe('aws: a workflow run on moto through its deployed package', function () {
  let moto: Moto;
  let cloud: AwsCloud;
  let server: http.Server;
  const inbox: Notification[] = [];
  const saved = { ...process.env };
  const home = 'us-east-1';
  // shared by the run and the log sync after it
  const byFunction: Record<string, string[]> = {};
  let workflowId = '';
  let runId = '';

  before(async function () {
    moto = await useMoto(this);
    cloud = await motoCloud(moto);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try {
          const n = JSON.parse(body) as Notification;
          if (n.Type === 'Notification') inbox.push(n);
        } catch {
          /* not a notification */
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    process.env = saved;
    server?.close();
    await cloud?.close();
  });

  it('runs small_sync_example to its end: every instance once, joins fired once, no failure', async function () {
    this.timeout(120_000);
    await setupTables(cloud);
    const project = await loadWorkflowProject(path.join(ROOT, 'examples/small_sync_example'));
    const id = await deployWorkflow(cloud, project);
    workflowId = id;
    const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id)) as DeploymentResources;
    const wpd = (await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id)) as WorkflowPlacementDecision;

    // the uploaded artifact, loaded the way Lambda loads index.js (the AWS SDK from node_modules)
    const code = Buffer.from((await cloud.packages.get(home, res.package_key!))!).toString('utf8');
    const file = path.join(ROOT, '.caribou-package', 'index.js');
    const mod = new Module(file) as Module & { _compile(code: string, file: string): void; paths: string[] };
    mod.filename = file;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(ROOT);
    mod._compile(code, file);
    const handler = (mod.exports as { handler?: (event: unknown, ctx: { invokedFunctionArn: string }) => Promise<void> }).handler;
    assert.equal(typeof handler, 'function', 'the package exports the Lambda handler');

    const port = (server.address() as AddressInfo).port;
    const sns = cloud.context.client(SNSClient, home);
    for (const f of res.functions) await sns.send(new SubscribeCommand({ TopicArn: f.topic, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/` }));

    process.env.AWS_REGION = home;
    process.env.CARIBOU_AWS_ENDPOINT = moto.endpoint;
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const log = console.log;
    // what each function wrote, as its CloudWatch log stream would hold it
    let current = '';
    const capture = (s: unknown) => (lines.push(String(s)), (byFunction[current] ??= []).push(String(s)), true);
    process.stdout.write = capture as typeof process.stdout.write;
    console.log = (...a: unknown[]) => capture(a.join(' ') + '\n');
    let started;
    let deliveries = 0;
    try {
      const env = awsRuntimeEnv(home, MOTO_ACCOUNT, moto.endpoint);
      started = await startRun(env, wpd, project.config, { message: 'hello moto', number: 2 });
      // deliver until the run goes quiet: each notification twice, to the function of its topic
      for (let idle = 0; idle < 20; ) {
        const n = inbox.shift();
        if (!n) {
          idle++;
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        idle = 0;
        const fn = res.functions.find((f) => f.topic === n.TopicArn)!;
        current = fn.physical_name;
        const event = { Records: [{ EventSource: 'aws:sns', Sns: { Message: n.Message, TopicArn: n.TopicArn, MessageId: n.MessageId } }] };
        const ctx = { invokedFunctionArn: `arn:aws:lambda:${home}:${MOTO_ACCOUNT}:function:${fn.physical_name}` };
        await handler!(event, ctx);
        await handler!(event, ctx);
        deliveries += 2;
      }
    } finally {
      process.stdout.write = write;
      console.log = log;
    }

    const events = lines
      .join('')
      .split('\n')
      .filter((l) => l.includes('"event"'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { event: string; instance: string; run_id: string });
    const executed = events.filter((e) => e.event === 'EXECUTED' && e.run_id === started.runId).map((e) => e.instance);
    assert.deepEqual(executed.sort(), project.config.instances.map((i) => i.instance_name).sort(), 'every instance executed exactly once');
    assert.equal(await readRunFailure(cloud.tables, home, started.runId, { workflowId: project.config.workflow_id }), undefined);
    // every join item of the run is keyed under its workflow, the prefix the role's LeadingKeys condition admits
    const joinKeys = (await cloud.tables.keys(home, TABLES.syncMessages)).filter((k) => k.includes(started.runId));
    assert.ok(joinKeys.length > 0 && joinKeys.every((k) => k.startsWith(`${project.config.workflow_id}/`)), joinKeys.join(', '));
    // secondSyncFunction printed its result: 2 + 4 (syncFunction's two slots) + 6 (site 2)
    const result = lines.join('').split('\n').find((l) => l.includes('"total"'));
    assert.ok(result, 'the last join printed its result');
    assert.equal(JSON.parse(result.slice(result.indexOf('{'))).total, 12);
    // three messages, each delivered twice: the entry, and one trigger per join (join data travels in the table)
    assert.equal(deliveries, 6);
    runId = started.runId;
  });

  it('log_sync reads the run back from CloudWatch Logs and rebuilds it', async function () {
    assert.ok(runId, 'the run above happened');
    // Lambda would have written each function's stdout to its log group (made at deploy)
    const logs = cloud.context.client(CloudWatchLogsClient, home);
    let last = 0;
    for (const [fn, chunks] of Object.entries(byFunction)) {
      if (!fn) continue;
      const lines = chunks.join('').split('\n').filter((l) => l.trim());
      const logEvents = lines.map((message) => {
        const m = /"time":"([^"]+)"/.exec(message);
        const timestamp = m ? Date.parse(m[1]) : Date.now();
        last = Math.max(last, timestamp);
        return { timestamp, message };
      });
      logEvents.sort((a, b) => a.timestamp - b.timestamp);
      await logs.send(new CreateLogStreamCommand({ logGroupName: `/aws/lambda/${fn}`, logStreamName: 'run' }));
      await logs.send(new PutLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, logStreamName: 'run', logEvents }));
    }
    // the syncer waits a buffer for late lines; look from a little after that
    const report = await syncWorkflowLogs({ tables: cloud.tables, logs: cloud.logs, now: () => last + 20 * 60_000 }, workflowId);
    assert.equal(report.runs.started, 1, JSON.stringify(report));
    assert.equal(report.runs.kept, 1, JSON.stringify(report));
    assert.equal(report.runs.duplicate, 0);
    const summary = await readSummary(cloud.tables, workflowId);
    assert.ok(summary, 'workflow_summary_table holds the summary');
  });

  it('caribou logs and status read the run from CloudWatch Logs (--target aws)', async function () {
    assert.ok(runId, 'the run above happened');
    const entries = await readWorkflowLogs(cloud, workflowId, { runId });
    assert.ok(entries.length > 0 && entries.every((e) => e.run_id === runId));
    assert.ok(entries.some((e) => e.event === 'EXECUTED' && e.function === 'secondSyncFunction'));
    const status = await workflowStatus(cloud, workflowId);
    assert.deepEqual(status.current.regions, [home]);
    assert.deepEqual(status.recent_runs.map((r) => [r.run_id, r.status]), [[runId, 'succeeded']]);
  });
});
