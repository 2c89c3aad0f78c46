// A file the user names for output is checked before any work: a typo in --out costs a second, not a whole run.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/model';

export async function checkOutputFile(file: string, option: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new InputError(file, `--${option}: the folder ${dir} does not exist`);
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw new InputError(file, `--${option} names a folder; give the file to write`);
}
