/**
 * Reads a workflow module's TypeScript source, without running it, and finds:
 * the `workflow({ name, version })` object, every `wf.fn(...)` / `wf.join(...)` registration
 * with its literal options, and every `ctx.invoke(...)` call site inside each handler.
 *
 * The analysis is syntactic (one file, no type checker): it is fast, deterministic and needs no
 * module resolution. Its rules are the authoring contract documented in sdk/README.md.
 */
import * as ts from 'typescript';
import { SourceDiagnostic } from './diagnostics';

/** A literal value read from the source (what an option may hold). */
export type Literal = string | number | boolean | null | Literal[] | { [k: string]: Literal };

/** One `ctx.invoke(target, payload, options?)` in a handler, numbered in source order. */
export interface InvokeSite {
  /** 0, 1, 2 … in source order within the calling function */
  index: number;
  /** the identifier named as the target (resolved against the registrations by the DAG builder) */
  targetName: string | null;
  /** the call expression (for instrumentation) */
  call: ts.CallExpression;
  line: number;
  column: number;
}

/** One registered function as found in the source. */
export interface FunctionDecl {
  /** the variable the registration is bound to (`const mapper = wf.fn(...)`), if any */
  variable: string | null;
  kind: 'function' | 'join';
  /** the `name` option */
  name: string;
  options: Record<string, Literal>;
  sites: InvokeSite[];
  line: number;
  column: number;
}

/** Everything found in one workflow source file. */
export interface SourceScan {
  file: string;
  /** name and version are null for `workflow()`: they come from the manifest (one place for them) */
  workflow: { name: string | null; version: string | null; variable: string; line: number } | null;
  functions: FunctionDecl[];
  exportsDefaultWorkflow: boolean;
  diagnostics: SourceDiagnostic[];
}

