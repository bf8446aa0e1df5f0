import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { UnreadableInputError } from '../errors';

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
      throw new UnreadableInputError(`${input}: no such file or folder`, { cause: error });
    }
    if (stat.isDirectory()) {
      const entries = fs.readdirSync(input, { withFileTypes: true }).map((e) => e.name).sort();
      const nested = entries.map((name) => path.join(input, name));
      files.push(...expandPaths(nested.filter((p) => fs.statSync(p).isDirectory() || YAML_FILE.test(p))));
    } else {
      files.push(input);
    }
  }
  return files;
}

/** Reads every YAML document of the given files and folders; empty documents are skipped. */
export function loadObjects(paths: string[]): LoadedObject[] {
  if (paths.length === 0) throw new UnreadableInputError('no input: pass one or more -f PATH');
  return expandPaths(paths).flatMap(parseFile);
}

function parseFile(file: string): LoadedObject[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UnreadableInputError(`${file}: cannot read (${(error as Error).message})`, { cause: error });
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const loaded: LoadedObject[] = [];
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) {
      const { line, col } = lineCounter.linePos(problem.pos[0]);
      throw new UnreadableInputError(`${file}:${line}:${col}: invalid YAML: ${firstLine(problem.message)}`);
    }
    const object = doc.toJS();
    if (object === null || object === undefined) continue;
    const start = doc.contents?.range?.[0] ?? 0;
    loaded.push({ file, line: lineCounter.linePos(start).line, object });
  }
  return loaded;
}

const firstLine = (message: string) => message.split('\n')[0];
