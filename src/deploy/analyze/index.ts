/**
 * The static DAG builder: workflow source (TypeScript) → workflow config, without running user code.
 *
 *   scanSource   finds the workflow, its registrations and every `ctx.invoke` call site
 *   buildDag     turns call sites into instances with Caribou's names (join index filled)
 *   functionConfigs merges each function's literal options over the manifest
 */
import * as path from 'path';
import { Manifest, workflowIdOf } from '../../model/manifest';
import { WorkflowConfig } from '../../model/workflow-config';
import { buildDag } from './dag';
import { AnalysisError, SourceDiagnostic } from './diagnostics';
import { functionConfigs } from './functions';
import { FunctionDecl, SourceScan, parseSource, scanSource } from './source';

export { AnalysisError, formatDiagnostic } from './diagnostics';
export type { SourceDiagnostic } from './diagnostics';
export { instancePrefix, MAX_INSTANCES } from './dag';
export { parseSource, scanSource } from './source';
export type { FunctionDecl, InvokeSite, SourceScan } from './source';

/** The result of analysing one workflow source: the scan, the DAG, and every finding. */
export interface SourceAnalysis {
  scan: SourceScan;
  instances: WorkflowConfig['instances'];
  unreachable: string[];
  diagnostics: SourceDiagnostic[];
}

/** Analyses a workflow source text; problems are returned as diagnostics, never thrown. */
export function analyzeSource(fileName: string, text: string, manifest?: Pick<Manifest, 'workflow_name' | 'workflow_version'>): SourceAnalysis {
  const scan = scanSource(parseSource(fileName, text));
  if (!scan.workflow) return { scan, instances: [], unreachable: [], diagnostics: scan.diagnostics };
  // `workflow()` takes its name and version from the manifest
  const name = scan.workflow.name ?? manifest?.workflow_name;
  const version = scan.workflow.version ?? manifest?.workflow_version;
  if (name === undefined || version === undefined) {
    const message = 'workflow() without a name and version needs the manifest (.caribou/config.yml) to name it';
    return { scan, instances: [], unreachable: [], diagnostics: [...scan.diagnostics, { file: fileName, line: scan.workflow.line, column: 1, message }] };
  }
  const dag = buildDag(fileName, name, version, scan.functions);
  return { scan, instances: dag.instances, unreachable: dag.unreachable, diagnostics: [...scan.diagnostics, ...dag.diagnostics] };
}

/** Options for {@link buildWorkflowConfig}. */
export interface BuildOptions {
  /** the workflow directory: diagnostics and `source_file` are shown relative to it */
  dir?: string;
}

/**
 * Builds the workflow config from a manifest and the workflow's source text; throws an
 * AnalysisError listing every problem (file:line: sentence) when the source is not a valid workflow.
 */
export function buildWorkflowConfig(manifest: Manifest, fileName: string, text: string, opts: BuildOptions = {}): { config: WorkflowConfig; unreachable: string[] } {
  const a = analyzeSource(fileName, text, manifest);
  const diagnostics = [...a.diagnostics];
  const wf = a.scan.workflow;
  if (wf && wf.name !== null && (wf.name !== manifest.workflow_name || wf.version !== manifest.workflow_version)) {
    diagnostics.push({
      file: fileName,
      line: wf.line,
      column: 1,
      message: `the workflow is "${wf.name}" version "${wf.version}" here but "${manifest.workflow_name}" version "${manifest.workflow_version}" in .caribou/config.yml; they must match`,
    });
  }
  const fns = functionConfigs(fileName, manifest, a.scan.functions);
  diagnostics.push(...fns.diagnostics);
  if (diagnostics.length > 0) throw new AnalysisError(sortDiagnostics(diagnostics), opts.dir);

  const config: WorkflowConfig = {
    workflow_id: workflowIdOf(manifest),
    workflow_name: manifest.workflow_name,
    workflow_version: manifest.workflow_version,
    home_region: manifest.home_region,
    instances: a.instances,
    functions: orderFunctions(fns.functions, a.instances),
    constraints: manifest.constraints ?? null,
    deployment_algorithm: manifest.deployment_algorithm ?? null,
    estimated_invocations_per_month: manifest.estimated_invocations_per_month ?? null,
    environment_variables: manifest.environment_variables ?? [],
    source_file: opts.dir ? path.relative(opts.dir, fileName) : path.basename(fileName),
  };
  const allowed = (manifest.regions_and_providers.allowed_regions ?? []).map((r) => r.region);
  const disallowed = (manifest.regions_and_providers.disallowed_regions ?? []).map((r) => r.region);
  if (allowed.length > 0) config.allowed_regions = allowed;
  if (disallowed.length > 0) config.disallowed_regions = disallowed;
  return { config, unreachable: a.unreachable };
}

/** Functions in the order they first appear in the DAG, then unreachable ones in source order. */
function orderFunctions<F extends { name: string }>(fns: F[], instances: WorkflowConfig['instances']): F[] {
  const rank = new Map<string, number>();
  instances.forEach((inst, i) => {
    if (!rank.has(inst.function_name)) rank.set(inst.function_name, i);
  });
  return fns.map((f, i) => ({ f, r: rank.get(f.name) ?? instances.length + i })).sort((a, b) => a.r - b.r).map((x) => x.f);
}

function sortDiagnostics(ds: SourceDiagnostic[]): SourceDiagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The registration a function name refers to (for tools that show source lines). */
export function findFunction(scan: SourceScan, name: string): FunctionDecl | undefined {
  return scan.functions.find((f) => f.name === name);
}
