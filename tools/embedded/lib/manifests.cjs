// Reads a folder of the YAML that `kubectl apply` takes, validates every anvil.dev object with
// the capability model's validator (the CRDs' rules), and resolves each world with the same
// resolve() the controller runs. Bad files and objects are reported and skipped; the valid
// rest is used.
const fs = require('node:fs');
const path = require('node:path');
const { requireFrom } = require('./workspace.cjs');

const { LineCounter, parseAllDocuments } = requireFrom('apps/cli', 'yaml');
const model = requireFrom('.', '@anvil/capability-model');

const YAML_FILE = /\.ya?ml$/i;
const API_GROUP = 'anvil.dev/';

/** Every *.yaml / *.yml file under `dir`, recursively, sorted; dot-folders and node_modules skipped. */
function yamlFiles(dir) {
  const out = [];
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (entry.isFile() && YAML_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

const firstLine = (message) => String(message).split('\n')[0].replace(/:\s*$/, '');
const nsOf = (o) => (o.metadata && o.metadata.namespace) || 'default';
const describe = (o) => {
  const kind = o && typeof o === 'object' && typeof o.kind === 'string' ? o.kind : '(no kind)';
  const name =
    o && o.metadata && typeof o.metadata.name === 'string' ? o.metadata.name : '(no name)';
  return `${kind}/${name}`;
};

/**
 * Loads and validates the folder. Returns the valid objects (each with `source` {file, line})
 * and the problems found (`{ file, line, object, field, message }`), in file order.
 */
function loadFolder(dir) {
  const problems = [];
  const objects = [];
  let ignored = 0;
  let files;
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a folder');
    files = yamlFiles(dir);
  } catch (error) {
    problems.push({
      file: dir,
      line: 0,
      object: '',
      field: '',
      message: `cannot read the manifests folder: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`,
    });
    return { objects, problems, files: [], ignored };
  }
  const seen = new Map();
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      problems.push({
        file,
        line: 0,
        object: '',
        field: '',
        message: `cannot read: ${error.message}`,
      });
      continue;
    }
    const lineCounter = new LineCounter();
    let docs;
    try {
      docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
    } catch (error) {
      problems.push({
        file,
        line: 0,
        object: '',
        field: '',
        message: `invalid YAML: ${firstLine(error.message)}`,
      });
      continue;
    }
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      const start = doc.contents && doc.contents.range ? doc.contents.range[0] : 0;
      const line = lineCounter.linePos(start).line;
      if (doc.errors.length > 0) {
        const pos = lineCounter.linePos(doc.errors[0].pos[0]);
        problems.push({
          file,
          line: pos.line,
          object: '',
          field: '',
          message: `invalid YAML (document skipped): ${firstLine(doc.errors[0].message)}`,
        });
        continue;
      }
      let object;
      try {
        object = doc.toJS();
      } catch (error) {
        problems.push({
          file,
          line,
          object: '',
          field: '',
          message: `invalid YAML (document skipped): ${firstLine(error.message)}`,
        });
        continue;
      }
      if (object === null || object === undefined) continue;
      if (
        object &&
        typeof object === 'object' &&
        typeof object.apiVersion === 'string' &&
        !object.apiVersion.startsWith(API_GROUP)
      ) {
        ignored++; // another API group (a Deployment, a ConfigMap...): not ours to run
        continue;
      }
      const issues = model.validateObject(object);
      if (issues.length > 0) {
        for (const issue of issues)
          problems.push({
            file,
            line,
            object: describe(object),
            field: issue.path,
            message: issue.message,
          });
        continue;
      }
      if (object.kind === 'CapabilityBinding') {
        ignored++; // bindings are computed here, as the controller computes them
        continue;
      }
      const key = `${object.kind}/${nsOf(object)}/${object.metadata.name}`;
      const first = seen.get(key);
      if (first) {
        problems.push({
          file,
          line,
          object: describe(object),
          field: 'metadata.name',
          message: `duplicate: already defined at ${path.basename(first.file)}:${first.line}; this one is skipped`,
        });
        continue;
      }
      const source = { file, line };
      seen.set(key, source);
      objects.push({ object, source });
    }
  }
  return { objects, problems, files, ignored };
}

/** The world id used by engines, bus, storage and players: the same as in cluster mode. */
const worldIdOf = (world) => model.worldIdOf(world.metadata);

/**
 * Resolves every world against the game and manifests of its own namespace (as the controller
 * does) and computes its Resolved condition. Worlds come sorted by namespace, then name.
 */
function planWorlds(loaded) {
  const all = loaded.map((l) => l.object);
  const sourceOf = new Map(loaded.map((l) => [l.object, l.source]));
  const worlds = all.filter((o) => o.kind === 'WorldInstance');
  const games = all.filter((o) => o.kind === 'GameDefinition');
  const manifests = all.filter((o) => o.kind === 'ModuleManifest');
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  worlds.sort((a, b) => cmp(nsOf(a), nsOf(b)) || cmp(a.metadata.name, b.metadata.name));
  return worlds.map((world) => {
    const namespace = nsOf(world);
    const id = worldIdOf(world);
    const game = games.find((g) => nsOf(g) === namespace && g.metadata.name === world.spec.gameRef);
    const inNamespace = manifests.filter((m) => nsOf(m) === namespace);
    const resolution = model.resolveWorld(world, game, inNamespace);
    if (!model.WORLD_ID_PATTERN.test(id)) {
      resolution.diagnostics = [
        ...resolution.diagnostics,
        {
          severity: 'error',
          code: 'InvalidWorldId',
          consumer: '',
          capabilityId: '',
          message: `world id "${id}" is longer than the 64 characters engines accept`,
          candidates: [],
        },
      ];
    }
    const manifestByName = new Map(inNamespace.map((m) => [m.metadata.name, m]));
    const participants = (resolution.participants || []).map((p) => ({
      ...p,
      manifest: manifestByName.get(p.manifestName),
    }));
    return {
      id,
      namespace,
      name: world.metadata.name,
      world,
      game,
      source: sourceOf.get(world),
      resolution,
      participants,
      resolved: model.isResolved(resolution),
    };
  });
}

/** The Resolved condition, worded as the controller words it. */
function resolvedCondition(resolution) {
  const errors = resolution.diagnostics.filter((d) => d.severity === 'error');
  const warnings = resolution.diagnostics.length - errors.length;
  const count = resolution.bindings.length;
  if (errors.length === 0) {
    return {
      type: 'Resolved',
      status: 'True',
      reason: warnings > 0 ? 'ResolvedWithWarnings' : 'Resolved',
      message: `${count} binding${count === 1 ? '' : 's'}${warnings > 0 ? `; ${warnings} optional requirement(s) unresolved` : ''}`,
    };
  }
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})`
      : '';
  return {
    type: 'Resolved',
    status: 'False',
    reason: errors.some((d) => d.code === 'GameNotFound')
      ? 'GameNotFound'
      : 'RequirementsUnresolved',
    message: `${errors[0].message}${more}`,
  };
}

/** One problem as a terminal line: `file:line: Kind/name: field: message`. */
function formatProblem(p, base) {
  const file = base ? path.relative(base, p.file) || path.basename(p.file) : p.file;
  return [`${file}${p.line ? `:${p.line}` : ''}`, p.object, p.field, p.message]
    .filter(Boolean)
    .join(': ');
}

module.exports = { loadFolder, planWorlds, resolvedCondition, formatProblem, worldIdOf };
