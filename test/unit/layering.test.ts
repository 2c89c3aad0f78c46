// The layers' compiler settings refuse what does not belong in them: src/core the VS Code API
// (tsconfig.core.json), webview code Node and the VS Code API (webview/tsconfig.json), the extension host the DOM
// (src/tsconfig.json). Each config compiles a few probe files; every bad probe must fail and the allowed one pass.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/** Compiles `probes` under `config` (extended); returns the files that had errors, with the error lines. */
async function compileProbes(config: string, probes: Record<string, string>): Promise<Map<string, string[]>> {
  // Inside the repository, so that 'vscode' and 'node:*' resolve through its node_modules as the real code's do.
  await mkdir(path.join(ROOT, 'node_modules/.cache'), { recursive: true });
  const dir = await mkdtemp(path.join(ROOT, 'node_modules/.cache/premem-layering-'));
  try {
    const files = Object.keys(probes);
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ extends: path.join(ROOT, config), include: files }));
    for (const [name, text] of Object.entries(probes)) await writeFile(path.join(dir, name), text);
    const output = await promisify(execFile)(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    const errors = new Map<string, string[]>();
    for (const line of output.split('\n').filter((l) => l.includes('error TS'))) {
      const file = path.basename(line.slice(0, line.indexOf('(')));
      errors.set(file, [...(errors.get(file) ?? []), line]);
    }
    return errors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('src/core: importing vscode fails to compile; Node is fine', async () => {
  const errors = await compileProbes('tsconfig.core.json', {
    'uses-vscode.ts': "import * as vscode from 'vscode';\nexport const show = vscode.window.showInformationMessage;\n",
    'vscode-type.ts': "import type { Uri } from 'vscode';\nexport type Target = Uri;\n",
    'uses-node.ts': "import { readFile } from 'node:fs/promises';\nexport const read = (f: string) => readFile(f, 'utf8');\n",
  });
  assert.ok(errors.has('uses-vscode.ts'), [...errors.values()].join('\n'));
  assert.ok(errors.has('vscode-type.ts'));
  assert.ok(errors.get('no-vscode.ts')?.some((l) => l.includes('must not import vscode')), 'the error says why');
  assert.equal(errors.get('uses-node.ts'), undefined);
});

test('webview/: Node modules, Node globals and vscode fail to compile; the DOM is fine', async () => {
  const errors = await compileProbes('webview/tsconfig.json', {
    'node-module.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    'node-global.ts': "export const bytes = Buffer.from('x');\nexport const env = process.env;\n",
    'uses-vscode.ts': "import * as vscode from 'vscode';\nexport const show = vscode.window.showInformationMessage;\n",
    'uses-dom.ts': "export const make = () => document.createElement('div');\n",
  });
  assert.ok(errors.get('node-module.ts')?.some((l) => l.includes('TS2307')), [...errors.values()].join('\n'));
  assert.equal(errors.get('node-global.ts')?.length, 2);
  assert.ok(errors.has('uses-vscode.ts'));
  assert.equal(errors.get('uses-dom.ts'), undefined);
});

test('src/: the DOM fails to compile; vscode and Node are fine', async () => {
  const errors = await compileProbes('src/tsconfig.json', {
    'uses-dom.ts': "export const title = () => document.title;\n",
    'host.ts': "import * as vscode from 'vscode';\nimport { readFile } from 'node:fs/promises';\nexport const show = vscode.window.showInformationMessage;\nexport const read = readFile;\n",
  });
  assert.ok(errors.has('uses-dom.ts'), [...errors.values()].join('\n'));
  assert.equal(errors.get('host.ts'), undefined);
});
