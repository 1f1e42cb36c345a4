/**
 * Call-site instrumentation: the runtime must know which call site made each `ctx.invoke`, so
 * before bundling, each call site of a registered function is rewritten to pass its index as a
 * fourth argument (`ctx.invoke(a, b)` → `ctx.invoke(a, b, undefined, 0)`). The runtime reads
 * `arguments[3]`. User code is type-checked on the original source, where invoke has 3 parameters.
 *
 * The numbering is the analyzer's (src/deploy/analyze/source.ts), so deploy's DAG and the
 * bundle agree by construction. Edits are made at compiler-API positions, never by regex.
 */
import type * as esbuild from 'esbuild';
import { promises as fs } from 'fs';
import * as path from 'path';
import { AnalysisError, parseSource, scanSource } from './analyze';

/** Returns `text` with every invoke call site of a registered function given its site index; unchanged if the file defines no workflow. */
export function instrumentSource(fileName: string, text: string): string {
  if (!/\bworkflow\b/.test(text)) return text; // cheap skip for helper modules
  const sf = parseSource(fileName, text);
  const scan = scanSource(sf);
  if (!scan.workflow) return text;
  // Errors that change the numbering or hide call sites would make the bundle disagree with the DAG.
  if (scan.diagnostics.length > 0) throw new AnalysisError(scan.diagnostics);
  const edits: Array<{ at: number; insert: string }> = [];
  for (const fn of scan.functions) {
    for (const site of fn.sites) {
      const args = site.call.arguments;
      const last = args[args.length - 1];
      const fill = args.length === 1 ? ', undefined, undefined' : args.length === 2 ? ', undefined' : '';
      edits.push({ at: last ? last.getEnd() : site.call.arguments.pos, insert: `${fill}, ${site.index}` });
    }
  }
  edits.sort((a, b) => b.at - a.at);
  let out = text;
  for (const e of edits) out = out.slice(0, e.at) + e.insert + out.slice(e.at);
  return out;
}

/** Options for {@link caribouSitesPlugin}. */
export interface SitesPluginOptions {
  /** absolute paths of the files to instrument; default: every .ts file outside node_modules that defines a workflow */
  files?: string[];
}

/** An esbuild plugin that loads workflow sources instrumented with their call-site indices. */
export function caribouSitesPlugin(options: SitesPluginOptions = {}): esbuild.Plugin {
  const only = options.files ? new Set(options.files.map((f) => path.resolve(f))) : null;
  return {
    name: 'caribou-call-sites',
    setup(build) {
      build.onLoad({ filter: /\.(ts|tsx|mts|cts)$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        if (only && !only.has(path.resolve(args.path))) return undefined;
        const text = await fs.readFile(args.path, 'utf8');
        try {
          const contents = instrumentSource(args.path, text);
          return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts', resolveDir: path.dirname(args.path) };
        } catch (e) {
          if (e instanceof AnalysisError) return { errors: e.diagnostics.map((d) => ({ text: d.message, location: { file: d.file, line: d.line, column: d.column - 1 } })) };
          throw e;
        }
      });
    },
  };
}
