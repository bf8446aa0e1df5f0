import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { CLI_ERROR_CODES as C, CliError, EXIT, UnreadableInputError } from '../errors';
import { quoteHint } from './quote-hint';

/** One YAML document of an input file, with where it came from for error messages. */
export interface LoadedObject {
  file: string;
  /** 1-based line of the document's first line. */
  line: number;
  object: unknown;
}

const YAML_FILE = /\.ya?ml$/i;

/** Expands files and folders (recursively, *.yaml|*.yml, sorted) into a list of files. */
export function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const input of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (error) {
      throw new UnreadableInputError(
        C.pathNotFound,
        `${input}: no such file or folder`,
        { file: input },
        { cause: error },
      );
    }
    if (stat.isDirectory()) {
      const entries = fs
        .readdirSync(input, { withFileTypes: true })
        .map((e) => e.name)
        .sort();
      const nested = entries.map((name) => path.join(input, name));
      files.push(
        ...expandPaths(nested.filter((p) => fs.statSync(p).isDirectory() || YAML_FILE.test(p))),
      );
    } else {
      files.push(input);
    }
  }
  return files;
}

/**
 * Reads every YAML document of the given files and folders; empty documents are skipped. No
 * object at all (empty files, a folder without *.yaml) is an EmptyInput error: an empty
 * check must not pass as a valid one.
 */
export function loadObjects(paths: string[]): LoadedObject[] {
  if (paths.length === 0)
    throw new UnreadableInputError(C.noInput, 'no input: pass one or more -f PATH');
  const files = expandPaths(paths);
  const objects = files.flatMap(parseFile);
  if (objects.length === 0) {
    const what =
      files.length === 0 ? 'no *.yaml or *.yml file' : `no YAML object in ${files.length} file(s)`;
    throw new CliError(
      C.emptyInput,
      `${paths.join(', ')}: ${what}; nothing to check`,
      EXIT.failed,
      paths.length === 1 ? { file: paths[0] } : {},
    );
  }
  return objects;
}

function parseFile(file: string): LoadedObject[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UnreadableInputError(
      C.unreadableFile,
      `${file}: cannot read (${(error as Error).message})`,
      { file },
      { cause: error },
    );
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const loaded: LoadedObject[] = [];
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) throw yamlError(file, text, lineCounter.linePos(problem.pos[0]), problem.message);
    let object: unknown;
    try {
      object = doc.toJS();
    } catch (error) {
      // An alias without its anchor (`version: *x`) is found only when converting: point at
      // the first line of the document that has an unquoted range or version, if any.
      const [start, end] = [doc.range[0], doc.range[2]].map((pos) => lineCounter.linePos(pos).line);
      const hinted = text
        .split('\n')
        .slice(start - 1, end)
        .findIndex((l) => quoteHint(l) !== '');
      const line = hinted < 0 ? start : start + hinted;
      throw yamlError(file, text, { line, col: 1 }, (error as Error).message);
    }
    if (object === null || object === undefined) continue;
    const start = doc.contents?.range?.[0] ?? 0;
    loaded.push({ file, line: lineCounter.linePos(start).line, object });
  }
  return loaded;
}

const firstLine = (message: string) => message.split('\n')[0];

function yamlError(file: string, text: string, at: { line: number; col: number }, message: string) {
  const lineText = text.split('\n')[at.line - 1] ?? '';
  return new UnreadableInputError(
    C.invalidYaml,
    `${file}:${at.line}:${at.col}: invalid YAML: ${firstLine(message)}${quoteHint(lineText)}`,
    { file, line: at.line },
  );
}
