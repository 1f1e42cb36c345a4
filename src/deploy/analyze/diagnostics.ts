import * as path from 'path';
import { UserError } from '../../model/errors';

/** One finding about a workflow's source, addressed by file and 1-based line/column. */
export interface SourceDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Renders a diagnostic as `file:line:column: message` (file relative to `base` when given). */
export function formatDiagnostic(d: SourceDiagnostic, base?: string): string {
  const file = base ? path.relative(base, d.file) || d.file : d.file;
  return `${file}:${d.line}:${d.column}: ${d.message}`;
}

/** Thrown when a workflow's source cannot be turned into a DAG; lists every finding at once. */
export class AnalysisError extends UserError {
  constructor(readonly diagnostics: SourceDiagnostic[], base?: string) {
    super(
      diagnostics.length === 1
        ? `the workflow source has a problem:\n  ${formatDiagnostic(diagnostics[0], base)}`
        : `the workflow source has ${diagnostics.length} problems:\n${diagnostics.map((d) => '  ' + formatDiagnostic(d, base)).join('\n')}`,
    );
    this.name = 'AnalysisError';
  }
}
