import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { summarize } from '../../src/core/analysis';
import { checkpointAdvice, overMemorizationFlags } from '../../src/core/dashboard/advice';
import { buildDashboard, buildHeatmap } from '../../src/core/dashboard/build';
import { categoriesSummary, categoryStacks } from '../../src/core/dashboard/categories';
import { ACCURACY_TICKS, runStyle } from '../../webview/dashboard/charts';
import { withThreshold } from '../../src/core/dashboard/config-threshold';
import { adviceCsv, heatmapCsv, histogramCsv, predictionCsv, toCsv } from '../../src/core/dashboard/csv';
import { memorizedShare, sampleDiversity } from '../../src/core/dashboard/diversity';
import { countingSort, heatmapData, heatmapOrder, quantizeAccuracy, UNKNOWN_ACCURACY, type HeatmapData } from '../../src/core/dashboard/heatmap';
import { clampWindow, displayCells, heatmapPalette, parseCssColor, rasterizeHeatmap, rowsAtPixel, type HeatmapColors } from '../../src/core/dashboard/heatmap-raster';
import { binIndex, preMemHistogram } from '../../src/core/dashboard/histogram';
import { predictionData } from '../../src/core/dashboard/prediction';
import { robustnessBin, robustnessData } from '../../src/core/dashboard/robustness';
import { StaticDashboardSource } from '../../src/core/dashboard/source';
import { clampThreshold, sweepCurve, thresholdState } from '../../src/core/dashboard/sweep';
import { calibrate, DEFAULT_GRID } from '../../src/core/metrics/calibrate';
import { Category, exampleDynamics, Trajectory } from '../../src/core/metrics/dynamics';
import { preMemAccuracy, prepareRun } from '../../src/core/metrics/premem';
import { pFromThreshold, thresholdFromP } from '../../src/core/metrics/threshold';
import { InputError } from '../../src/core/model';
import { readPaperRuns } from '../../src/core/runlog/paper';
import { makeRun } from '../support/runs';
import { fixtures, sharedData, skipWithoutShared } from '../support/shared';

const P = 1.1;
const thr = thresholdFromP(P);

// Four examples over three checkpoints:
//  0: incorrect, then correct with its own trace, then memorized (generalized then memorized)
//  1: memorized from the first checkpoint with accuracy 1 (memorized directly)
//  2: never learned
//  3: correct throughout, never memorized (generalized); not scored at c1
const small = () =>
  makeRun('small', [
    [[0, 1, 0, 0.75], [2, 1.05, 3, 1.5]],
    [[0.75, 1, 0.25, NaN], [1.8, 1.01, 2.5, NaN]],
    [[1, 1, 0, 1], [1.02, 1.01, 2.2, 1.6]],
  ]);

test('categories per checkpoint count the run\'s members by category', () => {
  const prepared = prepareRun(small());
  const d = exampleDynamics(prepared, thr);
  const stacks = categoryStacks(d.category, prepared.members, ['c0', 'c1', 'c2'], 0);
  assert.deepEqual(stacks.counts.incorrect, [2, 1, 1]);
  assert.deepEqual(stacks.counts.correct, [1, 1, 1]);
  assert.deepEqual(stacks.counts.memorized, [1, 1, 2]);
  assert.deepEqual(stacks.counts.unscored, [0, 1, 0]);
  assert.equal(stacks.total, 4);
  // The sentence speaks of the selected checkpoint, not the last one.
  assert.equal(categoriesSummary(stacks), '4 examples of the selected run. At c0: 25.0% memorized, 25.0% correct with their own trace, 50.0% incorrect.');
  // Only the members of a subset run are counted.
  const sub = categoryStacks(d.category, Int32Array.from([1, 2]), ['c0', 'c1', 'c2'], 2);
  assert.deepEqual(sub.counts.memorized, [1, 1, 1]);
  assert.deepEqual(sub.counts.incorrect, [1, 1, 1]);
  assert.equal(sub.total, 2);
});

