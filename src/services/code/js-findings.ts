// Security findings in JavaScript from its syntax tree (acorn), not from substrings: a module
// loaded by require/import, eval and the Function constructor, process internals.
import { parse, type Node } from 'acorn';

export type Severity = 'low' | 'medium' | 'high';
export interface Finding {
  pattern: string;
  message: string;
  severity: Severity;
  line?: number | null;
  column?: number | null;
}

const MODULES: Record<string, Severity> = {
  child_process: 'high',
  vm: 'high',
  worker_threads: 'high',
  cluster: 'high',
  inspector: 'high',
  module: 'high',
  v8: 'high',
  process: 'medium',
  fs: 'medium',
  'fs/promises': 'medium',
  net: 'medium',
  dgram: 'medium',
  dns: 'medium',
  http: 'medium',
  https: 'medium',
  http2: 'medium',
  tls: 'medium',
  os: 'low',
};
const PROCESS_MEMBERS: Record<string, Severity> = { binding: 'high', _linkedBinding: 'high', dlopen: 'high', kill: 'medium', env: 'medium', chdir: 'low', setuid: 'high', setgid: 'high' };

type AnyNode = Node & Record<string, unknown>;

function* walk(node: unknown): Generator<AnyNode> {
  if (Array.isArray(node)) {
    for (const n of node) yield* walk(n);
    return;
  }
  if (node === null || typeof node !== 'object' || typeof (node as { type?: unknown }).type !== 'string') return;
  yield node as AnyNode;
  for (const [key, value] of Object.entries(node)) if (key !== 'loc' && value && typeof value === 'object') yield* walk(value);
}

function literal(n: unknown): string | null {
  const node = n as AnyNode | undefined;
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0) return (node.quasis as Array<{ value: { cooked: string } }>)[0]?.value.cooked ?? null;
  return null;
}

function isName(n: unknown, name: string): boolean {
  return (n as AnyNode | undefined)?.type === 'Identifier' && (n as AnyNode).name === name;
}

function moduleFinding(source: unknown, via: string): Omit<Finding, 'line' | 'column'> | null {
  const name = literal(source);
  if (name === null) return { pattern: `${via}(<expression>)`, message: `loads a module whose name is computed at run time`, severity: 'medium' };
  const bare = name.replace(/^node:/, '');
  const severity = MODULES[bare];
  return severity ? { pattern: `${via}('${name}')`, message: `loads the ${bare} module`, severity } : null;
}

function findingAt(node: AnyNode): (f: Omit<Finding, 'line' | 'column'> | null) => Finding | null {
  return (f) => (f ? { ...f, line: node.loc?.start.line ?? null, column: node.loc?.start.column ?? null } : null);
}

function nodeFinding(node: AnyNode): Finding | null {
  const at = findingAt(node);
  switch (node.type) {
    case 'ImportDeclaration':
      return at(moduleFinding(node.source, 'import'));
    case 'ImportExpression':
      return at(moduleFinding(node.source, 'import'));
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
      return node.source ? at(moduleFinding(node.source, 'export from')) : null;
    case 'CallExpression':
    case 'NewExpression': {
      const callee = node.callee as AnyNode;
      if (node.type === 'CallExpression' && isName(callee, 'require')) return at(moduleFinding((node.arguments as unknown[])[0], 'require'));
      if (isName(callee, 'eval')) return at({ pattern: 'eval()', message: 'evaluates a string as code', severity: 'high' });
      if (isName(callee, 'Function')) return at({ pattern: `${node.type === 'NewExpression' ? 'new ' : ''}Function()`, message: 'builds a function from a string', severity: 'high' });
      return null;
    }
    case 'MemberExpression': {
      const prop = node.computed ? literal(node.property) : (((node.property as AnyNode).name as string | undefined) ?? null);
      if (prop === null) return null;
      if (isName(node.object, 'process') && PROCESS_MEMBERS[prop]) return at({ pattern: `process.${prop}`, message: `uses process.${prop}`, severity: PROCESS_MEMBERS[prop] });
      if (prop === 'constructor' && (node.object as AnyNode).type === 'MemberExpression' && ((node.object as AnyNode).property as AnyNode).name === 'constructor') {
        return at({ pattern: '.constructor.constructor', message: 'reaches the Function constructor through a prototype chain, a sandbox-escape idiom', severity: 'high' });
      }
      if (prop === '__proto__') return at({ pattern: '__proto__', message: 'touches an object prototype directly', severity: 'low' });
      return null;
    }
    default:
      return null;
  }
}

/** A JavaScript program's tree: a script when it parses as one (so `require` works), else a module; or the module parse's error. */
export function parseJavaScript(code: string): { tree: Node; kind: 'cjs' | 'mjs' } | { error: Error & { loc?: { line: number; column: number } } } {
  const options = { ecmaVersion: 'latest', locations: true, allowHashBang: true } as const;
  try {
    return { tree: parse(code, { ...options, sourceType: 'script' }), kind: 'cjs' };
  } catch {
    /* maybe a module */
  }
  try {
    return { tree: parse(code, { ...options, sourceType: 'module' }), kind: 'mjs' };
  } catch (err) {
    return { error: err as Error };
  }
}

/** Syntax errors (as a script or a module, whichever parses) and findings from the tree. */
export function analyzeJavaScript(code: string): { errors: Array<{ message: string; line: number | null; column: number | null }>; issues: Finding[] } {
  const parsed = parseJavaScript(code);
  if ('error' in parsed) return { errors: [{ message: parsed.error.message, line: parsed.error.loc?.line ?? null, column: parsed.error.loc?.column ?? null }], issues: [] };
  const issues: Finding[] = [];
  for (const node of walk(parsed.tree)) {
    const f = nodeFinding(node);
    if (f) issues.push(f);
  }
  return { errors: [], issues };
}