/** Parses `text` as TypeScript (no type checking). */
export function parseSource(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

/**
 * The syntax errors the parser recovered from. The parser always returns a tree, even for
 * text that is not TypeScript, so a DAG read from it would be a guess: they must refuse the source.
 */
export function syntaxErrors(sf: ts.SourceFile): SourceDiagnostic[] {
  // `parseDiagnostics` is how the compiler itself reads them (ts.Program#getSyntacticDiagnostics)
  const found = (sf as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return found.map((d) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
    return { file: sf.fileName, line: line + 1, column: character + 1, message: `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` };
  });
}

/** Scans a parsed workflow module; never throws for problems in the user's code (they become diagnostics). */
export function scanSource(sf: ts.SourceFile): SourceScan {
  const syntax = syntaxErrors(sf);
  if (syntax.length > 0) return { file: sf.fileName, workflow: null, functions: [], exportsDefaultWorkflow: false, diagnostics: syntax };
  const diagnostics: SourceDiagnostic[] = [];
  const at = (node: ts.Node, message: string): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    diagnostics.push({ file: sf.fileName, line: line + 1, column: character + 1, message });
  };
  const pos = (node: ts.Node): { line: number; column: number } => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return { line: line + 1, column: character + 1 };
  };

  // Local names bound to the SDK's `workflow` factory (import { workflow as w } is fine).
  const factoryNames = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause?.namedBindings || !ts.isNamedImports(st.importClause.namedBindings)) continue;
    for (const el of st.importClause.namedBindings.elements) {
      if ((el.propertyName ?? el.name).text === 'workflow') factoryNames.add(el.name.text);
    }
  }

  let workflow: SourceScan['workflow'] = null;
  const functions: FunctionDecl[] = [];
  let exportsDefaultWorkflow = false;
  const isFactoryCall = (e: ts.Expression | undefined): e is ts.CallExpression =>
    !!e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && factoryNames.has(e.expression.text);

  // Pass 1: the workflow object (top level only: it must exist before handlers run).
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const decl of st.declarationList.declarations) {
      if (!isFactoryCall(decl.initializer)) continue;
      if (!ts.isIdentifier(decl.name)) {
        at(decl, 'bind the workflow to a plain variable, e.g. `const wf = workflow({ ... })`');
        continue;
      }
      if (workflow) {
        at(decl, `a module defines one workflow; a second one is created here (the first is "${workflow.variable}")`);
        continue;
      }
      const opts = decl.initializer.arguments[0];
      if (!opts) {
        workflow = { name: null, version: null, variable: decl.name.text, line: pos(decl).line };
        continue;
      }
      const lit = opts ? literalOf(opts) : undefined;
      const obj = lit && typeof lit === 'object' && !Array.isArray(lit) ? (lit as Record<string, Literal>) : undefined;
      if (!obj || typeof obj.name !== 'string' || typeof obj.version !== 'string') {
        at(decl.initializer, 'workflow(...) needs no argument (name and version come from .caribou/config.yml) or an object literal with string literals `name` and `version`');
        continue;
      }
      workflow = { name: obj.name, version: obj.version, variable: decl.name.text, line: pos(decl).line };
    }
  }
  if (!workflow) {
    diagnostics.push({
      file: sf.fileName,
      line: 1,
      column: 1,
      message:
        factoryNames.size === 0
          ? 'no workflow found: import { workflow } from the Caribou SDK and create one with `const wf = workflow({ name, version })`'
          : 'no workflow found: create one at the top level with `const wf = workflow({ name, version })`',
    });
    return { file: sf.fileName, workflow, functions, exportsDefaultWorkflow, diagnostics };
  }
  const wfName = workflow.variable;

  const registrationKind = (e: ts.Node): 'function' | 'join' | null => {
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return null;
    const recv = e.expression.expression;
    if (!ts.isIdentifier(recv) || recv.text !== wfName) return null;
    const m = e.expression.name.text;
    return m === 'fn' ? 'function' : m === 'join' ? 'join' : null;
  };

  // Pass 2: registrations at the top level; anywhere else they would be invisible to deploy.
  const visitNested = (node: ts.Node, topLevel: boolean): void => {
    if (!topLevel && registrationKind(node)) at(node, `register functions at the top level of the module, not inside other code (\`${wfName}.fn\`/\`${wfName}.join\`)`);
    ts.forEachChild(node, (c) => visitNested(c, false));
  };
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st) && !st.isExportEquals && ts.isIdentifier(st.expression) && st.expression.text === wfName) exportsDefaultWorkflow = true;
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const el of st.exportClause.elements) if (el.name.text === 'default' && (el.propertyName ?? el.name).text === wfName) exportsDefaultWorkflow = true;
    let handled = false;
    if (ts.isVariableStatement(st)) {
      for (const decl of st.declarationList.declarations) {
        const kind = decl.initializer ? registrationKind(decl.initializer) : null;
        if (!kind || !decl.initializer) continue;
        handled = true;
        const fn = readRegistration(decl.initializer as ts.CallExpression, kind, ts.isIdentifier(decl.name) ? decl.name.text : null);
        if (fn) functions.push(fn);
        visitArgsForNested(decl.initializer as ts.CallExpression);
      }
    } else if (ts.isExpressionStatement(st) && registrationKind(st.expression)) {
      handled = true;
      const fn = readRegistration(st.expression as ts.CallExpression, registrationKind(st.expression)!, null);
      if (fn) functions.push(fn);
      visitArgsForNested(st.expression as ts.CallExpression);
    }
    if (!handled) visitNested(st, true);
  }
  function visitArgsForNested(call: ts.CallExpression): void {
    for (const a of call.arguments) visitNested(a, false);
  }

  function readRegistration(call: ts.CallExpression, kind: 'function' | 'join', variable: string | null): FunctionDecl | null {
    const [rawOpts, handler] = call.arguments;
    const optsNode = rawOpts && unwrap(rawOpts);
    const where = pos(call);
    if (!optsNode || !ts.isObjectLiteralExpression(optsNode)) {
      at(call, `${wfName}.${kind === 'join' ? 'join' : 'fn'}(...) needs an object literal of options as its first argument`);
      return null;
    }
    const options: Record<string, Literal> = {};
    for (const p of optsNode.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
        at(p, 'function options must be plain `key: value` pairs with literal values (deploy reads them without running the code)');
        continue;
      }
      const v = literalOf(p.initializer);
      if (v === undefined) {
        at(p.initializer, `option "${p.name.text}" must be a literal value (deploy reads it without running the code)`);
        continue;
      }
      options[p.name.text] = v;
    }
    if (typeof options.name !== 'string') {
      at(optsNode, 'every function needs a string literal `name` option');
      return null;
    }
    const name = options.name;
    if (!handler || !(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler))) {
      at(handler ?? call, `function "${name}": write its handler inline, as an arrow function or function expression, so its call sites can be read`);
      return { variable, kind, name, options, sites: [], ...where };
    }
    const ctxParam = handler.parameters[kind === 'join' ? 0 : 1];
    let ctxName: string | null = null;
    if (ctxParam) {
      if (ts.isIdentifier(ctxParam.name)) ctxName = ctxParam.name.text;
      else if (mentionsInvoke(ctxParam.name)) at(ctxParam, `function "${name}": name the context parameter (e.g. \`ctx\`) instead of destructuring \`invoke\` from it`);
    }
    // a named handler that calls itself would run its call sites more than once per instance
    if (ts.isFunctionExpression(handler) && handler.name && refersTo(handler.body, handler.name.text))
      at(handler.name, `function "${name}": its handler calls itself; a handler runs once per instance, so each call site fires at most once`);
    const sites = ctxName ? findSites(handler, ctxName, name) : [];
    return { variable, kind, name, options, sites, ...where };
  }

  function findSites(handler: ts.ArrowFunction | ts.FunctionExpression, ctxName: string, fnName: string): InvokeSite[] {
    const calls: ts.CallExpression[] = [];
    // a handler calling itself is refused on its own; the context it passes need not be again
    const self = ts.isFunctionExpression(handler) ? handler.name?.text : undefined;
    const callsItself = (n: ts.Node): boolean => self !== undefined && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === self;
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node.text === ctxName) {
        const parent = node.parent;
        if (ts.isPropertyAccessExpression(parent) && parent.expression === node && parent.name.text === 'invoke') {
          if (ts.isCallExpression(parent.parent) && parent.parent.expression === parent) calls.push(parent.parent);
          else at(parent, `function "${fnName}": call \`${ctxName}.invoke(...)\` directly; passing the method around hides the call site from deploy`);
        } else if (ts.isElementAccessExpression(parent) && parent.expression === node) {
          at(parent, `function "${fnName}": use \`${ctxName}.invoke(...)\`, not an index expression, so deploy can see the call site`);
        } else if (!ts.isPropertyAccessExpression(parent) && !namesNotUses(node) && !callsItself(parent) && !shadowed(node, handler, ctxName)) {
          // an alias (`const c = ctx`), a destructuring or a helper given the context could call
          // invoke where deploy cannot see it: that call would have no site, and fail every run
          at(node, `function "${fnName}": use the context only as \`${ctxName}.<member>\` in the handler; aliasing it (\`const c = ${ctxName}\`), destructuring it or passing it on hides its invoke call sites from deploy`);
        }
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(handler.body, visit);
    calls.sort((a, b) => a.getStart(sf) - b.getStart(sf));
    return calls.map((call, index) => {
      const enclosing = enclosingRepeat(call, handler);
      if (enclosing === 'loop')
        at(call, `function "${fnName}": an invoke inside a loop is not allowed; each call site is one instance of its successor, so unroll the calls and skip the ones you do not need with \`{ conditional: false }\``);
      else if (enclosing === 'function')
        at(call, `function "${fnName}": an invoke inside a nested function or callback is not allowed (it could run any number of times); call \`${ctxName}.invoke\` directly in the handler's body`);
      const target = call.arguments[0];
      let targetName: string | null = null;
      if (target && ts.isIdentifier(target)) targetName = target.text;
      else at(target ?? call, `function "${fnName}": the target of an invoke must be the variable of a function registered in this workflow (e.g. \`${ctxName}.invoke(mapper, payload)\`)`);
      if (call.arguments.length > 3) at(call, `function "${fnName}": invoke takes (target, payload, options?); the fourth argument is reserved for the call-site index deploy inserts`);
      return { index, targetName, call, ...pos(call) };
    });
  }

  if (!exportsDefaultWorkflow) {
    diagnostics.push({ file: sf.fileName, line: workflow.line, column: 1, message: `the module must \`export default ${wfName};\` so deploy and the runtime can find the workflow` });
  }
  return { file: sf.fileName, workflow, functions, exportsDefaultWorkflow, diagnostics };
}

