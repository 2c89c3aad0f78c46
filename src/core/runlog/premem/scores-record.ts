// The compact "scores" record of the PreMem run log: one checkpoint's accuracy and perplexity for every dataset
// example as columns, in dataset order. It carries what the paper's arrays carry in a tenth of the bytes of one
// example record per example (see docs/run-log-format.md); a digest of the dataset's keys ties it to the dataset
// version it was scored on, so a reordered or edited dataset is reported instead of silently misplaced.
import { createHash } from 'node:crypto';
import { MAX_SAMPLES } from './records';

export interface ScoresRecord {
  v: 1;
  type: 'scores';
  run: string;
  checkpoint: string;
  step?: number;
  /** keysDigest() of the dataset's keys in order; when given, a dataset with other keys rejects the record. */
  keysDigest?: string;
  /** Samples per example: one count for all, or one per example. */
  sampleCount: number | number[];
  /** Share of correct samples per example, in dataset order; null when not scored. */
  accuracy: (number | null)[];
  /** Perplexity of the target trace per example; null when unknown. */
  perplexity?: (number | null)[];
}

/** "sha256:" + the first 16 hex digits of SHA-256 over the keys joined by newlines. */
export function keysDigest(keys: readonly string[]): string {
  return 'sha256:' + createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16);
}

type Failure = { ok: false; message: string; field?: string };
const fail = (message: string, field: string): Failure => ({ ok: false, message, field });

/** Checks the fields a scores record adds to the common ones (v and run are checked by the caller). */
export function validateScores(rec: Record<string, unknown>): { ok: true; record: ScoresRecord } | Failure {
  if (typeof rec.checkpoint !== 'string' || rec.checkpoint === '') return fail(`'checkpoint' must be a non-empty string`, 'checkpoint');
  if (rec.step !== undefined && !(Number.isInteger(rec.step) && (rec.step as number) >= 0)) return fail(`'step' must be an integer >= 0`, 'step');
  if (rec.keysDigest !== undefined && typeof rec.keysDigest !== 'string') return fail(`'keysDigest' must be a string`, 'keysDigest');
  const accuracy = rec.accuracy;
  if (!Array.isArray(accuracy)) return fail(`'accuracy' must be an array of numbers from 0 to 1 (null: not scored), one per dataset example`, 'accuracy');
  for (let i = 0; i < accuracy.length; i++) {
    const a = accuracy[i];
    if (a !== null && !(typeof a === 'number' && a >= 0 && a <= 1)) return fail(`'accuracy[${i}]' is ${JSON.stringify(a)}, expected a number from 0 to 1 or null`, `accuracy[${i}]`);
  }
  const count = rec.sampleCount;
  const isCount = (c: unknown) => Number.isInteger(c) && (c as number) >= 0 && (c as number) <= MAX_SAMPLES;
  if (Array.isArray(count)) {
    if (count.length !== accuracy.length) return fail(`'sampleCount' has ${count.length} entries but 'accuracy' has ${accuracy.length}`, 'sampleCount');
    const bad = count.findIndex((c) => !isCount(c));
    if (bad >= 0) return fail(`'sampleCount[${bad}]' must be an integer from 0 to ${MAX_SAMPLES}`, `sampleCount[${bad}]`);
  } else if (!isCount(count)) return fail(`'sampleCount' must be an integer from 0 to ${MAX_SAMPLES}, or one per example`, 'sampleCount');
  const perplexity = rec.perplexity;
  if (perplexity !== undefined) {
    if (!Array.isArray(perplexity)) return fail(`'perplexity' must be an array of positive numbers (null: unknown)`, 'perplexity');
    if (perplexity.length !== accuracy.length) return fail(`'perplexity' has ${perplexity.length} entries but 'accuracy' has ${accuracy.length}`, 'perplexity');
    for (let i = 0; i < perplexity.length; i++) {
      const p = perplexity[i];
      if (p !== null && !(typeof p === 'number' && Number.isFinite(p) && p > 0)) return fail(`'perplexity[${i}]' is ${JSON.stringify(p)}, expected a positive number or null`, `perplexity[${i}]`);
    }
  }
  return { ok: true, record: rec as unknown as ScoresRecord };
}

/** The scores of one example of a scores record. */
export function scoresAt(record: ScoresRecord, i: number): { accuracy: number; sampleCount: number; perplexity: number } {
  const a = record.accuracy[i];
  const p = record.perplexity?.[i];
  const k = Array.isArray(record.sampleCount) ? record.sampleCount[i] : record.sampleCount;
  return { accuracy: a === null || k === 0 ? NaN : a, sampleCount: a === null ? 0 : k, perplexity: p === null || p === undefined ? NaN : p };
}
