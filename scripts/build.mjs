// One Node bundle for the extension, one for the CLI (and its worker), one browser bundle per webview.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
};

const entries = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { worker: 'src/core/worker.ts' }, outdir: 'dist' },
];

// Every folder under webview/ with a main.ts is one panel app.
for (const name of readdirSync('webview', { withFileTypes: true })) {
  if (name.isDirectory() && existsSync(`webview/${name.name}/main.ts`)) {
    entries.push({
      ...common,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      entryPoints: { [name.name]: `webview/${name.name}/main.ts` },
      outdir: 'media/dist',
    });
  }
}

if (watch) {
  // Lines the editor's watch task waits for (.vscode/tasks.json): a launch starts once the first build is done.
  const announce = { name: 'announce', setup(b) { b.onStart(() => console.log('[watch] build started')); b.onEnd((r) => console.log(`[watch] build finished with ${r.errors.length} errors`)); } };
  for (const e of entries) await (await esbuild.context({ ...e, plugins: [...(e.plugins ?? []), announce] })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
}
