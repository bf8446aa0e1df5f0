#!/usr/bin/env node
// `npm run check:cycles`: fails when the first-level folders under a project's src/ import each
// other in a circle (docs/decisions.md, "Folder layering"). Only relative imports count (a
// library is reached through its package name); spec files are left out, since nothing imports
// them. Usage: check-folder-cycles.cjs [project dir...] (default: every apps/*, libs/* and tools/* with a src/ folder).
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..', '..');

/** Every `.ts` file under `dir`, spec files, declaration files and build output aside. */
function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return ['node_modules', 'dist', 'generated'].includes(entry.name) ? [] : sourceFiles(full);
    }
    const source = entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts');
    return source && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** The node a path under `src` belongs to: its first-level folder, or the root file itself. */
function nodeOf(src, target) {
  const relative = path.relative(src, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [first, ...rest] = relative.split(path.sep);
  if (rest.length > 0) return first;
  const isFolder = fs.existsSync(target) && fs.statSync(target).isDirectory();
  return isFolder ? first : first.replace(/\.ts$/, '') + '.ts';
}

/** Each relative module specifier of a file with the statement that names it, on one line. */
function relativeImports(file) {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found = [];
  const statementOf = (node) => {
    while (node.parent && node.parent !== source) node = node.parent;
    return node;
  };
  const add = (specifier) => {
    if (!ts.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return;
    const statement = statementOf(specifier);
    const { line } = source.getLineAndCharacterOfPosition(statement.getStart(source));
    const text = statement.getText(source).replace(/\s+/g, ' ');
    found.push({ specifier: specifier.text, line: line + 1, text });
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      add(node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1) {
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamic || required) add(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The folder graph of one `src` folder: `edges.get(from).get(to)` lists the import lines
 * (`file:line: statement`) that make the edge.
 */
function folderGraph(src) {
  const edges = new Map();
  for (const file of sourceFiles(src)) {
    const from = nodeOf(src, file);
    for (const { specifier, line, text } of relativeImports(file)) {
      const to = nodeOf(src, path.resolve(path.dirname(file), specifier));
      if (to === undefined || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const lines = edges.get(from).get(to) ?? [];
      lines.push(`${path.relative(src, file)}:${line}: ${text}`);
      edges.get(from).set(to, lines);
    }
  }
  return edges;
}

/** Tarjan's strongly connected components with more than one node: each holds a cycle. */
function tangles(edges) {
  const nodes = [
    ...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]),
  ].sort();
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of [...(edges.get(node)?.keys() ?? [])].sort()) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), index.get(to)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

/** The shortest cycle from `start` back to itself inside `within` (breadth first). */
function shortestCycle(edges, start, within) {
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of [...(edges.get(node)?.keys() ?? [])].sort()) {
      if (!within.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (previous.has(to) || to === start) continue;
      previous.set(to, node);
      queue.push(to);
    }
  }
  return undefined;
}

/** One shortest cycle through each folder of each tangle, duplicates (rotations) removed. */
function findCycles(edges) {
  const cycles = new Map();
  for (const component of tangles(edges)) {
    const within = new Set(component);
    for (const start of component) {
      const cycle = shortestCycle(edges, start, within);
      const ring = cycle.slice(0, -1);
      const first = ring.indexOf([...ring].sort()[0]);
      const canonical = [...ring.slice(first), ...ring.slice(0, first)];
      cycles.set(canonical.join(' -> '), [...canonical, canonical[0]]);
    }
  }
  return [...cycles.values()];
}

/** The cycles of one project, each with the import lines of each of its edges. */
function checkProject(projectDir) {
  const src = path.join(projectDir, 'src');
  if (!fs.existsSync(src)) return [];
  const edges = folderGraph(src);
  return findCycles(edges).map((cycle) => ({
    cycle,
    imports: cycle.slice(0, -1).map((from, i) => ({
      from,
      to: cycle[i + 1],
      lines: edges.get(from).get(cycle[i + 1]),
    })),
  }));
}

function defaultProjects() {
  return ['apps', 'libs', 'tools'].flatMap((group) => {
    const dir = path.join(ROOT, group);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .map((name) => path.join(dir, name))
      .filter((project) => fs.existsSync(path.join(project, 'src')));
  });
}

function main(args) {
  const projects = args.length > 0 ? args.map((arg) => path.resolve(arg)) : defaultProjects();
  let total = 0;
  for (const project of projects.sort()) {
    const inRepo = path.relative(ROOT, project);
    const name = inRepo && !inRepo.startsWith('..') ? inRepo : project;
    for (const { cycle, imports } of checkProject(project)) {
      total++;
      console.error(`${name}: folder cycle ${cycle.join(' -> ')}`);
      for (const { from, to, lines } of imports) {
        console.error(`  ${from} -> ${to}:`);
        for (const line of lines) console.error(`    ${line}`);
      }
    }
  }
  if (total > 0) {
    console.error(`\n${total} folder cycle(s); see docs/decisions.md, "Folder layering"`);
    return 1;
  }
  console.log(`no folder cycles in ${projects.length} project(s)`);
  return 0;
}

module.exports = { checkProject, findCycles, folderGraph };

if (require.main === module) process.exit(main(process.argv.slice(2)));
