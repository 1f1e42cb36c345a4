/**
 * `npm run bench -- <name> [args]` runs scripts/bench/<name>.ts with the remaining args;
 * `npm run bench` (no name, or only options) runs every benchmark there in turn, except the
 * on-demand ones (ON_DEMAND). Each runs in
 * its own Node process so one benchmark's JIT state or exit code does not affect another.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, 'bench');
/** Run only by name: `outcome` takes minutes and needs ../shared/data's hourly carbon exports. */
const ON_DEMAND = new Set(['outcome']);

function available(): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
        .map((f) => f.slice(0, -3))
        .sort()
    : [];
}

function run(name: string, args: string[]): number {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), join(dir, `${name}.ts`), ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

function main(argv: string[]): number {
  const names = available();
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) {
    let worst = 0;
    for (const n of names) if (!ON_DEMAND.has(n)) worst = Math.max(worst, run(n, argv));
    return worst;
  }
  if (!names.includes(first)) {
    console.error(`error: no benchmark "${first}"; available: ${names.join(', ') || '(none)'}`);
    return 1;
  }
  return run(first, rest);
}

process.exitCode = main(process.argv.slice(2));