test('histogram bins are closed on the right so "PreMemAcc <= t" never splits a bin at t = 0.75', () => {
  assert.equal(binIndex(0, 20), 0);
  assert.equal(binIndex(0.05, 20), 0);
  assert.equal(binIndex(0.0500001, 20), 1);
  assert.equal(binIndex(3 / 5, 20), 11); // 0.6000000000000001 stays in (0.55, 0.6]
  assert.equal(binIndex(0.75, 20), 14);
  assert.equal(binIndex(1, 20), 19);
  const values = Float64Array.from([0, 0.2, 0.6, 0.75, 0.8, 1, NaN, 0.4]);
  const h = preMemHistogram(values, Int32Array.from([0, 1, 2, 3, 4, 5, 6]), 0.75, 'c9');
  assert.equal(h.scored, 6);
  assert.equal(h.atOrUnderT, 4); // 0, 0.2, 0.6, 0.75 (0.4 is not a member)
  assert.equal(h.share, 4 / 6);
  assert.equal(h.bins.reduce((s, b) => s + b.count, 0), 6);
  assert.equal(h.bins[14].count, 1);
  assert.equal(h.bins[14].fragile, true);
  assert.equal(h.bins[15].fragile, false);
  assert.equal(h.bins.filter((b) => b.fragile).length, 15);
  assert.match(histogramCsv(h), /^bin_low_exclusive,bin_high_inclusive,count,at_or_under_t\r\n0,0.05,1,true\r\n/);
});

test('sample diversity averages distinct answers where known; memorized share uses p', () => {
  const sc = Uint16Array.from([5, 5, 5, 0]);
  assert.equal(sampleDiversity(Uint16Array.from([1, 3, 0, 4]), sc, Int32Array.from([0, 1, 2, 3])), 2); // 0 = unknown, 3 unscored
  assert.equal(sampleDiversity(Uint16Array.from([1, 3, 0, 4]), sc, Int32Array.from([1])), 3);
  assert.equal(sampleDiversity(undefined, sc, Int32Array.from([0])), null);
  assert.equal(sampleDiversity(new Uint16Array(4), sc, Int32Array.from([0, 1])), null);
  const prepared = prepareRun(small());
  const all = prepared.members;
  assert.equal(memorizedShare(prepared.logLogPerplexity[0], prepared.run.checkpoints[0].accuracy, all, thr), 1 / 4);
  assert.equal(memorizedShare(prepared.logLogPerplexity[1], prepared.run.checkpoints[1].accuracy, all, thr), 1 / 3);
  assert.equal(memorizedShare(prepared.logLogPerplexity[2], prepared.run.checkpoints[2].accuracy, all, thr), 2 / 4);
  // A larger p memorizes more.
  assert.equal(memorizedShare(prepared.logLogPerplexity[2], prepared.run.checkpoints[2].accuracy, all, thresholdFromP(1.7)), 3 / 4);
});

test('over-memorization: test perplexity climbing while accuracy holds is flagged, a drop in accuracy is not', () => {
  const flags = overMemorizationFlags([
    { accuracy: 0.6, testPerplexity: 1.5 },
    { accuracy: 0.65, testPerplexity: 1.45 }, // perplexity falls: fine
    { accuracy: 0.66, testPerplexity: 1.7 }, // +17% over the lowest (1.45), accuracy holds: flagged
    { accuracy: 0.655, testPerplexity: 1.6 }, // still 10% above 1.45, within 0.02 of 0.66: flagged
    { accuracy: 0.55, testPerplexity: 2.5 }, // accuracy fell: not the over-memorization stage
    { accuracy: 0.7, testPerplexity: null }, // nothing to say without perplexity
  ]);
  assert.deepEqual(flags, [false, false, true, true, false, false]);
  assert.deepEqual(overMemorizationFlags([{ accuracy: 0.5, testPerplexity: 3 }]), [false]);
});

test('checkpoint advice: flags, diversity, the best predicted checkpoint per run and overall', () => {
  const a = makeRun(
    'a',
    [
      [[0, 0.5, 1], [2, 2, 2]],
      [[1, 1, 1], [2, 2, 2]],
      [[1, 1, 1], [1.01, 1.01, 1.01]],
    ],
    [
      { testAccuracy: 0.5, testPerplexity: 1.4, distinctAnswers: Uint16Array.from([3, 2, 1]) },
      { testAccuracy: 0.7, testPerplexity: 1.3, distinctAnswers: Uint16Array.from([2, 2, 1]) },
      { testAccuracy: 0.7, testPerplexity: 1.9, distinctAnswers: Uint16Array.from([1, 1, 1]) },
    ],
  );
  const b = makeRun('b', [[[0.25, 0.25, 0.25], [2, 2, 2]]]);
  const prepared = [a, b].map(prepareRun);
  const source = new StaticDashboardSource(prepared, { thr, calibration: null });
  const advice = buildDashboard(source).advice;
  assert.deepEqual(advice.rows.map((r) => r.overMemorized), [false, false, true, false]);
  assert.deepEqual(advice.rows.map((r) => r.diversity), [2, 5 / 3, 1, null]);
  assert.deepEqual(advice.rows.map((r) => r.memorizedShare), [0, 0, 1, 0]);
  // Predicted (mean PreMemAcc): a: 0.5, 1, 1 (memorized at c2 keeps the earlier 1); b: 0.25.
  assert.deepEqual(advice.rows.map((r) => r.predictedTestAccuracy), [0.5, 1, 1, 0.25]);
  assert.deepEqual(advice.rows.map((r) => r.bestPredictedInRun), [false, true, false, true]);
  assert.deepEqual(advice.best, { run: 'a', checkpoint: 'c1', predictedTestAccuracy: 1, testAccuracy: 0.7 });
  assert.equal(advice.overMemorized, 1);
  assert.equal(advice.hasTestPerplexity, true);
  assert.equal(advice.hasDiversity, true);
  const csv = adviceCsv(advice).split('\r\n');
  assert.equal(csv[3], 'a,c2,30,,1,1,0.7,1.9,1,1,true,false');
  // Without test labels the prediction alone still names a checkpoint.
  const unlabeled = checkpointAdvice(summarize([prepareRun(b)], thr), { diversity: [], memorizedShare: [] });
  assert.equal(unlabeled.best?.checkpoint, 'c0');
  assert.equal(unlabeled.hasTestPerplexity, false);
  assert.equal(unlabeled.rows[0].diversity, null);
});

