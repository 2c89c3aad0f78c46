// Benchmark: what the example panel costs for one example with 50 samples at each of 6 checkpoints: every sample
// word-diffed against the target, the render model built, serialised for postMessage and checked by the webview's
// guard. Targets are real GSM8K traces; samples are derived from them (no model outputs ship with the data):
// "mixed" is verbatim copies, wrong final answers, light rewrites and other problems' traces in equal parts;
// "unrelated" is only other problems' traces, the worst case for the diff at this length.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sampleViews, summarizeSamples } from '../src/core/diff/sample-view';
import type { SampleRecord } from '../src/core/model';
import { isHostMessage, type HostMessage } from '../webview/example/protocol';
import { median, row, runAlone } from './util';

const SAMPLES = 50;
const CHECKPOINTS = 6;
const EXAMPLES = 20;

function traces(): { traces: string[]; source: string } {
  const shared = path.resolve(__dirname, '../../shared/data/gsm8k/train.jsonl');
  const fixture = path.resolve(__dirname, '../test/fixtures/grading/gsm8k-sample.jsonl');
  for (const file of [shared, fixture]) {
    try {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
      return { traces: lines.slice(0, 400).map((l) => (JSON.parse(l) as { answer: string }).answer), source: path.basename(path.dirname(file)) + '/' + path.basename(file) };
    } catch {
      // try the next
    }
  }
  throw new Error('no GSM8K traces found');
}

/** A rewrite that keeps the numbers and most words: calculator annotations dropped, a few words swapped. */
function rewrite(trace: string): string {
  return trace
    .replace(/<<[^>]*>>/g, '')
    .replace(/\bSo\b/g, 'Therefore')
    .replace(/\bis\b/g, 'equals')
    .replace(/^(\w+)/, 'First, $1');
}

function samplesFor(all: string[], e: number, kind: 'mixed' | 'unrelated'): SampleRecord[][] {
  const target = all[e];
  return Array.from({ length: CHECKPOINTS }, (_, m) =>
    Array.from({ length: SAMPLES }, (_, i): SampleRecord => {
      const other = all[(e + 1 + m * SAMPLES + i) % all.length];
      if (kind === 'unrelated') return { text: other, answer: null, outcome: 'wrong' };
      switch (i % 4) {
        case 0:
          return { text: target, answer: '1', outcome: 'correct' };
        case 1:
          return { text: target.replace(/#### (.*)$/, '#### 1$1'), answer: '2', outcome: 'wrong' };
        case 2:
          return { text: rewrite(target), answer: '1', outcome: 'correct' };
        default:
          return { text: other, answer: null, outcome: 'unparseable' };
      }
    }),
  );
}

/** Milliseconds for one example: all checkpoints diffed and modelled, then posted (JSON) and validated. */
function oneExample(target: string, checkpoints: SampleRecord[][]): { model: number; total: number } {
  let model = 0;
  const start = performance.now();
  checkpoints.forEach((records, checkpoint) => {
    const t0 = performance.now();
    const samples = sampleViews(target, records);
    const summary = summarizeSamples(samples);
    model += performance.now() - t0;
    const message: HostMessage = { type: 'samples', index: 0, run: 0, checkpoint, payload: { status: 'ok', samples, summary, perturbations: [] } };
    if (!isHostMessage(JSON.parse(JSON.stringify(message)))) throw new Error('the render model does not pass the guard');
  });
  return { model, total: performance.now() - start };
}

export async function benchDiff(): Promise<string[]> {
  const { traces: all, source } = traces();
  const rows: string[] = [];
  for (const kind of ['mixed', 'unrelated'] as const) {
    // Warm up the JIT on one example, then time EXAMPLES different ones.
    oneExample(all[0], samplesFor(all, 0, kind));
    const runs = Array.from({ length: Math.min(EXAMPLES, all.length) }, (_, e) => oneExample(all[e], samplesFor(all, e, kind)));
    const totals = runs.map((r) => r.total);
    rows.push(
      row(
        `example panel: ${SAMPLES} samples × ${CHECKPOINTS} checkpoints diffed + render model, then JSON + guard (${kind} samples)`,
        `${median(runs.map((r) => r.model)).toFixed(0)} ms + ${median(runs.map((r) => r.total - r.model)).toFixed(0)} ms median (total max ${Math.max(...totals).toFixed(0)} ms)`,
        `${Math.min(EXAMPLES, all.length)} examples of ${source}; one checkpoint (what opening the panel costs) is 1/${CHECKPOINTS} of this`,
      ),
    );
  }
  return rows;
}

if (require.main === module) runAlone(benchDiff);
