// npm run bench: every benchmark, printed as markdown with the machine and date, for BENCHMARKS.md.
// Timings are medians of repeated runs; baselines are measured in the same run on the same files.
// `npm run bench -- analysis diff` runs only the named suites.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { benchAnalysis } from './analysis';
import { benchDashboard } from './dashboard';
import { benchDiff } from './diff';
import { benchScale } from './scale';
import { benchSignals } from './signals';
import { benchTable } from './table';
import { TABLE_HEAD } from './util';

/** Benchmarks that run in their own process: they start servers or VS Code, or need --expose-gc. */
const processSuites: Record<string, string[]> = {
  scoring: ['--expose-gc', '--import', 'tsx', 'bench/scoring.ts', '--replay', '--examples', '2000', '--checkpoints', 'ep1,ep2,ep3'],
  extension: ['--import', 'tsx', 'bench/extension.mjs'],
};

async function main() {
  const only = process.argv.slice(2);
  const wanted = (name: string) => !only.length || only.includes(name);
  const suites: [string, () => Promise<string[]>][] = [
    ['analysis', benchAnalysis],
    ['diff', benchDiff],
    ['dashboard', benchDashboard],
    ['table', benchTable],
    ['scale', benchScale],
    ['signals', benchSignals],
  ];
  console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`);
  for (const [name, run] of suites) {
    if (!wanted(name)) continue;
    console.log(`### ${name}\n\n${TABLE_HEAD}`);
    for (const line of await run()) console.log(line);
    console.log('');
  }
  for (const [name, args] of Object.entries(processSuites)) {
    if (!wanted(name)) continue;
    console.log(`### ${name}\n`);
    const r = spawnSync(process.execPath, args, { cwd: path.resolve(__dirname, '..'), stdio: 'inherit' });
    if (r.status !== 0) console.log(`(${name} benchmark failed with exit code ${r.status})`);
    console.log('');
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
