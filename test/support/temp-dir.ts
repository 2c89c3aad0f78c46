// Temporary folders for a test file, removed once its tests are done (each test file runs in its own process).
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

const made: string[] = [];
after(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fresh folder under the system's temporary folder, removed after the file's tests. */
export async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** tempDir for module scope (a folder shared by a file's tests), made before any test runs. */
export function tempDirSync(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