/** Whether an identifier names something here (a declaration, a property, a type query) rather than reading the variable. */
function namesNotUses(id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isParameter(p) || ts.isVariableDeclaration(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p)) && p.name === id) return true;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p)) && p.name === id) return true;
  if (ts.isBindingElement(p) && p.propertyName === id) return true;
  if (ts.isQualifiedName(p) || ts.isTypeQueryNode(p) || ts.isLabeledStatement(p)) return true;
  return false;
}

/** Whether a nested function between `node` and the handler declares its own parameter `name` (so `node` is not the context). */
function shadowed(node: ts.Node, handler: ts.Node, name: string): boolean {
  const declares = (b: ts.BindingName): boolean => (ts.isIdentifier(b) ? b.text === name : b.elements.some((e) => !ts.isOmittedExpression(e) && declares(e.name)));
  for (let n = node.parent; n && n !== handler; n = n.parent) if (ts.isFunctionLike(n) && n.parameters.some((p) => declares(p.name))) return true;
  return false;
}

/** What repeats around a node up to its handler: a loop, a nested function, or nothing. */
function enclosingRepeat(node: ts.Node, handler: ts.Node): 'loop' | 'function' | null {
  let child: ts.Node = node;
  for (let n = node.parent; n && n !== handler; child = n, n = n.parent) {
    if (ts.isIterationStatement(n, false)) {
      // a `for` initializer runs once; everything else of a loop may repeat
      if (ts.isForStatement(n) && n.initializer === child) continue;
      if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && n.expression === child) continue;
      return 'loop';
    }
    if (ts.isFunctionLike(n)) return 'function';
  }
  return null;
}

/** Whether `node` contains an identifier reference named `name` (not a property name). */
function refersTo(node: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function mentionsInvoke(pattern: ts.BindingName): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n.text === 'invoke') found = true;
    ts.forEachChild(n, visit);
  };
  visit(pattern);
  return found;
}

/** Strips parentheses and type assertions (`x as T`, `x satisfies T`, `<T>x`), which do not change the value. */
function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** Evaluates a literal expression (strings, numbers, booleans, null, arrays, objects); undefined if not literal. */
export function literalOf(e: ts.Expression): Literal | undefined {
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) return literalOf(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return -Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(e)) {
    const out: Literal[] = [];
    for (const el of e.elements) {
      const v = literalOf(el);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  if (ts.isObjectLiteralExpression(e)) {
    const out: Record<string, Literal> = {};
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return undefined;
      const v = literalOf(p.initializer);
      if (v === undefined) return undefined;
      out[p.name.text] = v;
    }
    return out;
  }
  return undefined;
}
