/**
 * The authoring API of Caribou for TypeScript: what a workflow's source imports.
 *
 *   const wf = workflow();   // name and version from .caribou/config.yml (or workflow({ name, version }))
 *   export const start = wf.fn<Input>({ name: 'initial_function', entryPoint: true }, async (input, ctx) => {
 *     ctx.invoke(sync, { n: 1 });
 *   });
 *   export const sync = wf.join<{ n: number }>({ name: 'syncFunction' }, async (ctx) => {
 *     const all = await ctx.predecessorData();
 *   });
 *   export default wf;
 *
 * The DAG is read from the source without running it (src/deploy): every `ctx.invoke(...)`
 * call site is one instance of its successor. See sdk/README.md for the call-site contract.
 */

/** Per-function deployment settings; every value must be a literal (read statically). */
export interface FunctionOptions {
  /** 1–20 characters [A-Za-z0-9_]; used in Lambda, topic and instance names */
  name: string;
  /** exactly one function of a workflow is the entry point */
  entryPoint?: boolean;
  /** MB, 128–10240; overrides the manifest */
  memory?: number;
  /** seconds, 1–900; overrides the manifest */
  timeout?: number;
  architecture?: 'x86_64' | 'arm64';
  /** regions this function may (or may not) be placed in, in addition to the manifest's */
  regions?: { allowed?: string[]; disallowed?: string[] };
  /** environment variables; override the manifest's */
  environment?: Record<string, string>;
}

export interface InvokeOptions {
  /** false: do not call the successor on this run (a conditional non-execution); default true */
  conditional?: boolean;
}

/** A registered function; `In` is the payload type it accepts. */
export interface CaribouFunction<In> {
  readonly kind: 'function' | 'join';
  readonly name: string;
  readonly options: FunctionOptions;
  /** phantom: carries the payload type for `invoke` */
  readonly __payload?: (p: In) => void;
}

/** What a running function can do. */
export interface Context {
  /** the id of this run of the workflow (shared by every function of the run) */
  readonly runId: string;
  /** this instance's name, e.g. map_reduce-0_0_1-mapper:…:3 */
  readonly instance: string;
  /** the region this function runs in */
  readonly region: string;
  /**
   * Calls a successor with a payload (JSON-serialisable). Each call site in the source is
   * one instance of the successor; `{ conditional: false }` skips it for this run, and so does
   * returning without reaching it. Not allowed inside loops or callbacks (see sdk/README.md).
   * Deploy's bundler passes the call site's index as a hidden 4th argument (src/deploy/instrument.ts).
   */
  invoke<P>(target: CaribouFunction<P>, payload: NoInfer<P>, options?: InvokeOptions): void;
}

/** What a join (fan-in) function can do besides. */
export interface JoinContext<In> extends Context {
  /** Payloads of every predecessor call site that called this join, in a stable order (DAG slot order). */
  predecessorData(): Promise<In[]>;
}

export type FunctionHandler<In> = (payload: In, ctx: Context) => unknown;
export type JoinHandler<In> = (ctx: JoinContext<In>) => unknown;

/** Internal: a registered function with its handler, as the runtime sees it. */
export interface RegisteredFunction {
  kind: 'function' | 'join';
  name: string;
  options: FunctionOptions;
  handler: FunctionHandler<unknown> | JoinHandler<unknown>;
}

/** A workflow: a name, a version and its registered functions. */
export class Workflow {
  readonly functions = new Map<string, RegisteredFunction>();
  private _name: string | undefined;
  private _version: string | undefined;

  /** Without a name and version the workflow takes them from its manifest when deployed (bindManifest). */
  constructor(name?: string, version?: string) {
    this._name = name;
    this._version = version;
  }

  /** The workflow's name (from `workflow({ name })` or, for `workflow()`, from .caribou/config.yml). */
  get name(): string {
    return this._name ?? '(named by .caribou/config.yml)';
  }

  get version(): string {
    return this._version ?? '(versioned by .caribou/config.yml)';
  }

  /**
   * Internal (the runtime calls it with the deployed config): names a workflow created with
   * `workflow()`. A workflow that names itself keeps its name; the runtime reports a mismatch.
   */
  bindManifest(name: string, version: string): void {
    if (this._name === undefined && this._version === undefined) {
      this._name = name;
      this._version = version;
    }
  }

  /** The workflow id `<name>-<version>`. */
  get id(): string {
    return `${this.name}-${this.version}`;
  }

  /** Registers an ordinary function taking a payload of type `In`. */
  fn<In = unknown>(options: FunctionOptions, handler: FunctionHandler<In>): CaribouFunction<In> {
    return this.register<In>('function', options, handler as FunctionHandler<unknown>);
  }

  /** Registers a join: it runs once per run, after all its predecessor call sites resolved. */
  join<In = unknown>(options: Omit<FunctionOptions, 'entryPoint'>, handler: JoinHandler<In>): CaribouFunction<In> {
    return this.register<In>('join', options, handler as JoinHandler<unknown>);
  }

  private register<In>(kind: 'function' | 'join', options: FunctionOptions, handler: RegisteredFunction['handler']): CaribouFunction<In> {
    if (this.functions.has(options.name)) throw new Error(`function "${options.name}" is registered twice in workflow ${this.id}`);
    this.functions.set(options.name, { kind, name: options.name, options, handler: observed(kind, options.name, handler) });
    return { kind, name: options.name, options };
  }
}

/**
 * Creates a workflow object; the module must `export default` it. Without arguments its name and
 * version are those of .caribou/config.yml, so they live in one place; `{ name, version }`
 * literals, if given, must match the manifest.
 */
export function workflow(opts?: { name: string; version: string }): Workflow {
  return new Workflow(opts?.name, opts?.version);
}

/** What caribou-ts/testing is told each time a handler returns (see observed). */
export interface HandlerResult {
  run_id: string;
  instance: string;
  function: string;
  result: unknown;
}

/**
 * The global caribou-ts/testing sets to see handlers' return values. The bundled copy of the SDK
 * and the test share only the process, hence a registered symbol; in a Lambda it is never set.
 */
export const RESULT_OBSERVER = Symbol.for('caribou-ts.testing.result-observer');

/** Wraps a handler so that a test harness, if one is listening, sees what it returned. */
function observed(kind: 'function' | 'join', name: string, handler: RegisteredFunction['handler']): RegisteredFunction['handler'] {
  const call = handler as (...args: unknown[]) => unknown;
  return async (...args: unknown[]) => {
    const result = await call(...args);
    const observer = (globalThis as Record<symbol, unknown>)[RESULT_OBSERVER] as ((r: HandlerResult) => void) | undefined;
    if (observer) {
      const ctx = (kind === 'join' ? args[0] : args[1]) as Context;
      observer({ run_id: ctx.runId, instance: ctx.instance, function: name, result });
    }
    return result;
  };
}
