// Reads a folder of the YAML that `kubectl apply` takes and validates every anvil.dev object
// with the capability model's validator (the CRDs' rules). Bad files and objects are reported
// and skipped; the valid rest is used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { validateObject } from '@anvil/capability-model';

const YAML_FILE = /\.ya?ml$/i;
const API_GROUP = 'anvil.dev/';

/** A problem of the folder: where, which object and field, and what. */
export interface Problem {
  file: string;
  line: number;
  object: string;
  field: string;
  message: string;
}

/** A valid anvil.dev object and where it was defined. */
export interface LoadedObject {
  object: AnvilObject;
  source: { file: string; line: number };
}

/** What validateObject accepted: an object with kind and metadata. */
export interface AnvilObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

/** The folder's valid objects, its problems, its files, and how many objects were not ours. */
export interface Loaded {
  objects: LoadedObject[];
  problems: Problem[];
  files: string[];
  ignored: number;
}

/** Every *.yaml / *.yml file under `dir`, recursively, sorted; dot-folders and node_modules skipped. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (entry.isFile() && YAML_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

const firstLine = (message: string) => message.split('\n')[0].replace(/:\s*$/, '');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
export const namespaceOf = (o: { metadata: { namespace?: string } }) =>
  o.metadata.namespace || 'default';

function describe(o: unknown): string {
  const r = (o ?? {}) as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof r.kind === 'string' ? r.kind : '(no kind)';
  const name = typeof r.metadata?.name === 'string' ? r.metadata.name : '(no name)';
  return `${kind}/${name}`;
}

const problem = (file: string, line: number, message: string, object = '', field = '') => ({
  file,
  line,
  object,
  field,
  message,
});

/** Loads and validates the folder, in file order. */
export function loadFolder(dir: string): Loaded {
  const loaded: Loaded = { objects: [], problems: [], files: [], ignored: 0 };
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a folder');
    loaded.files = yamlFiles(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : messageOf(error);
    loaded.problems.push(problem(dir, 0, `cannot read the manifests folder: ${why}`));
    return loaded;
  }
  const seen = new Map<string, { file: string; line: number }>();
  for (const file of loaded.files) loadFile(file, loaded, seen);
  return loaded;
}

function loadFile(file: string, loaded: Loaded, seen: Map<string, LoadedObject['source']>): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    loaded.problems.push(problem(file, 0, `cannot read: ${messageOf(error)}`));
    return;
  }
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  } catch (error) {
    loaded.problems.push(problem(file, 0, `invalid YAML: ${firstLine(messageOf(error))}`));
    return;
  }
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const line = lineCounter.linePos(doc.contents?.range?.[0] ?? 0).line;
    if (doc.errors.length > 0) {
      const at = lineCounter.linePos(doc.errors[0].pos[0]).line;
      const why = firstLine(doc.errors[0].message);
      loaded.problems.push(problem(file, at, `invalid YAML (document skipped): ${why}`));
      continue;
    }
    let object: unknown;
    try {
      object = doc.toJS();
    } catch (error) {
      const why = firstLine(messageOf(error));
      loaded.problems.push(problem(file, line, `invalid YAML (document skipped): ${why}`));
      continue;
    }
    addObject(object, { file, line }, loaded, seen);
  }
}

function addObject(
  object: unknown,
  source: LoadedObject['source'],
  loaded: Loaded,
  seen: Map<string, LoadedObject['source']>,
): void {
  if (object === null || object === undefined) return;
  const apiVersion = (object as { apiVersion?: unknown }).apiVersion;
  if (typeof apiVersion === 'string' && !apiVersion.startsWith(API_GROUP)) {
    loaded.ignored++; // another API group (a Deployment, a ConfigMap...): not ours to run
    return;
  }
  const issues = validateObject(object);
  for (const issue of issues)
    loaded.problems.push(
      problem(source.file, source.line, issue.message, describe(object), issue.path),
    );
  if (issues.length > 0) return;
  const valid = object as AnvilObject;
  if (valid.kind === 'CapabilityBinding') {
    loaded.ignored++; // bindings are computed here, as the controller computes them
    return;
  }
  const key = `${valid.kind}/${namespaceOf(valid)}/${valid.metadata.name}`;
  const first = seen.get(key);
  if (first) {
    const message = `duplicate: already defined at ${path.basename(first.file)}:${first.line}; this one is skipped`;
    loaded.problems.push(
      problem(source.file, source.line, message, describe(valid), 'metadata.name'),
    );
    return;
  }
  seen.set(key, source);
  loaded.objects.push({ object: valid, source });
}

/** One problem as a terminal line: `file:line: Kind/name: field: message`. */
export function formatProblem(p: Problem, base?: string): string {
  const file = base ? path.relative(base, p.file) || path.basename(p.file) : p.file;
  return [`${file}${p.line ? `:${p.line}` : ''}`, p.object, p.field, p.message]
    .filter(Boolean)
    .join(': ');
}

/** Loads the folder and prints every problem with file, object and field. */
export function readFolder(dir: string, log: (l: string) => void, warn: (l: string) => void) {
  const loaded = loadFolder(dir);
  for (const p of loaded.problems) warn(`  invalid: ${formatProblem(p, dir)}`);
  if (loaded.ignored) log(`  (${loaded.ignored} object(s) of other kinds or API groups ignored)`);
  return loaded;
}
