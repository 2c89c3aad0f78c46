// What the .vsix carries, as `vsce ls` lists it: everything the README shows or links to (the Extensions view
// renders it from the installed files), every docs/ page a message or the schema points to, the icon (a PNG of
// at least 128 px, as the Marketplace and Open VSX require), the changelog and the licence.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function packagedFiles(): Promise<Set<string>> {
  const vsce = path.join(ROOT, 'node_modules/.bin/vsce');
  const { stdout } = await promisify(execFile)(vsce, ['ls', '--no-dependencies'], { cwd: ROOT });
  return new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean));
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.(ts|json)$/.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

test('the package holds what the README shows and links to, the docs messages name, an icon and a changelog', async () => {
  const files = await packagedFiles();
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const targets = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/i.test(t));
  assert.ok(targets.some((t) => t.endsWith('.png')), 'the README has images');
  for (const target of targets) assert.ok(files.has(target), `README.md links to ${target}, which the package lacks`);

  const mentioned = new Set<string>();
  for (const file of [...(await sourceFiles('src')), ...(await sourceFiles('schemas')), path.join(ROOT, 'package.json')]) {
    for (const m of (await readFile(file, 'utf8')).matchAll(/\bdocs\/[\w-]+\.md\b/g)) mentioned.add(m[0]);
  }
  assert.ok(mentioned.has('docs/scoring.md'));
  for (const doc of mentioned) assert.ok(files.has(doc), `${doc} is mentioned but not packaged`);

  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
  assert.match(manifest.icon, /\.png$/);
  assert.ok(files.has(manifest.icon), 'the icon is packaged');
  const png = await readFile(path.join(ROOT, manifest.icon));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  assert.ok(width >= 128 && width === height, `icon ${width} x ${height}`);
  for (const required of ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']) assert.ok(files.has(required), `${required} is packaged`);
});