test('robustness bins: accuracy on the original and each perturbed prompt per PreMemAcc bin', () => {
  assert.deepEqual([0, 0.19, 0.2, 0.4, 0.6, 0.79, 0.8, 1].map(robustnessBin), [0, 0, 1, 2, 3, 3, 4, 4]);
  const run = makeRun(
    'r',
    [
      [[0.2, 1, 1, 0, 1], [2, 2, 1.01, 2, 2]],
      [[0.2, 1, 1, 0, 0.6], [2, 2, 1.01, 2, 2]],
    ],
    [{}, { perturbations: { first: Float64Array.from([0, 1, 0.2, 0, 0.4]), weKnow: Float64Array.from([0.2, 0.8, NaN, 0, 0.6]) } }],
  );
  const prepared = prepareRun(run);
  const pre = preMemAccuracy(prepared, thr); // at c1: 0.2, 1, 0 (memorized from the start), 0, 0.6
  const r = robustnessData(run.checkpoints, pre, prepared.members, 0)!;
  assert.equal(r.checkpoint, 'c1'); // c0 has no perturbations: the latest that has is used
  assert.deepEqual(r.perturbations, ['first', 'weKnow']);
  assert.deepEqual(r.bins.map((b) => b.count), [2, 1, 0, 1, 1]);
  assert.deepEqual(r.bins[0], { lo: 0, hi: 0.2, count: 2, original: 0.5, perturbed: { first: 0.1, weKnow: 0 } });
  assert.deepEqual(r.bins[2].perturbed, { first: null, weKnow: null });
  assert.equal(r.bins[2].original, null);
  assert.deepEqual(r.bins[4], { lo: 0.8, hi: 1, count: 1, original: 1, perturbed: { first: 1, weKnow: 0.8 } });
  assert.equal(robustnessData(small().checkpoints, preMemAccuracy(prepareRun(small()), thr), prepareRun(small()).members, 2), null);
});

test('sweep: the R²(p) curve of the calibration, its best point, and the slider range in log-log p', () => {
  const runs = [0.3, 0.5, 0.7].map((base, k) =>
    makeRun(
      `r${k}`,
      [
        [[base, base, 1, 0], [1.5, 1.03, 1.2, 2]],
        [[base + 0.1, 1, 1, 0.5], [1.4, 1.02, 1.04, 1.9]],
      ],
      [{ testAccuracy: base / 2 + 0.2 }, { testAccuracy: base / 2 + 0.3 }],
    ),
  );
  const calibration = calibrate(runs.map(prepareRun))!;
  const curve = sweepCurve(calibration)!;
  assert.ok(curve.points.length > 10 && curve.points.length <= DEFAULT_GRID.size);
  assert.ok(curve.points.every((p) => Number.isFinite(p.r2)));
  const best = Math.max(...curve.points.map((p) => p.r2));
  assert.equal(curve.calibrated.r2, best);
  assert.equal(curve.calibrated.thr, calibration.thr);
  assert.equal(sweepCurve(null), null);
  const state = thresholdState(-2.3, 0.9);
  assert.equal(state.p, pFromThreshold(-2.3));
  assert.deepEqual(state.slider, { min: -5, max: -5 + 1100 * 0.005, step: 0.005 });
  assert.equal(clampThreshold(3), state.slider.max);
  assert.equal(clampThreshold(-9), -5);
  assert.equal(clampThreshold(NaN), undefined);
  assert.equal(clampThreshold(-2), -2);
});

