#!/usr/bin/env node
// Fails on any runtime import cycle under src/: with ESM, a cycle means one side sees the other's
// exports uninitialised at start-up. `import type` (and imports of only `type` names) are erased by
// the compiler and do not count; neither do dynamic `import()`s, which run after start-up.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? 'src');

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* files(path);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield path;
  }
}

const typeOnly = (clause) =>
  clause === undefined ||
  clause.isTypeOnly ||
  (clause.name === undefined &&
    clause.namedBindings !== undefined &&
    ts.isNamedImports(clause.namedBindings) &&
    clause.namedBindings.elements.length > 0 &&
    clause.namedBindings.elements.every((e) => e.isTypeOnly));

/** The runtime (value) imports of one file, as absolute .ts paths inside `root`. */
function runtimeImports(path) {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
  const out = [];
  for (const node of source.statements) {
    let spec;
    if (ts.isImportDeclaration(node) && !(node.importClause !== undefined && typeOnly(node.importClause))) spec = node.moduleSpecifier;
    else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier !== undefined &&
      !(node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly))
    )
      spec = node.moduleSpecifier;
    if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    out.push(resolve(dirname(path), spec.text.replace(/\.js$/, '.ts')));
  }
  return out;
}

const graph = new Map([...files(root)].map((f) => [f, runtimeImports(f)]));

// Tarjan's strongly connected components: every component with more than one file is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function connect(v) {
  const m = { index, low: index, onStack: true };
  meta.set(v, m);
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    const n = meta.get(w);
    if (n === undefined) {
      connect(w);
      m.low = Math.min(m.low, meta.get(w).low);
    } else if (n.onStack) m.low = Math.min(m.low, n.index);
  }
  if (m.low !== m.index) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    meta.get(w).onStack = false;
    component.push(w);
  } while (w !== v);
  if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
}
for (const v of graph.keys()) if (!meta.has(v)) connect(v);

/** One concrete loop through a component, for the message. */
function loopIn(component) {
  const inside = new Set(component);
  const start = component[0];
  const path = [start];
  const seen = new Set([start]);
  for (;;) {
    const here = path[path.length - 1];
    const next = graph.get(here).filter((w) => inside.has(w));
    const back = next.find((w) => w === start);
    if (back !== undefined) return [...path, start];
    const step = next.find((w) => !seen.has(w)) ?? next[0];
    if (seen.has(step)) return [...path.slice(path.indexOf(step)), step];
    seen.add(step);
    path.push(step);
  }
}

for (const c of cycles) {
  const rel = (p) => relative(process.cwd(), p);
  console.error(`import cycle (${c.length} files): ${loopIn(c).map(rel).join(' → ')}`);
}
if (cycles.length > 0) process.exit(1);
console.log(`no import cycles in ${graph.size} files`);
