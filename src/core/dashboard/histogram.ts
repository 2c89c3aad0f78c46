// Panel "Distribution": per-example PreMemAcc at the selected checkpoint, with t (the re-collection cut) marked.
// Bins are closed on the right, (lo, hi], the first one [0, hi], so the curation rule "PreMemAcc <= t" never
// splits a bin when t falls on a bin edge (t = 0.75 with 20 bins).

import { isFragile } from '../metrics/dynamics';

export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
  /** Every value in the bin is at or under t. */
  fragile: boolean;
}

export interface PreMemHistogram {
  checkpoint: string;
  bins: HistogramBin[];
  t: number;
  /** Members scored at the checkpoint. */
  scored: number;
  atOrUnderT: number;
  /** atOrUnderT / scored (NaN when nothing is scored). */
  share: number;
}

/** Values a hair above an edge from rounding (3/5 = 0.6000000000000001) stay in the bin below it. */
const EDGE_TOLERANCE = 1e-9;

export function binIndex(value: number, bins: number): number {
  const b = Math.ceil(value * bins - EDGE_TOLERANCE) - 1;
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

export function preMemHistogram(preMem: Float64Array, members: Int32Array, t: number, checkpoint: string, bins = 20): PreMemHistogram {
  const counts = new Array<number>(bins).fill(0);
  let scored = 0;
  let atOrUnderT = 0;
  for (let k = 0; k < members.length; k++) {
    const v = preMem[members[k]];
    if (Number.isNaN(v)) continue;
    scored++;
    if (isFragile(v, t)) atOrUnderT++;
    counts[binIndex(v, bins)]++;
  }
  return {
    checkpoint,
    bins: counts.map((count, b) => ({ lo: b / bins, hi: (b + 1) / bins, count, fragile: (b + 1) / bins <= t + EDGE_TOLERANCE })),
    t,
    scored,
    atOrUnderT,
    share: scored ? atOrUnderT / scored : NaN,
  };
}