test('prediction data: one series per run with test results; R² as in the analysis', () => {
  const withTest = makeRun('t', [[[1, 0], [2, 2]], [[1, 1], [2, 2]]], [{ testAccuracy: 0.4 }, { testAccuracy: 0.9 }]);
  const noTest = makeRun('n', [[[1, 0], [2, 2]]]);
  const prepared = [withTest, noTest].map(prepareRun);
  const summary = summarize(prepared, thr);
  const data = predictionData(summary, null);
  assert.equal(data.series.length, 1);
  assert.deepEqual(data.series[0].points.map((p) => [p.checkpoint, p.preMemAccuracy, p.testAccuracy]), [['c0', 0.5, 0.4], ['c1', 1, 0.9]]);
  assert.equal(data.r2, summary.fit.r2);
  assert.equal(data.n, 2);
  assert.equal(data.leaveOneRunOut, null);
  assert.equal(predictionCsv(data).split('\r\n')[1], 't,c0,10,0.5,0.5,0.4');
});

/** Heatmap data from explicit columns: category[m][r], accuracy[m][r]. */
function handHeatmap(category: number[][], accuracy: number[][]): HeatmapData {
  const rows = category[0].length;
  return {
    rows,
    checkpoints: category.length,
    example: Int32Array.from({ length: rows }, (_, r) => r),
    category: Uint8Array.from(category.flat()),
    accuracy: Uint8Array.from(accuracy.flat().map(quantizeAccuracy)),
    preMem: new Float32Array(rows),
    trajectory: new Uint8Array(rows),
    firstMemorized: new Int16Array(rows).fill(-1),
  };
}

const COLORS: HeatmapColors = { background: [0, 0, 0], unscored: [100, 100, 100], incorrect: [200, 0, 0], correct: [0, 200, 0], memorized: [0, 0, 200] };

test('heatmap binning: each pixel row shows its bin\'s most common category, lit by that category\'s mean accuracy', () => {
  const palette = heatmapPalette(COLORS);
  // Rows 0-2 are one bin, rows 3-5 the other (6 rows, 2 pixel rows); one checkpoint.
  const data = handHeatmap([[Category.Memorized, Category.Memorized, Category.Incorrect, Category.Correct, Category.Correct, Category.Correct]], [[1, 0, 0, 0.5, 0.5, 0.5]]);
  const order = Uint32Array.from([0, 1, 2, 3, 4, 5]);
  const px = rasterizeHeatmap(displayCells(data, order), { start: 0, count: 6 }, 2, palette);
  assert.equal(px.length, 2 * 4);
  // Memorized with mean accuracy 0.5: intensity 0.25 + 0.75 * 0.5 = 0.625 of blue 200.
  assert.deepEqual(Array.from(px.subarray(0, 4)), [0, 0, 125, 255]);
  assert.deepEqual(Array.from(px.subarray(4, 8)), [0, 125, 0, 255]);
  // The display order decides which rows share a bin: reversed, the correct rows come first.
  const reversed = rasterizeHeatmap(displayCells(data, Uint32Array.from([5, 4, 3, 2, 1, 0])), { start: 0, count: 6 }, 2, palette);
  assert.deepEqual(Array.from(reversed.subarray(0, 4)), [0, 125, 0, 255]);
  assert.deepEqual(Array.from(reversed.subarray(4, 8)), [0, 0, 125, 255]);
  // Fewer rows than pixels: each row spans whole pixel rows.
  const tall = rasterizeHeatmap(displayCells(data, order), { start: 0, count: 2 }, 4, palette);
  assert.deepEqual(Array.from(tall.subarray(0, 4)), [0, 0, 200, 255]); // row 0: memorized, accuracy 1
  assert.deepEqual(Array.from(tall.subarray(4, 8)), [0, 0, 200, 255]);
  assert.deepEqual(Array.from(tall.subarray(8, 12)), [0, 0, 50, 255]); // row 1: memorized, accuracy 0
  // Unscored cells are grey at half intensity.
  assert.deepEqual(Array.from(palette.subarray(0, 4)), [50, 50, 50, 255]);
  assert.equal(quantizeAccuracy(NaN), UNKNOWN_ACCURACY);
});

