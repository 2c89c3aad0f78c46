// Entry of the worker threads (bundled as dist/worker.js): which service a worker runs is named in workerData.
import { workerData } from 'node:worker_threads';
import { serveJsonlScanJobs } from './dataset/jsonl-worker-source';
import { serveScanJobs } from './runlog/premem/scan-worker';

// The first ArrayBuffer a thread detaches (here: moving a job's result to the main thread) makes V8 throw away all
// optimized code that assumed none ever would, i.e. the whole parser, in the middle of a scan. Detaching one now,
// before anything is optimized, costs nothing.
const spare = new ArrayBuffer(8);
structuredClone(spare, { transfer: [spare] });

const kind = (workerData as { kind?: string } | null)?.kind;
if (kind === 'premem-scan') serveScanJobs();
else if (kind === 'jsonl-scan') serveJsonlScanJobs();
else throw new Error(`unknown worker kind '${String(kind)}'`);
