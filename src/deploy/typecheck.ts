/**
 * Type-checks a workflow's source with the TypeScript compiler before deploy and inspect, so a
 * payload that does not match its successor's type (`ctx.invoke(total, { wordz: 0 })`, TS2561)
 * is refused rather than deployed. Compiler options come from the nearest tsconfig.json above
 * the workflow (the scaffold writes one), else strict defaults; only the workflow's source and
 * what it imports are checked.
 */
import * as path from 'path';
import type * as TS from 'typescript';
import { UserError } from '../model/errors';

/** Defaults when no tsconfig.json is found: what the scaffold's tsconfig.json says. */
const DEFAULTS = {
  target: 'ES2022',
  module: 'commonjs',
  moduleResolution: 'node',
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
};

/** Library declaration files parsed once per process (deploying several workflows reuses them). */
const libCache = new Map<string, TS.SourceFile>();

/** A type error: where and what, as the compiler says it. */
export interface TypeError {
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
}

/** The type errors of `sourceFile` (absolute path) and the files it imports. */
export function typeErrors(sourceFile: string): TypeError[] {
  // loaded here, not at the top: only deploy and inspect need the compiler
  const ts: typeof TS = require('typescript');
  const options = compilerOptions(ts, sourceFile);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const cacheable = fileName.includes(`${path.sep}node_modules${path.sep}`) || fileName.includes('/node_modules/');
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    if (cacheable && libCache.has(key)) return libCache.get(key);
    const sf = getSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (cacheable && sf) libCache.set(key, sf);
    return sf;
  };
  const program = ts.createProgram({ rootNames: [sourceFile], options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return { file: '', line: 0, column: 0, code: d.code, message };
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return { file: d.file.fileName, line: line + 1, column: character + 1, code: d.code, message };
    });
}

/** Throws a UserError listing every type error as `file:line:column: error TSnnnn: message`. */
export function assertTypeChecks(sourceFile: string, consequence = 'nothing was deployed'): void {
  const errors = typeErrors(sourceFile);
  if (errors.length === 0) return;
  const shown = (f: string) => (f ? path.relative(process.cwd(), f) || f : '(options)');
  const lines = errors.map((e) => `  ${shown(e.file)}${e.file ? `:${e.line}:${e.column}` : ''}: error TS${e.code}: ${e.message.replace(/\n/g, '\n    ')}`);
  throw new UserError(
    `the workflow has ${errors.length} type error${errors.length === 1 ? '' : 's'}; ${consequence}:\n${lines.join('\n')}\n` +
      `(fix them; \`npx tsc --noEmit -p ${shown(path.dirname(sourceFile)) || '.'}\` shows the same)`,
  );
}

function compilerOptions(ts: typeof TS, sourceFile: string): TS.CompilerOptions {
  const dir = path.dirname(sourceFile);
  const configFile = ts.findConfigFile(dir, ts.sys.fileExists, 'tsconfig.json');
  let options: TS.CompilerOptions;
  if (configFile) {
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    if (read.error) throw new UserError(`${configFile}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
    // the config's own file list does not matter: only the workflow is checked
    const parsed = ts.parseJsonConfigFileContent({ ...read.config, include: [], files: [] }, ts.sys, path.dirname(configFile), undefined, configFile);
    options = parsed.options;
  } else {
    options = ts.convertCompilerOptionsFromJson(DEFAULTS, dir).options;
  }
  return { ...options, noEmit: true, incremental: false, composite: false, declaration: false };
}
