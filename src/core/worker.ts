// Entry of the worker threads (bundled as dist/worker.js): which service a worker runs is named in workerData.
import { workerData } from 'node:worker_threads';
import { serveJsonlScanJobs } from './dataset/jsonl-worker-source';
import { serveScanJobs } from './runlog/premem-worker';

const kind = (workerData as { kind?: string } | null)?.kind;
if (kind === 'premem-scan') serveScanJobs();
else if (kind === 'jsonl-scan') serveJsonlScanJobs();
else throw new Error(`unknown worker kind '${String(kind)}'`);