test('heatmap binning of 1M rows into pixel rows: every row lands in exactly one bin, bins keep their pattern', () => {
  const rows = 1_000_000;
  const height = 600;
  let covered = 0;
  let previousEnd = 0;
  for (let y = 0; y < height; y++) {
    const { from, to } = rowsAtPixel({ start: 0, count: rows }, height, y);
    assert.equal(from, previousEnd);
    assert.ok(to - from === 1666 || to - from === 1667);
    covered += to - from;
    previousEnd = to;
  }
  assert.equal(covered, rows);
  // Two checkpoints: the first third incorrect, the rest memorized; the second all correct, accuracy alternating 0/1.
  const category = new Uint8Array(2 * rows);
  const accuracy = new Uint8Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    category[r] = r < rows / 3 ? Category.Incorrect : Category.Memorized;
    accuracy[r] = quantizeAccuracy(1);
    category[rows + r] = Category.Correct;
    accuracy[rows + r] = quantizeAccuracy(r % 2);
  }
  const data = { rows, checkpoints: 2, category, accuracy };
  const order = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) order[r] = r;
  const cells = displayCells(data, order);
  const px = rasterizeHeatmap(cells, { start: 0, count: rows }, height, heatmapPalette(COLORS));
  assert.equal(px.length, 2 * height * 4);
  const at = (y: number, m: number) => Array.from(px.subarray((y * 2 + m) * 4, (y * 2 + m) * 4 + 4));
  assert.deepEqual(at(0, 0), [200, 0, 0, 255]);
  assert.deepEqual(at(199, 0), [200, 0, 0, 255]);
  assert.deepEqual(at(201, 0), [0, 0, 200, 255]);
  assert.deepEqual(at(height - 1, 0), [0, 0, 200, 255]);
  // Mean accuracy 0.5 (127 of 254) in every bin of the second column.
  for (const y of [0, 300, 599]) assert.deepEqual(at(y, 1), [0, 125, 0, 255]);
  // A window of 10 rows zoomed in: rows, not bins.
  const zoomed = rasterizeHeatmap(cells, { start: rows - 10, count: 10 }, 10, heatmapPalette(COLORS));
  assert.deepEqual(Array.from(zoomed.subarray(4, 8)), [0, 50, 0, 255]); // row 999,990: accuracy 0
  assert.deepEqual(Array.from(zoomed.subarray(12, 16)), [0, 200, 0, 255]); // row 999,991: accuracy 1
});

test('heatmap order: PreMemAcc ascending with unscored last, trajectory and first memorized, all stable', () => {
  const I = Category.Incorrect;
  const C = Category.Correct;
  const Mz = Category.Memorized;
  const data = {
    rows: 6,
    checkpoints: 2,
    example: Int32Array.from([0, 1, 2, 3, 4, 5]),
    // Rows 0 and 3 tie on PreMemAcc; row 3's progression (incorrect, correct) sorts before row 0's (correct, correct).
    category: Uint8Array.from([C, 0, I, I, C, Mz, /* second checkpoint */ C, 0, Mz, C, C, Mz]),
    preMem: Float32Array.from([0.5, NaN, 0.2, 0.5, 1, 0]),
    trajectory: Uint8Array.from([Trajectory.Generalized, Trajectory.Unscored, Trajectory.MemorizedDirectly, Trajectory.NeverLearned, Trajectory.Generalized, Trajectory.MemorizedDirectly]),
    firstMemorized: Int16Array.from([-1, -1, 1, -1, -1, 0]),
  };
  assert.deepEqual(Array.from(heatmapOrder(data, 'premem')), [5, 2, 3, 0, 4, 1]);
  assert.deepEqual(Array.from(heatmapOrder(data, 'trajectory')), [1, 3, 5, 2, 0, 4]);
  assert.deepEqual(Array.from(heatmapOrder(data, 'first-memorized')), [5, 2, 3, 0, 4, 1]);
  assert.deepEqual(Array.from(heatmapOrder(data, 'dataset')), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(heatmapOrder({ ...data, example: Int32Array.from([9, 8, 7, 6, 5, 4]) }, 'dataset')), [5, 4, 3, 2, 1, 0]);
  // Equal progressions and PreMemAcc keep dataset order.
  const same = { ...data, category: new Uint8Array(12).fill(C), preMem: new Float32Array(6).fill(0.4) };
  assert.deepEqual(Array.from(heatmapOrder(same, 'premem')), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(countingSort(Uint32Array.from([3, 1, 2, 0]), [0, 1, 0, 1], 2)), [2, 0, 3, 1]);
  assert.deepEqual(clampWindow({ start: 90, count: 20 }, 100), { start: 80, count: 20 });
  assert.deepEqual(clampWindow({ start: -5, count: 500 }, 100), { start: 0, count: 100 });
});

