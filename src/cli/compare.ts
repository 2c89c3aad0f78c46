// premem compare: two runs, or two checkpoints, over the whole dataset: what flipped between A and B.
import { type CheckpointComparison, compareCheckpoints, flipped, scatterGrid } from '../core/compare/compare-checkpoints';
import { type Dataset, InputError } from '../core/model';
import { ANALYSIS_OPTIONS, checkpointOption, limitOption, openAnalysis } from './analysis-options';
import { parse, UsageError } from './args';
import { DATASET_HELP } from './dataset-options';

const HELP = `usage: premem compare --runs DIR --a RUN[:CHECKPOINT] --b RUN[:CHECKPOINT] [--dataset FILE] [--json]
                      [--p P | --calibrate] [--t T] [--limit N] [--format auto|premem|paper|lm-eval|...]
                      [--config premem.json] [--profile NAME | --query FIELD --target FIELD|TEMPLATE]

  Compares two runs, or two checkpoints of one run, example by example (docs/signals.md): PreMemAcc bucket
  (fragile, at-risk, robust) at A and at B, learned (sample accuracy >= 0.5) at A and B, and the step at which
  each first memorized the example. Examples compared: trained on by both runs and scored at both checkpoints.

  --a, --b SPEC         a run id, or run id:checkpoint id (default: the run's last checkpoint)
  --dataset FILE        the training dataset: places logs by stable key, adds keys to the output
  --p P                 memorization threshold on target perplexity (default: GSM8K's 1.1055)
  --calibrate           choose p by sweeping it against measured test accuracy
  --t T                 fragile threshold on PreMemAcc (default 0.75)
  --limit N             examples listed in the table (default 20; --json lists every flipped example)
  --json                one JSON object: counts, a 10×10 A-vs-B PreMemAcc grid, every flipped example
${DATASET_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(argv, { ...ANALYSIS_OPTIONS, a: { type: 'string' }, b: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, HELP);
  if (!o.a || !o.b) throw new UsageError(`--a and --b are required\n\n${HELP}`);
  const limit = limitOption(o.limit);
  const { dataset, analysis, t } = await openAnalysis(o, HELP, false);
  try {
    const a = checkpointOption(analysis.prepared, o.a);
    const b = checkpointOption(analysis.prepared, o.b);
    const [runA, runB] = [a.prepared.run, b.prepared.run];
    if (runA.numExamples !== runB.numExamples) {
      throw new InputError(runB.source.path, `run ${runB.id} scores ${runB.numExamples} examples, run ${runA.id} ${runA.numExamples}: not the same dataset`);
    }
    const comparison = compareCheckpoints(a, b, analysis.thr, t);
    if (o.json) console.log(JSON.stringify(comparisonJson(comparison, dataset)));
    else console.log(formatComparison(comparison, dataset, limit));
    return 0;
  } finally {
    await dataset?.close();
  }
}

export function comparisonJson(c: CheckpointComparison, dataset: Dataset | undefined) {
  const { preMemA, preMemB, examples, ...rest } = c;
  return {
    ...rest,
    p: Math.exp(Math.exp(c.thr)),
    scatter: { bins: 10, grid: scatterGrid(preMemA, preMemB, 10) },
    flipped: examples.filter(flipped).map((e) => ({ key: dataset?.keys[e.index] ?? null, ...e })),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatComparison(c: CheckpointComparison, dataset: Dataset | undefined, limit: number): string {
  const lines: string[] = [];
  lines.push(`A = ${c.a.run} / ${c.a.checkpoint} (step ${c.a.step})`);
  lines.push(`B = ${c.b.run} / ${c.b.checkpoint} (step ${c.b.step})`);
  lines.push(`${c.compared} examples compared; p = ${Math.exp(Math.exp(c.thr)).toFixed(4)}, fragile when PreMemAcc <= ${c.t}`);
  if (c.compared === 0) return [...lines, 'no example is trained on by both runs and scored at both checkpoints'].join('\n');
  const share = (n: number) => `${String(n).padStart(7)}  ${pct(n / c.compared).padStart(6)}`;
  lines.push('', 'PreMemAcc bucket, A -> B:');
  for (const [k, n] of Object.entries(c.counts.buckets).sort((x, y) => y[1] - x[1])) lines.push(`  ${k.padEnd(24)} ${share(n)}`);
  lines.push('', 'learned (sample accuracy >= 0.5), A -> B:');
  for (const [k, n] of Object.entries(c.counts.learned)) lines.push(`  ${k.padEnd(24)} ${share(n)}`);
  lines.push('', 'first memorized, B relative to A:');
  for (const [k, n] of Object.entries(c.counts.memorization)) lines.push(`  ${k.padEnd(24)} ${share(n)}`);
  const changed = c.examples.filter(flipped);
  // The largest PreMemAcc moves first: what a reader wants to look at.
  changed.sort((x, y) => Math.abs(y.preMemB - y.preMemA) - Math.abs(x.preMemB - x.preMemA) || x.index - y.index);
  lines.push('', `${changed.length} examples flipped${changed.length > limit ? `; the ${limit} with the largest PreMemAcc change` : ''}:`);
  lines.push(`  ${'index'.padStart(6)}  ${'line'.padStart(6)}  PreMemAcc A -> B   bucket A -> B          learned`);
  for (const e of changed.slice(0, limit)) {
    const line = dataset ? String(dataset.lines[e.index]) : '-';
    lines.push(`  ${String(e.index).padStart(6)}  ${line.padStart(6)}  ${e.preMemA.toFixed(2).padStart(5)} -> ${e.preMemB.toFixed(2).padEnd(7)}  ${`${e.bucketA} -> ${e.bucketB}`.padEnd(22)} ${e.learned}`);
  }
  return lines.join('\n');
}
