// A small in-memory run for formula tests: per-checkpoint [accuracy[], perplexity[]] rows, steps 10, 20, 30, …
import type { Run } from '../../../src/core/model';

export function makeRun(id: string, rows: [number[], number[]][], subset?: number[]): Run {
  return {
    id,
    numExamples: rows[0][0].length,
    source: { format: 'premem', path: 'mem' },
    subset: subset && Int32Array.from(subset),
    checkpoints: rows.map(([acc, perp], m) => ({
      id: `c${m}`,
      step: 10 * (m + 1),
      accuracy: Float64Array.from(acc),
      perplexity: Float64Array.from(perp),
      sampleCount: new Uint16Array(acc.length).fill(4),
    })),
  };
}
