import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Points CARIBOU_HOME at `<fresh temp folder>/home` for the enclosing describe block (registered
 * as its first hooks, so the block's own `before` already sees it), then restores the variable
 * and removes the folder. `dir` is the temp folder, for the block's other files.
 */
export function useCaribouHome(prefix: string): { readonly dir: string; readonly home: string } {
  const saved = process.env.CARIBOU_HOME;
  const state = { dir: '', home: '' };
  before(() => {
    state.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    state.home = path.join(state.dir, 'home');
    process.env.CARIBOU_HOME = state.home;
  });
  after(() => {
    if (saved === undefined) delete process.env.CARIBOU_HOME;
    else process.env.CARIBOU_HOME = saved;
    fs.rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}
