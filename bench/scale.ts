// Benchmark: PreMem at scale on synthetic data (premem synth), against the disk floor (`wc -l` over the same
// logs) and a pandas script (bench/pandas_premem.py) measured in the same run on the same files.
// Workloads: 100k examples x 6 checkpoints x 8 samples, 1M x 6 x 4 (about 11 GB of log). PREMEM_BENCH_SCALE picks
// them (e.g. "100k"); the data goes to bench/.data/ and is deleted afterwards unless PREMEM_BENCH_KEEP=1.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkpointMeans, prepareRun } from '../src/core/metrics/premem';
import type { Run } from '../src/core/model';
import { thresholdFromP } from '../src/core/metrics/threshold';
import { findPreMemLogs, loadPreMemRuns } from '../src/core/runlog/premem/find-and-load';
import { median, row } from './util';

interface Workload {
  name: string;
  examples: number;
  checkpoints: number;
  samples: number;
}

const WORKLOADS: Workload[] = [
  { name: '100k', examples: 100_000, checkpoints: 6, samples: 8 },
  { name: '1m', examples: 1_000_000, checkpoints: 6, samples: 4 },
];
const P = 1.1055;
const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist/cli.js');

interface Measured {
  seconds: number;
  maxRssMiB: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time: wall seconds and peak resident memory (threads included). */
function measure(cmd: string, args: string[]): Measured {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'premem-bench-'));
  const timeFile = path.join(dir, 'time');
  try {
    const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    const [seconds, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds, maxRssMiB: kb / 1024, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmtS = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(1)} s`);
const fmtMiB = (m: number): string => (m >= 1024 ? `${(m / 1024).toFixed(2)} GiB` : `${m.toFixed(0)} MiB`);

interface Result {
  w: Workload;
  logBytes: number;
  generate: number;
  wc: number;
  first: Measured;
  reopen: Measured;
  /** Milliseconds to get the runs back from the cache, in process. */
  restore: number;
  pandas?: Measured;
  slider: number;
  agreement: string;
}

function generate(w: Workload, dir: string): number {
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return Number(readFileSync(marker, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  execFileSync('node', [cli, 'synth', '--examples', String(w.examples), '--checkpoints', String(w.checkpoints), '--samples', String(w.samples), '--out', dir], { stdio: 'ignore' });
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(marker, String(seconds));
  return seconds;
}

const means = (analyzeJson: string): number[] => (JSON.parse(analyzeJson) as { runs: { checkpoints: { preMemAccuracy: number }[] }[] }).runs[0].checkpoints.map((c) => c.preMemAccuracy);

async function runWorkload(w: Workload): Promise<Result> {
  const dir = path.join(root, 'bench/.data', `scale-${w.name}`);
  const generateSeconds = generate(w, dir);
  const runs = path.join(dir, 'runs');
  const logs = await findPreMemLogs(runs);
  const logBytes = logs.reduce((sum, f) => sum + statSync(f).size, 0);
  const analyze = ['analyze', '--runs', runs, '--p', String(P), '--json'];
  // Three rounds of `wc -l` then a first analysis (no cache), so that both meet the same machine; medians.
  const rounds = [0, 1, 2].map(() => {
    const wcSeconds = measure('wc', ['-l', ...logs]).seconds;
    rmSync(path.join(runs, '.premem'), { recursive: true, force: true });
    return { wc: wcSeconds, first: measure('node', [cli, ...analyze]) };
  });
  const wc = median(rounds.map((r) => r.wc));
  const first = rounds.map((r) => r.first).sort((a, b) => a.seconds - b.seconds)[1];
  const reopens = [0, 1, 2].map(() => measure('node', [cli, ...analyze]));
  const reopen = reopens.sort((a, b) => a.seconds - b.seconds)[1];
  let pandas: Measured | undefined;
  let agreement = 'pandas not run';
  try {
    pandas = measure('/usr/bin/python3', [path.join(__dirname, 'pandas_premem.py'), runs, String(P)]);
    const theirs = (JSON.parse(pandas.stdout) as { preMemAccuracy: number[] }).preMemAccuracy;
    const ours = means(first.stdout);
    const diff = Math.max(...ours.map((m, i) => Math.abs(m - theirs[i])));
    agreement = `mean PreMemAcc per checkpoint equal to pandas' within ${diff.toExponential(1)}`;
  } catch (err) {
    agreement = `pandas failed: ${(err as Error).message.split('\n')[0]}`;
  }

  // The p slider: dataset means at a new threshold, over columns already loaded (from the cache).
  const restores: number[] = [];
  let loaded: Run[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    loaded = (await loadPreMemRuns(runs, undefined, { cache: true })).runs;
    restores.push(performance.now() - t0);
  }
  const prepared = prepareRun(loaded[0]);
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    checkpointMeans(prepared, thresholdFromP(1.05 + i * 0.01));
    times.push(performance.now() - t0);
  }
  return { w, logBytes, generate: generateSeconds, wc, first, reopen, restore: median(restores), pandas, slider: median(times), agreement };
}