test('heatmap data follows the run\'s members and the selected checkpoint', () => {
  const run = makeRun('s', small().checkpoints.map((c) => [Array.from(c.accuracy), Array.from(c.perplexity)] as [number[], number[]]), [], [1, 3]);
  const prepared = prepareRun(run);
  const source = new StaticDashboardSource([prepared], { thr, calibration: null, selectedCheckpoint: 1 });
  const h = buildHeatmap(source)!;
  assert.equal(h.rows, 2);
  assert.equal(h.checkpoints, 3);
  assert.deepEqual(Array.from(h.example), [1, 3]);
  assert.deepEqual(Array.from(h.category), [Category.Memorized, Category.Correct, Category.Memorized, Category.Unscored, Category.Memorized, Category.Correct]);
  assert.deepEqual(Array.from(h.accuracy), [254, 191, 254, UNKNOWN_ACCURACY, 254, 254]);
  assert.equal(h.preMem[0], 0);
  assert.ok(Number.isNaN(h.preMem[1]));
  assert.deepEqual(Array.from(h.trajectory), [Trajectory.MemorizedDirectly, Trajectory.Generalized]);
  assert.deepEqual(Array.from(h.firstMemorized), [0, -1]);
  const csv = heatmapCsv(h, heatmapOrder(h, 'premem'), ['c0', 'c1', 'c2']).split('\r\n');
  assert.equal(csv[0], 'example,premem_accuracy,trajectory,first_memorized,c0_category,c0_accuracy,c1_category,c1_accuracy,c2_category,c2_accuracy');
  assert.equal(csv[1], '1,0,memorized-directly,c0,memorized,1,memorized,1,memorized,1');
  assert.equal(csv[2], '3,,generalized,,correct,0.752,unscored,,correct,1');
});

test('CSV quoting, and text that a spreadsheet would run as a formula is defused', () => {
  assert.equal(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['=cmd()', -1], [NaN, null]]), 'a,b\r\n"x,y","say ""hi"""\r\n\'=cmd(),-1\r\n,\r\n');
});

test('saving p to premem.json changes only the value of p, to 5 significant digits; the rest stays as written', () => {
  const text = '{\n    "dataset": "train.jsonl",\n    "p": "calibrate",\n    "futureField": {"x": [1, 2], "p": 3},\n    "t": 0.7\n}\n';
  const saved = withThreshold(text, 1.1055123456789012, 'premem.json');
  assert.equal(saved, text.replace('"p": "calibrate"', '"p": 1.1055'));
  // A p that is the last field, a number already, in a compact file.
  assert.equal(withThreshold('{"dataset":"d","runs":["r"],"p":1.2}', 1.20041, 'f'), '{"dataset":"d","runs":["r"],"p":1.2004}');
  // No p yet: added after the last field, in the file's indentation.
  assert.equal(withThreshold('{\n\t"dataset": "d",\n\t"t": 0.7\n}\n', 1.2, 'f'), '{\n\t"dataset": "d",\n\t"t": 0.7,\n\t"p": 1.2\n}\n');
  assert.equal(withThreshold('{ "runs": [{"path": "a,b}"}] }', 1.5, 'f'), '{ "runs": [{"path": "a,b}"}],\n  "p": 1.5 }');
  assert.deepEqual(JSON.parse(withThreshold('{}', 1.2, 'f')), { p: 1.2 });
  assert.throws(() => withThreshold('{"dataset": ', 1.2, 'ws/premem.json'), (e: unknown) => e instanceof InputError && /ws\/premem\.json: not valid JSON/.test(e.message));
  assert.throws(() => withThreshold('[1]', 1.2, 'f'), /expected a JSON object/);
  assert.throws(() => withThreshold('{}', 0.9, 'f'), /\(p\): cannot save p = 0.9/);
});

test('theme colours parse from the forms VS Code uses', () => {
  assert.deepEqual(parseCssColor('#f14c4c'), [241, 76, 76]);
  assert.deepEqual(parseCssColor(' #ABC '), [170, 187, 204]);
  assert.deepEqual(parseCssColor('#11223380'), [17, 34, 51]);
  assert.deepEqual(parseCssColor('rgba(10, 20, 300, 0.5)'), [10, 20, 255]);
  assert.deepEqual(parseCssColor('rgb(1 2 3)'), [1, 2, 3]);
  assert.equal(parseCssColor('var(--x)'), undefined);
  assert.equal(parseCssColor('#12345'), undefined);
});

