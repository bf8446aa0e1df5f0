// Re-reads the manifests folder when a YAML file changes (debounced 0.4 s; editor swap files
// are ignored). Returns the function that stops watching.
import * as fs from 'node:fs';
import { messageOf } from './workspace';

export function watchFolder(dir: string, onChange: () => void, warn: (line: string) => void) {
  let timer: NodeJS.Timeout | undefined;
  let watcher: fs.FSWatcher | undefined;
  const trigger = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, 400);
  };
  try {
    watcher = fs.watch(dir, { recursive: true }, (_event, file) => {
      const name = file ? String(file) : '';
      if (!name || /\.ya?ml$/i.test(name) || !name.includes('.')) trigger();
    });
    watcher.on('error', (error) => warn(`watching ${dir} stopped: ${error.message}`));
  } catch (error) {
    warn(`cannot watch ${dir}: ${messageOf(error)}; changes need a restart`);
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
