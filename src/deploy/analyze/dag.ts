/**
 * Turns the registrations and call sites found in the source into the DAG of instances,
 * with Caribou's instance names (join index filled in). The naming rule, exactly:
 *
 *   P(fn)     = <workflow_name>-<version with "." replaced by "_">-<fn>
 *   entry     = P(fn):entry_point:0
 *   ordinary  = P(fn):P(pred)_<dag index of the predecessor instance>_<call site k in pred>:<dag index>
 *   join      = P(fn):sync:<dag index>
 *
 * Every call site of an ordinary function's instance creates one new instance of its target;
 * a join has one instance, and every call site reaching it is one of its slots.
 * DAG indices are assigned breadth-first from the entry point (call sites in order), except
 * that a join gets its index only once every one of its predecessor instances has one. So the
 * indices have no gaps and listing instances by index is a topological order.
 */
import { CallSite, InstanceConfig } from '../../model/workflow-config';
import { SourceDiagnostic } from './diagnostics';
import { FunctionDecl, InvokeSite } from './source';

/** Guard against DAGs whose instance count explodes (every fan-out multiplies the ones below it). */
export const MAX_INSTANCES = 1000;

/** The instance-name prefix of a function: `<workflow>-<version with _>-<fn>`. */
export function instancePrefix(workflowName: string, version: string, fn: string): string {
  return `${workflowName}-${version.replace(/\./g, '_')}-${fn}`;
}

/** What the DAG builder returns: instances in DAG-index order, plus findings. */
export interface DagResult {
  instances: InstanceConfig[];
  /** functions no instance reaches (they get no instance; a warning, not an error) */
  unreachable: string[];
  diagnostics: SourceDiagnostic[];
}

interface Node {
  fn: FunctionDecl;
  /** for ordinary instances: the predecessor node and the call site that created it */
  from: { node: Node; site: number } | null;
  /** incoming slots still unresolved while indices are assigned */
  pending: number;
  index: number;
  name: string;
  out: Array<{ site: number; target: Node }>;
  slots: Array<{ node: Node; site: number }>;
}

