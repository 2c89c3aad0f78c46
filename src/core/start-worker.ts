// Starts one of the project's worker threads. Bundled, their entry is dist/worker.js beside the bundle that starts
// them; from sources (tests, benchmarks under tsx) it is worker.ts, loaded through tsx. workerData.kind names the
// service the worker runs (see worker.ts).
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export function startWorker<Data extends { kind: string }>(workerData: Data): Worker {
  if (__filename.endsWith('.ts')) {
    const entry = path.join(__dirname, 'worker.ts');
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData, execArgv: [] });
  }
  return new Worker(path.join(__dirname, 'worker.js'), { workerData, execArgv: [] });
}
