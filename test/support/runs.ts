// Small in-memory runs for the metric and dashboard tests.
import type { CheckpointScores, Run } from '../../src/core/model';

/**
 * A run from per-checkpoint [accuracy[], perplexity[]] rows: checkpoint m is `c${m}` at step (m + 1) * 10, each
 * example scored from 4 samples; `extra` adds fields per checkpoint (testAccuracy, ...), `subset` the trained rows.
 */
export function makeRun(id: string, rows: [number[], number[]][], extra: Partial<CheckpointScores>[] = [], subset?: number[]): Run {
  return {
    id,
    numExamples: rows[0][0].length,
    source: { format: 'premem', path: 'mem' },
    subset: subset ? Int32Array.from(subset) : undefined,
    checkpoints: rows.map(([acc, perp], m) => ({
      id: `c${m}`,
      step: (m + 1) * 10,
      accuracy: Float64Array.from(acc),
      perplexity: Float64Array.from(perp),
      sampleCount: new Uint16Array(acc.length).fill(4),
      ...extra[m],
    })),
  };
}
