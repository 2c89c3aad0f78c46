// Benchmark: the calibrated analysis over the paper's 13 GSM8K runs (load + sweep + leave-one-run-out + summary),
// against the NumPy baseline (bench/numpy_analysis.py) measured in the same run on the same files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyze } from '../src/core/analysis';
import { readPaperRuns } from '../src/core/runlog/paper';
import { median, row } from './util';

export async function benchAnalysis(): Promise<string[]> {
  const runsDir = path.resolve(__dirname, '../../shared/data/paper-runs');
  if (!existsSync(runsDir)) return [row('calibrated analysis, 13 GSM8K runs', 'skipped: ../shared/data/paper-runs not present')];
  const times: number[] = [];
  const loads: number[] = [];
  let r2 = NaN;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const runs = await readPaperRuns(runsDir);
    const t1 = performance.now();
    const result = analyze(runs, { calibrate: true });
    const t2 = performance.now();
    loads.push(t1 - t0);
    times.push(t2 - t0);
    r2 = result.fit.r2;
  }
  const rows = [
    row('premem: load 13 runs + calibrate p (1,101-point sweep) + leave-one-run-out', `${median(times).toFixed(0)} ms (load ${median(loads).toFixed(0)} ms)`, `R² = ${r2.toFixed(3)}`),
  ];
  rows.push(...wholeProcesses(runsDir));
  try {
    const numpy = [];
    let out = '';
    for (let i = 0; i < 5; i++) {
      out = execFileSync(python(), [path.join(__dirname, 'numpy_analysis.py'), runsDir, '-2.3'], { encoding: 'utf8' });
      numpy.push(Number(out.split(' ')[0]) * 1000);
    }
    rows.push(row('baseline: NumPy, load the same arrays + one threshold', `${median(numpy).toFixed(0)} ms`, `R² = ${Number(out.split(' ')[1]).toFixed(3)}`));
  } catch {
    rows.push(row('baseline: NumPy', 'skipped: python3 with numpy not available'));
  }
  return rows;
}

/**
 * The project's virtual environment's Python when there is one, else the interpreter python3 runs: a version
 * manager's `python3` is often a shell script (pyenv's shim adds about 100 ms per start), which is not NumPy's cost.
 */
function python(): string {
  const venv = path.resolve(__dirname, '../.venv/bin/python');
  if (existsSync(venv)) return venv;
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || 'python3';
  } catch {
    return 'python3';
  }
}

/** Wall time of one whole process, start-up and imports included, as a user would time it. */
function processMs(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  execFileSync(command, args, { stdio: 'ignore', env });
  return performance.now() - t0;
}

/** Rounds of the side-by-side comparison: the processes alternate, so a change in machine load hits all of them. */
const ROUNDS = 11;

/**
 * `premem analyze --calibrate` against the NumPy script, each as a whole process on the same 13 runs. premem runs
 * as users start it, through bin/premem.js, with its compile cache in a fresh folder (warmed by one run first).
 * NODE_EXTRA_CA_CERTS makes Node read and parse a CA bundle before any script runs (tens of milliseconds); where
 * the machine sets it, premem is also timed without it, as on a machine that does not.
 */
function wholeProcesses(runsDir: string): string[] {
  const launcher = path.resolve(__dirname, '../bin/premem.js');
  const prememArgs = [launcher, 'analyze', '--runs', runsDir, '--calibrate', '--json'];
  const cacheHome = mkdtempSync(path.join(tmpdir(), 'premem-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome };
  const { NODE_EXTRA_CA_CERTS, ...envWithoutCaCerts } = env;
  const variants: { label: string; env: NodeJS.ProcessEnv }[] = [{ label: 'premem analyze --calibrate', env }];
  if (NODE_EXTRA_CA_CERTS) variants.push({ label: 'premem analyze --calibrate, NODE_EXTRA_CA_CERTS unset', env: envWithoutCaCerts });
  processMs(process.execPath, prememArgs, env); // writes the compile cache
  let numpyArgs: string[] | undefined = [path.join(__dirname, 'numpy_analysis.py'), runsDir, '-2.3'];
  try {
    execFileSync(python(), ['-c', 'import numpy'], { stdio: 'ignore' });
  } catch {
    numpyArgs = undefined;
  }
  const prememMs = variants.map((): number[] => []);
  const numpyMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    variants.forEach((v, k) => prememMs[k].push(processMs(process.execPath, prememArgs, v.env)));
    if (numpyArgs) numpyMs.push(processMs(python(), numpyArgs));
  }
  rmSync(cacheHome, { recursive: true, force: true });
  const numpy = median(numpyMs);
  const rows = variants.map((v, k) => {
    const ms = median(prememMs[k]);
    const note = numpyArgs ? `**${(ms / numpy).toFixed(2)}x** the NumPy process (medians of ${ROUNDS} alternating rounds)` : 'NumPy baseline skipped: no python with numpy';
    return row(`whole process: ${v.label} (bin/premem.js)`, `${ms.toFixed(0)} ms`, note);
  });
  if (numpyArgs) rows.push(row('whole process: python numpy_analysis.py (one threshold)', `${numpy.toFixed(0)} ms`, ''));
  return rows;
}