test('the committed paper-runs slice: every panel\'s data is consistent with the core metrics', async () => {
  const runs = await readPaperRuns(path.join(fixtures, 'paper-runs-mini'));
  const prepared = runs.map(prepareRun);
  const half = runs.findIndex((r) => r.id.includes('_half_'));
  const source = new StaticDashboardSource(prepared, { selectedRun: half, selectedCheckpoint: 2 });
  const model = buildDashboard(source);
  assert.equal(model.meta.examples, 200);
  assert.equal(model.meta.runs.length, 3);
  assert.equal(model.meta.runs[half].members, runs[half].subset!.length);
  assert.equal(model.threshold.thr, source.calibration!.thr);
  assert.equal(model.prediction.series.length, 3);
  assert.equal(model.prediction.n, 12);
  // The sweep's difference arrays and the direct pass agree to rounding.
  assert.ok(Math.abs(model.prediction.r2 - source.calibration!.r2) < 1e-12);
  assert.ok(model.prediction.leaveOneRunOut && Number.isFinite(model.prediction.leaveOneRunOut.mae));
  // Categories add up to the members at every checkpoint.
  const cats = model.categories!;
  for (let m = 0; m < 6; m++) assert.equal(cats.counts.unscored[m] + cats.counts.incorrect[m] + cats.counts.correct[m] + cats.counts.memorized[m], cats.total);
  assert.ok(cats.counts.memorized[5] > cats.counts.memorized[0], 'more memorized late in training');
  // The histogram is over the members' PreMemAcc at the selected checkpoint.
  const pre = preMemAccuracy(prepared[half], source.thr)[2];
  const members = Array.from(prepared[half].members);
  assert.equal(model.histogram!.scored, members.length);
  assert.equal(model.histogram!.atOrUnderT, members.filter((i) => pre[i] <= 0.75).length);
  assert.equal(model.histogram!.checkpoint, 'checkpoint-87');
  // One selected checkpoint drives every card: the progressions card speaks of the same one.
  assert.equal(cats.selected, 2);
  assert.match(categoriesSummary(cats), /\. At checkpoint-87: /);
  assert.equal(model.robustness, null);
  assert.equal(model.advice.rows.length, 12);
  assert.equal(model.advice.hasTestPerplexity, false);
  assert.equal(model.advice.overMemorized, 0);
  const heat = buildHeatmap(source)!;
  assert.equal(heat.rows, members.length);
  members.forEach((i, r) => assert.equal(heat.preMem[r], Math.fround(pre[i])));
  // A different p moves the fit.
  source.setThreshold(thresholdFromP(1.5));
  assert.notEqual(buildDashboard(source).prediction.r2, model.prediction.r2);
});

test('the 13 released GSM8K runs: R²(y = x) >= 0.93 at the calibrated p, and moving p away lowers it', { skip: skipWithoutShared('paper-runs') }, async () => {
  const prepared = (await readPaperRuns(sharedData('paper-runs')!)).map(prepareRun);
  const source = new StaticDashboardSource(prepared);
  const model = buildDashboard(source);
  assert.equal(model.prediction.n, 51);
  assert.ok(model.prediction.r2 >= 0.93, `R² ${model.prediction.r2}`);
  assert.ok(model.prediction.trainR2Linear < 0.5, `train accuracy linear R² ${model.prediction.trainR2Linear}`);
  assert.ok(model.prediction.leaveOneRunOut!.mae < 0.04);
  source.setThreshold(source.thr + 0.2);
  const moved = buildDashboard(source);
  assert.ok(moved.prediction.r2 < model.prediction.r2);
});