/** Builds the instance DAG from the scanned functions; problems become diagnostics (file:line). */
export function buildDag(file: string, workflowName: string, version: string, functions: FunctionDecl[]): DagResult {
  const diagnostics: SourceDiagnostic[] = [];
  const at = (where: { line: number; column: number }, message: string): void => {
    diagnostics.push({ file, line: where.line, column: where.column, message });
  };
  const byVariable = new Map<string, FunctionDecl>();
  const byName = new Map<string, FunctionDecl>();
  for (const f of functions) {
    const dup = byName.get(f.name);
    if (dup) at(f, `function name "${f.name}" is already used by the function registered at line ${dup.line}`);
    else byName.set(f.name, f);
    if (f.variable) byVariable.set(f.variable, f);
  }

  // Resolve every call site's target to a registered function.
  const targets = new Map<InvokeSite, FunctionDecl>();
  for (const f of functions) {
    for (const s of f.sites) {
      if (s.targetName === null) continue; // already reported by the scanner
      const t = byVariable.get(s.targetName);
      if (t) targets.set(s, t);
      else at(s, `function "${f.name}" invokes "${s.targetName}", which is not a function registered in this workflow (register it with wf.fn/wf.join and invoke the variable it is bound to)`);
    }
  }

  const entries = functions.filter((f) => f.options.entryPoint === true);
  for (const j of entries.filter((f) => f.kind === 'join')) at(j, `join "${j.name}" cannot be the entry point: a join waits for its predecessors, and an entry point has none`);
  const fileStart = { line: 1, column: 1 };
  if (entries.length === 0) {
    at(functions[0] ?? fileStart, 'no entry point: mark exactly one function with `entryPoint: true`');
  } else if (entries.length > 1) {
    for (const e of entries.slice(1)) at(e, `several entry points: "${e.name}" and "${entries[0].name}" (line ${entries[0].line}) both set \`entryPoint: true\`; a workflow has exactly one`);
  }

  // A cycle anywhere among the functions (call sites are edges) makes the instance DAG infinite.
  const state = new Map<FunctionDecl, 'open' | 'done'>();
  const stack: Array<{ fn: FunctionDecl; site?: InvokeSite }> = [];
  let cycleFound = false;
  const dfs = (fn: FunctionDecl): void => {
    state.set(fn, 'open');
    for (const s of fn.sites) {
      const t = targets.get(s);
      if (!t || cycleFound) continue;
      if (state.get(t) === 'open') {
        // the stack holds the callers above `fn`; the cycle runs from `t` down to `fn` and back
        const start = t === fn ? -1 : stack.findIndex((e) => e.fn === t);
        const loop = [...(start < 0 ? [] : stack.slice(start).map((e) => e.fn.name)), fn.name, t.name];
        at(s, `a cycle: ${loop.join(' → ')}; a workflow must be a DAG (a function may not, directly or through others, invoke itself)`);
        cycleFound = true;
        continue;
      }
      if (!state.has(t)) {
        stack.push({ fn, site: s });
        dfs(t);
        stack.pop();
      }
    }
    state.set(fn, 'done');
  };
  for (const f of functions) {
    if (state.has(f) || cycleFound) continue;
    stack.length = 0;
    dfs(f);
  }

  // a site whose target the scanner could not read (`x as any`, `obj.fn`) was reported there: no DAG without it
  const unresolved = functions.some((f) => f.sites.some((s) => !targets.has(s)));
  if (diagnostics.length > 0 || entries.length !== 1 || unresolved) return { instances: [], unreachable: [], diagnostics };
  const entry = entries[0];

  // Phase 1: create the nodes (one per call site of ordinary targets; one per join).
  const nodes: Node[] = [];
  const joinNode = new Map<FunctionDecl, Node>();
  const mk = (fn: FunctionDecl, from: Node['from']): Node => {
    const n: Node = { fn, from, pending: 0, index: -1, name: '', out: [], slots: [] };
    nodes.push(n);
    return n;
  };
  const root = mk(entry, null);
  const work: Node[] = [root];
  while (work.length > 0) {
    const n = work.shift()!;
    for (const s of n.fn.sites) {
      const t = targets.get(s)!;
      let target: Node;
      if (t.kind === 'join') {
        target = joinNode.get(t) ?? mk(t, null);
        if (!joinNode.has(t)) {
          joinNode.set(t, target);
          work.push(target);
        }
      } else {
        target = mk(t, { node: n, site: s.index });
        work.push(target);
      }
      n.out.push({ site: s.index, target });
      target.pending++;
      if (nodes.length > MAX_INSTANCES) {
        at(s, `the DAG grows past ${MAX_INSTANCES} instances (every call site of an ordinary function multiplies the instances below it); use joins to merge branches`);
        return { instances: [], unreachable: [], diagnostics };
      }
    }
  }

  // Phase 2: indices in breadth-first order, joins only once all their slots are known.
  const prefix = (fn: FunctionDecl): string => instancePrefix(workflowName, version, fn.name);
  let next = 0;
  const ready: Node[] = [root];
  const ordered: Node[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    n.index = next++;
    if (n === root) n.name = `${prefix(n.fn)}:entry_point:0`;
    else if (n.fn.kind === 'join') n.name = `${prefix(n.fn)}:sync:${n.index}`;
    else n.name = `${prefix(n.fn)}:${prefix(n.from!.node.fn)}_${n.from!.node.index}_${n.from!.site}:${n.index}`;
    ordered.push(n);
    for (const o of n.out) {
      o.target.slots.push({ node: n, site: o.site });
      if (--o.target.pending === 0) ready.push(o.target);
    }
  }

  const instances: InstanceConfig[] = ordered.map((n) => {
    const call_sites: CallSite[] = n.out.map((o) => ({ site: o.site, successor: o.target.name }));
    const inst: InstanceConfig = {
      instance_name: n.name,
      function_name: n.fn.name,
      succeeding_instances: unique(n.out.map((o) => o.target.name)),
      preceding_instances: unique(n.slots.map((s) => s.node.name)),
      call_sites,
    };
    if (n === root) inst.entry_point = true;
    if (n.fn.kind === 'join') inst.join_slots = n.slots.map((s) => `${s.node.name}#${s.site}`);
    return inst;
  });
  const reached = new Set(ordered.map((n) => n.fn));
  const unreachable = functions.filter((f) => !reached.has(f)).map((f) => f.name);
  return { instances, unreachable, diagnostics };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
