import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Command } from 'commander';
import { COMMANDS, invokedCommand, registerCommands } from '../../src/cli/commands';
import { buildProgram } from '../../src/cli/main';

const ROOT = path.resolve(__dirname, '..', '..');

describe('CLI: lazy command loading', function () {
  this.timeout(120000);

  it('each command module registers exactly the names the command table lists', () => {
    for (const m of COMMANDS) {
      const program = new Command('caribou');
      m.load()(program);
      assert.deepEqual(program.commands.map((c) => c.name()), m.names, `module of ${m.names.join(', ')}`);
    }
  });

  it('finds the invoked command past global options and `help`', () => {
    const argv = (...a: string[]) => ['node', 'caribou', ...a];
    assert.equal(invokedCommand(argv('deploy', '-p', 'x')), 'deploy');
    assert.equal(invokedCommand(argv('--target', 'aws', 'run', 'w-0.0.1')), 'run');
    assert.equal(invokedCommand(argv('--target=aws', 'list')), 'list');
    assert.equal(invokedCommand(argv('help', 'deploy')), 'deploy');
    assert.equal(invokedCommand(argv('--help')), undefined);
    assert.equal(invokedCommand(argv()), undefined);
  });

  it('with argv, the invoked command is complete and the others are listed', () => {
    const program = buildProgram(['node', 'caribou', 'inspect']);
    const names = program.commands.map((c) => c.name());
    for (const m of COMMANDS) for (const n of m.names) assert.ok(names.includes(n), n);
    const inspect = program.commands.find((c) => c.name() === 'inspect')!;
    assert.ok(inspect.options.some((o) => o.long === '--json'), 'inspect has its options');
    // a stub has no options of its own
    const stub = new Command('caribou');
    registerCommands(stub, 'inspect');
    assert.equal(stub.commands.find((c) => c.name() === 'deploy')!.options.length, 0);
  });

  it('`caribou --help` loads neither TypeScript nor the AWS SDK nor the local cloud', () => {
    const script = `
      require('./src/cli/main').buildProgram(['node', 'caribou', '--help']);
      const heavy = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](typescript|@aws-sdk|dynalite|aws-local-stepfunctions)[\\\\/]/.test(k));
      console.log(JSON.stringify(heavy));`;
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim()), []);
  });
});
