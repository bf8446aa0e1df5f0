// One host per data folder: PGlite is one process's database.
import * as fs from 'node:fs';
import * as path from 'node:path';

class LockedError extends Error {}

/** Writes `<dir>/host.pid`, refusing when another live process holds it; returns the unlock. */
export function lockDataFolder(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'host.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid) {
      process.kill(pid, 0); // throws when no such process
      throw new LockedError(
        `another Anvil host (pid ${pid}) uses the data folder ${dir}; stop it, or start this one with --data OTHER_DIR`,
      );
    }
  } catch (error) {
    if (error instanceof LockedError) throw error;
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (Number(fs.readFileSync(file, 'utf8')) === process.pid) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
