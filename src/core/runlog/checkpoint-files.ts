// Files of a run laid out one folder per checkpoint (run/checkpoint-500/…/file), found by name, each with its
// checkpoint: the first folder below the run folder (the run folder's own name for files directly in it), and
// the training step its path names.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../model';
import { stepFromPath } from './lm-eval';

export interface CheckpointFile {
  path: string;
  checkpoint: string;
  /** NaN when the path names no step. */
  step: number;
}

const MAX_DEPTH = 4;

/** The files under `target` (or `target` itself, a file) whose name `accept` takes, sorted by path. */
export async function findCheckpointFiles(target: string, accept: (name: string) => boolean): Promise<CheckpointFile[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new InputError(target, 'no such file or folder');
  const root = info.isFile() ? path.dirname(target) : target;
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) await walk(p, depth + 1);
      else if (e.isFile() && accept(e.name)) files.push(p);
    }
  };
  if (info.isFile()) files.push(target);
  else await walk(target, 0);
  return files.sort().map((file) => {
    const rel = path.relative(root, path.dirname(file));
    const named = rel === '' ? path.basename(root) : rel;
    return { path: file, checkpoint: rel === '' ? path.basename(root) : rel.split(path.sep)[0], step: stepFromPath(named) };
  });
}
