// Builds the `premem` CLI the way `npm run build` does, into a temporary copy of the launcher's layout, so a test
// runs the real bundle without racing concurrent builds of dist/. Subcommands other than the one under test stay
// external (never loaded), so the test covers the dispatcher and that subcommand alone.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './shared';
import { tempDir } from './temp-dir';

export async function buildCliBundle(command: string): Promise<{ dir: string; launcher: string }> {
  const dir = await tempDir(`premem-${command}-cli-`);
  mkdirSync(path.join(dir, 'bin'));
  const launcher = path.join(dir, 'bin/premem.js');
  copyFileSync(path.join(repoRoot, 'bin/premem.js'), launcher);
  await build({
    entryPoints: [path.join(repoRoot, 'src/cli/main.ts')],
    outfile: path.join(dir, 'dist/cli.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'silent',
    plugins: [
      {
        name: `${command}-only`,
        setup(b) {
          b.onResolve({ filter: /^\.\/[\w-]+$/ }, (args) =>
            path.basename(args.importer) === 'main.ts' && ![`./${command}`, './args'].includes(args.path) ? { path: args.path, external: true } : undefined,
          );
        },
      },
    ],
  });
  // The launcher keeps V8's code cache under XDG_CACHE_HOME: the test's processes keep it in the temporary copy.
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
  return { dir, launcher };
}
