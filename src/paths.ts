import * as fs from 'fs';
import * as path from 'path';

/**
 * The root of this package (the folder holding its package.json, templates, state-machines and
 * examples). Code runs from src/ in a checkout (via tsx) and from dist/src/ once built and
 * installed, so files that are not compiled are found from here, never by a fixed `../..`.
 */
export const PACKAGE_ROOT: string = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'caribou-ts') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the caribou-ts package.json above ${from}`);
  }
}
