// Scoring throughput against the reference server (no added latency): examples scored per second, the client's
// CPU time and peak RSS, the server's CPU time, the requests sent per record (all, and /tokenize alone), the time
// until the first record is written, and the heap after each quarter of the job. The server runs in
// its own process so the client's numbers are its own.
//
//   node --expose-gc --import tsx bench/scoring.ts [--examples 5000] [--k 8] [--checkpoints ep3]
//       [--transport http1|node-http|fetch] [--concurrency 64] [--batch 16] [--dataset FILE] [--replay]
//
// --replay scores the examples twice and reports both passes: the server remembers its answers in the first
// and replays them in the second, which then measures what the client alone sustains.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDataset } from '../src/core/dataset/open';
import { parseScoringConfig } from '../src/core/scoring/config';
import type { Transport } from '../src/core/scoring/json-client';
import { runScoringJob } from '../src/core/scoring/job';

const repo = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

async function main() {
  const shared = path.resolve(repo, '../shared/data/gsm8k/train.jsonl');
  const dataset = opt('dataset', existsSync(shared) ? shared : path.join(repo, 'test/fixtures/datasets/gsm8k-train-200.jsonl'));
  const examples = Number(opt('examples', '5000'));
  const k = Number(opt('k', '8'));
  const checkpoints = opt('checkpoints', 'ep3').split(',');
  const transport = opt('transport', 'http1') as Transport;
  const replay = args.includes('--replay');

  const serverArgs = ['--import', 'tsx', path.join(repo, 'test/support/reference-server.ts'), '--dataset', dataset, '--port', '0'];
  const server = spawn(process.execPath, replay ? [...serverArgs, '--replay'] : serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`reference server exited with ${code}`)));
  });
  const serverStats = async () => {
    const s = (await (await fetch(`${url}/stats`)).json()) as { cpuMicros: { user: number; system: number }; requests: number; byRoute: Record<string, number> };
    // This GET /stats is counted in `requests` already.
    return { cpuSeconds: (s.cpuMicros.user + s.cpuMicros.system) / 1e6, requests: s.requests - 1, tokenize: s.byRoute['/tokenize'] ?? 0 };
  };

  const dir = mkdtempSync(path.join(os.tmpdir(), 'premem-bench-'));
  const ds = await openDataset(dataset, 'auto');
  const n = Math.min(examples, ds.size);
  const config = parseScoringConfig(
    { endpoints: [url], checkpoints, k, concurrency: Number(opt('concurrency', '64')), batchSize: Number(opt('batch', '16')) },
    ds.profile.task,
  );
  console.log('| pass | records (examples x checkpoints) | k | transport | seconds | examples/s | client CPU s | client CPU ms/example | server CPU ms/example | requests/record | /tokenize per record | first record after s | client peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const heaps: string[] = [];
  for (const pass of replay ? ['first', 'replayed'] : ['only']) {
    // Heap after a full collection at each quarter of the job: flat when nothing accumulates per example.
    const gc = (globalThis as { gc?: () => void }).gc;
    const heapAt: string[] = [];
    let nextQuarter = 1;
    let firstRecordSeconds = NaN;
    const onProgress = (p: { done: number; total: number }) => {
      if (p.done > 0 && Number.isNaN(firstRecordSeconds)) firstRecordSeconds = (performance.now() - t0) / 1000;
      if (!gc || p.total === 0 || p.done < (nextQuarter * p.total) / 4) return;
      nextQuarter++;
      gc();
      heapAt.push(`${p.done}: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MB`);
    };
    const server0 = await serverStats();
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await runScoringJob({
      dataset: ds,
      config,
      logPath: path.join(dir, `${pass}.premem.jsonl`),
      run: 'bench',
      examples: Array.from({ length: n }, (_, i) => i),
      http: { transport },
      onProgress,
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const server1 = await serverStats();
    const serverSeconds = server1.cpuSeconds - server0.cpuSeconds;
    clearInterval(rssTimer);
    if (summary.status !== 'complete') throw summary.error ?? new Error(summary.status);
    const records = summary.progress.done;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `| ${pass} | ${records} (${n} x ${checkpoints.length}) | ${k} | ${transport} | ${seconds.toFixed(2)} | ${(records / seconds).toFixed(0)} | ${cpuSeconds.toFixed(2)} | ${((1000 * cpuSeconds) / records).toFixed(3)} | ${((1000 * serverSeconds) / records).toFixed(3)} | ${((server1.requests - server0.requests) / records).toFixed(2)} | ${((server1.tokenize - server0.tokenize) / records).toFixed(2)} | ${firstRecordSeconds.toFixed(2)} | ${(peakRss / 2 ** 20).toFixed(0)} |`,
    );
    if (heapAt.length) heaps.push(`${pass} pass, heap after GC at records written: ${heapAt.join(', ')}`);
  }
  if (heaps.length) console.log(`\n${heaps.join('\n')}`);
  server.kill();
  await ds.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