export async function benchScale(): Promise<string[]> {
  if (!existsSync(cli)) return [row('scale', 'skipped: dist/cli.js missing (npm run build)')];
  const picked = (process.env.PREMEM_BENCH_SCALE ?? '100k,1m').split(',');
  const rows: string[] = [];
  const results: Result[] = [];
  rows.push(row('load average at start', os.loadavg().map((l) => l.toFixed(1)).join(' '), 'other work on the machine slows every number below alike'));
  for (const w of WORKLOADS.filter((x) => picked.includes(x.name))) {
    const r = await runWorkload(w);
    results.push(r);
    const label = `${w.examples.toLocaleString('en-US')} x ${w.checkpoints} x ${w.samples}`;
    const gib = (r.logBytes / 2 ** 30).toFixed(2);
    rows.push(row(`${label}: premem synth`, fmtS(r.generate), `${gib} GiB of run log + dataset, disk-bound`));
    rows.push(row(`${label}: wc -l over the logs (floor)`, fmtS(r.wc), `${(r.logBytes / 2 ** 20 / r.wc).toFixed(0)} MiB/s; median of 3`));
    rows.push(row(`${label}: premem analyze, first (parse + cache + PreMemAcc)`, fmtS(r.first.seconds), `${(r.first.seconds / r.wc).toFixed(1)}x wc -l; median of 3, each after one wc -l; peak ${fmtMiB(r.first.maxRssMiB)}`));
    if (r.pandas) rows.push(row(`${label}: baseline pandas read_json chunks + PreMemAcc`, fmtS(r.pandas.seconds), `premem ${(r.pandas.seconds / r.first.seconds).toFixed(1)}x faster; pandas peak ${fmtMiB(r.pandas.maxRssMiB)}; ${r.agreement}`));
    rows.push(row(`${label}: reopen: runs restored from the cache`, `${r.restore.toFixed(0)} ms`, 'in process, median of 3'));
    rows.push(row(`${label}: premem analyze, reopen from cache`, fmtS(r.reopen.seconds), `whole process (start, restore, PreMemAcc); peak ${fmtMiB(r.reopen.maxRssMiB)}`));
    rows.push(row(`${label}: p slider recompute (checkpointMeans)`, `${r.slider.toFixed(0)} ms`, 'median of 21 thresholds'));
    if (process.env.PREMEM_BENCH_KEEP !== '1') rmSync(path.join(root, 'bench/.data', `scale-${w.name}`), { recursive: true, force: true });
  }
  if (results.length === 2) {
    const [a, b] = results;
    const bytes = b.logBytes / a.logBytes;
    const ex = (b.w.examples * b.w.checkpoints) / (a.w.examples * a.w.checkpoints);
    rows.push(row('growth 100k -> 1M: first analysis time', `${(b.first.seconds / a.first.seconds).toFixed(1)}x`, `log bytes grew ${bytes.toFixed(1)}x`));
    rows.push(row('growth 100k -> 1M: peak memory', `${(b.first.maxRssMiB / a.first.maxRssMiB).toFixed(1)}x`, `examples x checkpoints grew ${ex.toFixed(1)}x`));
    rows.push(row('growth 100k -> 1M: reopen / slider', `${(b.reopen.seconds / a.reopen.seconds).toFixed(1)}x / ${(b.slider / a.slider).toFixed(1)}x`, `examples x checkpoints grew ${ex.toFixed(1)}x`));
  }
  return rows;
}
