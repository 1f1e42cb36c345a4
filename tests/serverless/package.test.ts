import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MIGRATION_TABLES } from '../../src/model/migration';
import { TABLES } from '../../src/model/tables';
import { TASK_NAMES } from '../../src/handlers/tasks';

const ROOT = path.join(__dirname, '..', '..');
/** A token that must appear in no packaged file, and the SSM parameter name that may. */
const CANARY = 'caribou-canary-7f3a9c1e5b';
const CANARY_ENV = { ELECTRICITY_MAPS_AUTH_TOKEN: CANARY, ELECTRICITY_MAPS_AUTH_TOKEN_PARAMETER: '/caribou/electricity-maps-token' };

/** `sls package` once per test run, offline, into a temp folder. */
describe('serverless: the control plane packages offline and lints clean', function () {
  this.timeout(180_000);
  let dir: string;
  let template: any;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-sls-'));
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'sls'), ['package', '--package', dir], {
      cwd: ROOT,
      // a canary token in the environment, as an operator's shell would hold it: it must reach no file
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', ...CANARY_ENV },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `sls package failed:\n${r.stdout}\n${r.stderr}`);
    template = JSON.parse(fs.readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const resources = (type: string) => Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);

  it('one nodejs22.x Lambda per Task, each with its own role', () => {
    const fns = resources('AWS::Lambda::Function');
    assert.equal(fns.length, TASK_NAMES.length);
    const roles = new Set<string>();
    for (const [id, f] of fns) {
      assert.equal(f.Properties.Runtime, 'nodejs22.x', id);
      const role = f.Properties.Role['Fn::GetAtt'][0];
      assert.ok(!roles.has(role), `${id} shares role ${role}`);
      roles.add(role);
    }
  });

  it('least privilege: no statement grants a wildcard action on a wildcard resource', () => {
    for (const [id, role] of resources('AWS::IAM::Role')) {
      for (const p of role.Properties.Policies ?? []) {
        for (const s of p.PolicyDocument.Statement) {
          const actions: string[] = [].concat(s.Action);
          const res: unknown[] = [].concat(s.Resource);
          const wildAction = actions.some((a) => a === '*' || a.endsWith(':*'));
          const wildResource = res.some((r) => r === '*');
          assert.ok(!(wildAction && wildResource), `${id}: ${JSON.stringify(s)}`);
          assert.ok(!wildAction, `${id} grants a whole service: ${actions.join(', ')}`);
        }
      }
    }
  });

  it('the state machine is the ASL file, with each Task bound to the Lambda of its name', () => {
    const [[, sm]] = resources('AWS::StepFunctions::StateMachine');
    assert.equal(sm.Properties.StateMachineName, 'CaribouCycle');
    const [body, params] = sm.Properties.DefinitionString['Fn::Sub'];
    const asl = JSON.parse(fs.readFileSync(path.join(ROOT, 'state-machines', 'caribou-cycle.asl.json'), 'utf8'));
    // the deployed text with its ${…} references turned back into the file's placeholders
    const names = Object.fromEntries(Object.entries<any>(params).map(([k, v]) => [k, v['Fn::GetAtt'][0].replace(/LambdaFunction$/, '')]));
    const restored = JSON.parse(body.replace(/"\$\{([A-Za-z0-9]+)\}"/g, (_: string, k: string) => `"\${${lower(names[k] ?? k)}}"`));
    // asl-validator (run by the plugin) writes the default QueryLanguage "JSONPath" into every state
    assert.deepEqual(withoutDefaults(restored), asl);
  });

  it('every system table, and a daily schedule for CaribouCycle', () => {
    const names = resources('AWS::DynamoDB::Table').map(([, t]) => t.Properties.TableName);
    for (const t of [...Object.values(TABLES).filter((n) => n !== TABLES.syncMessages), ...Object.values(MIGRATION_TABLES)]) assert.ok(names.includes(t), `no table ${t}`);
    const rules = resources('AWS::Events::Rule');
    assert.ok(rules.some(([, r]) => /^cron\(/.test(r.Properties.ScheduleExpression)), 'no schedule');
  });

  it('a lean Lambda zip: at most 3 MB, without the TypeScript compiler or esbuild', () => {
    const zips = fs.readdirSync(dir).filter((f) => f.endsWith('.zip'));
    assert.ok(zips.length > 0);
    for (const z of zips) {
      const bytes = fs.statSync(path.join(dir, z)).size;
      assert.ok(bytes <= 3 * 1024 * 1024, `${z} is ${bytes} bytes`);
      const listing = execFileSync('unzip', ['-l', path.join(dir, z)], { encoding: 'utf8' });
      const js = execFileSync('unzip', ['-p', path.join(dir, z), 'src/handlers/aws.js'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.ok(!/node_modules\/(typescript|esbuild)\//.test(listing + js), `${z} bundles the TypeScript compiler or esbuild`);
    }
  });

  it('CaribouCycle logs to CloudWatch Logs, is traced in X-Ray, raises an alarm when it fails, and is scheduled once', () => {
    const [[id, sm]] = resources('AWS::StepFunctions::StateMachine');
    assert.equal(sm.Properties.TracingConfiguration?.Enabled, true);
    const logging = sm.Properties.LoggingConfiguration;
    assert.equal(logging?.Level, 'ERROR');
    assert.equal(logging?.Destinations?.[0]?.CloudWatchLogsLogGroup?.LogGroupArn?.['Fn::GetAtt']?.[0], 'CaribouCycleLogGroup');
    const alarms = resources('AWS::CloudWatch::Alarm');
    const watched = JSON.stringify(alarms.map(([, a]) => a.Properties.Metrics));
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) assert.ok(watched.includes(metric), `no alarm on ${metric}`);
    assert.ok(watched.includes(JSON.stringify({ Ref: id })), 'the alarm watches CaribouCycle');
    const schedules = resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets ?? []).includes(id));
    assert.equal(schedules.length, 1, 'one schedule starts CaribouCycle');
    // the Distributed Map of solves starts child executions of the machine itself
    const role = sm.Properties.RoleArn['Fn::GetAtt'][0];
    const statements = template.Resources[role].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const start = statements.find((st: any) => [].concat(st.Action).includes('states:StartExecution' as never));
    assert.ok(start && JSON.stringify(start.Resource).includes('stateMachine:CaribouCycle'), 'CaribouCycle may start its own children');
  });

  it('the packaged Lambda bundle loads and exports one handler per Task', function () {
    if (spawnSync('sh', ['-c', 'command -v unzip'], { encoding: 'utf8' }).status !== 0) {
      console.log('      (skipped: unzip is not on PATH)');
      this.skip();
    }
    const out = path.join(dir, 'unzipped');
    execFileSync('unzip', ['-q', '-o', path.join(dir, 'caribou.zip'), '-d', out]);
    // a fresh process: the bundle must load without this repository's node_modules
    const r = spawnSync(process.execPath, ['-e', "console.log(JSON.stringify(Object.entries(require('./src/handlers/aws.js')).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort()))"], {
      cwd: out,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NODE_PATH: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [...TASK_NAMES].sort());
  });

  it('secrets never land in a file: the canary token is in none, the parameter name is in the template', function () {
    const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
    const out = path.join(dir, 'canary-unzipped');
    execFileSync('unzip', ['-q', '-o', path.join(dir, 'caribou.zip'), '-d', out]);
    const all = files(dir);
    assert.ok(all.some((f) => f.endsWith('serverless-state.json')) && all.some((f) => f.endsWith('.js')), all.join('\n'));
    for (const f of all) assert.ok(!fs.readFileSync(f).includes(CANARY), `the token is in ${path.relative(dir, f)}`);
    const [, carbon] = resources('AWS::Lambda::Function').find(([id]) => id === 'CollectCarbonLambdaFunction')!;
    assert.deepEqual(carbon.Properties.Environment.Variables.ELECTRICITY_MAPS_AUTH_TOKEN_PARAMETER, CANARY_ENV.ELECTRICITY_MAPS_AUTH_TOKEN_PARAMETER);
    assert.equal(carbon.Properties.Environment.Variables.ELECTRICITY_MAPS_AUTH_TOKEN, undefined);
  });

  it('cfn-lint passes on the generated template', function () {
    const which = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' });
    if (which.status !== 0) {
      if (process.env.CI) assert.fail('cfn-lint is not on PATH (required in CI): pip install cfn-lint');
      console.log('      (skipped: cfn-lint is not on PATH; install it with `pip install cfn-lint`)');
      this.skip();
    }
    // W3005: serverless adds DependsOn next to a GetAtt of the same role; harmless and not ours to change
    // E2533 compares the runtime's deprecation date with today's: a calendar fact, not a
    // template defect (nodejs22.x is deprecated from 2027-04-30); the calendar guard runs this a year ahead
    const out = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', 'E2533', '--', path.join(dir, 'cloudformation-template-update-stack.json')], { encoding: 'utf8' });
    assert.equal(out.status, 0, `cfn-lint:\n${out.stdout}${out.stderr}`);
  });
});

function withoutDefaults(node: any): any {
  if (Array.isArray(node)) return node.map(withoutDefaults);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'QueryLanguage' && v === 'JSONPath')).map(([k, v]) => [k, withoutDefaults(v)]));
}

function lower(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
