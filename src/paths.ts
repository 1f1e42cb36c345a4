import * as fs from 'fs';
import * as path from 'path';

/**
 * The root of this package (the folder holding its package.json, templates, state-machines and
 * examples). Code runs from src/ in a checkout (via tsx) and from dist/src/ once built and
 * installed, so files that are not compiled are found from here, never by a fixed `../..`.
 */
export function packageRoot(): string {
  // found on first use, not at load: the control-plane Lambda bundles modules that import this
  // file but never reads the package's files (it has no package.json to find)
  return (root ??= findRoot(__dirname));
}
let root: string | undefined;

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'caribou-ts') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the caribou-ts package.json above ${from}`);
  }
}