test('protocol guards: a real model passes after the JSON trip (NaN as null); malformed messages do not', async () => {
  const { isHostMessage, isWebviewMessage, encodeHeatmap, decodeHeatmap, isHeatmapMessage } = await import('../../webview/dashboard/protocol');
  const run = makeRun('g', [[[1, NaN, 0], [2, NaN, 1.01]], [[1, 0.5, 0], [1.01, 2, 2]]], [{ testAccuracy: 0.5 }, { testAccuracy: 0.5, testPerplexity: 1.3 }]);
  const source = new StaticDashboardSource([prepareRun(run)], { thr, calibration: null });
  const model = buildDashboard(source);
  const message = JSON.parse(JSON.stringify({ type: 'model', model, context: { dataset: 'd.jsonl', configFile: null, computeMs: 1.5 }, seq: 3, sweep: null }));
  assert.equal(message.model.threshold.r2, null, 'R² with no spread in test accuracy is NaN, sent as null');
  assert.equal(isHostMessage(message), true);
  assert.ok(!isHostMessage({ ...message, seq: 1.5 }));
  assert.ok(!isHostMessage({ ...message, model: { ...message.model, advice: { ...message.model.advice, rows: [{ run: 3 }] } } }));
  assert.ok(!isHostMessage({ ...message, sweep: { points: 'x' } }));
  assert.ok(!isHostMessage({ type: 'notice', level: 'warn', text: 'x' }));
  assert.ok(isHostMessage({ type: 'notice', level: 'info', text: 'x' }));
  assert.ok(!isHostMessage(null));
  assert.ok(!isHostMessage({ ...message, script: '<script>' }), 'no field rides along that the protocol does not declare');
  assert.ok(!isHostMessage({ ...message, model: { ...message.model, threshold: { ...message.model.threshold, extra: 1 } } }));

  const heat = buildHeatmap(source)!;
  const encoded = encodeHeatmap(heat, { key: 1, run: 'g', checkpointIds: ['c0', 'c1'], selectedCheckpoint: 1 });
  assert.ok(isHeatmapMessage(encoded));
  assert.ok(isHostMessage({ type: 'heatmap', heatmap: encoded }));
  assert.deepEqual(decodeHeatmap(encoded), heat);
  assert.ok(!isHeatmapMessage({ ...encoded, rows: 4 }), 'buffer sizes must match the row count');
  assert.ok(!isHeatmapMessage({ ...encoded, category: new Uint8Array(6) }), 'columns cross as ArrayBuffers');
  assert.ok(!isHeatmapMessage({ ...encoded, checkpointIds: ['c0'] }));
  // A view into a larger buffer is copied out rather than sending the whole buffer.
  const big = new Uint8Array(100);
  const part = encodeHeatmap({ ...heat, trajectory: big.subarray(10, 13) }, { key: 2, run: 'g', checkpointIds: ['c0', 'c1'], selectedCheckpoint: 1 });
  assert.equal(part.trajectory.byteLength, 3);

  assert.ok(isWebviewMessage({ type: 'setThreshold', thr: -2.3, seq: 4 }));
  assert.ok(!isWebviewMessage({ type: 'setThreshold', thr: null, seq: 4 }));
  assert.ok(!isWebviewMessage({ type: 'openExample', index: -1 }));
  assert.ok(!isWebviewMessage({ type: 'openExample', index: 2.5 }));
  assert.ok(isWebviewMessage({ type: 'exportPng', name: 'sweep', dataUrl: 'data:image/png;base64,AAAA' }));
  assert.ok(!isWebviewMessage({ type: 'exportPng', name: 'sweep', dataUrl: 'data:text/html;base64,AAAA' }));
  assert.ok(!isWebviewMessage({ type: 'exportPng', name: '../../etc/x', dataUrl: 'data:image/png;base64,AAAA' }));
  assert.ok(isWebviewMessage({ type: 'copyCsv', name: 'advice', csv: 'a,b\r\n', rows: 0 }));
  assert.ok(!isWebviewMessage({ type: 'runCommand', command: 'x' }));
  assert.ok(isWebviewMessage({ type: 'ready' }));
  assert.ok(isWebviewMessage({ type: 'exportReport' }));
  assert.ok(!isWebviewMessage({ type: 'exportReport', path: '/tmp/x.html' }), 'the host, not the webview, chooses where the report goes');
  assert.ok(!isWebviewMessage({ type: 'ready', extra: '<script>' }), 'a message with an undeclared field is refused');
  assert.ok(!isWebviewMessage({ type: 'select', run: 0, checkpoint: 1, command: 'x' }));
});

test('prediction chart: 13 runs get 13 distinct looks (colour, marker, dash); accuracy ticks never repeat a label', () => {
  const series = ['#1', '#2', '#3', '#4', '#5', '#6'];
  const looks = Array.from({ length: 13 }, (_, k) => JSON.stringify(runStyle(k, { series })));
  assert.equal(new Set(looks).size, 13);
  assert.ok(looks.some((l) => l.includes('triangle')), 'a third marker is used past twelve runs');
  // A single run spans 0.15-0.25: steps of 0.01 or more, each labelled apart.
  const labels = [0.15, 0.16, 0.17, 0.18, 0.19, 0.2, 0.21, 0.22, 0.23, 0.24, 0.25].map((v) => ACCURACY_TICKS.callback(v));
  assert.equal(new Set(labels).size, labels.length);
  assert.equal(ACCURACY_TICKS.precision, 2);
});

test('a partly scored run: heatmap rows and category shares over the scored examples, said as "2 of 5 scored"', () => {
  // Examples 2-4 were never scored (a scoring job that covered the first two).
  const run = makeRun('partial', [
    [[1, 0.5, NaN, NaN, NaN], [2, 2, NaN, NaN, NaN]],
    [[1, 1, NaN, NaN, NaN], [1.01, 2, NaN, NaN, NaN]],
  ]);
  const source = new StaticDashboardSource([prepareRun(run)], { thr, calibration: null, selectedCheckpoint: 1 });
  const heat = buildHeatmap(source)!;
  assert.equal(heat.rows, 2);
  assert.deepEqual(Array.from(heat.example), [0, 1]);
  const stacks = buildDashboard(source).categories!;
  assert.deepEqual([stacks.total, stacks.members], [2, 5]);
  assert.equal(stacks.counts.unscored[1], 0);
  assert.match(categoriesSummary(stacks), /^2 of 5 examples of the selected run scored, shown here\. At c1: 50\.0% memorized, 50\.0% correct/);
});
