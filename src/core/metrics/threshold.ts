// The memorization threshold in its two spellings: p (a perplexity) and thr = log(log(p)), the released code's form.
// Comparisons are made in log-log space, as the released code does, so results match its arrays bit for bit.

export const thresholdFromP = (p: number): number => Math.log(Math.log(p));
export const pFromThreshold = (thr: number): number => Math.exp(Math.exp(thr));

/**
 * The values the method was published with (see docs): GSM8K thr = -2.3, MATH thr = -1.7. Other layouts have
 * no published value; GSM8K's, the stricter, stands in until p is calibrated.
 */
export const DEFAULT_THRESHOLD: Record<'gsm8k' | 'math' | 'general', number> = { gsm8k: -2.3, math: -1.7, general: -2.3 };

/**
 * log(log(perplexity)) per example. An unknown perplexity (NaN: not scored, or a sampling-only endpoint) becomes
 * +Infinity, i.e. never memorized, so PreMemAcc falls back to plain accuracy; a perplexity <= 1 becomes -Infinity.
 */
export function logLogPerplexity(perplexity: Float64Array): Float64Array {
  const out = new Float64Array(perplexity.length);
  for (let i = 0; i < perplexity.length; i++) {
    const p = perplexity[i];
    out[i] = p > 1 ? Math.log(Math.log(p)) : Number.isNaN(p) ? Infinity : -Infinity;
  }
  return out;
}
