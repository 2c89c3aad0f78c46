// The dashboard's report export, data map and signal overlaps: the pure parts, and the host's signal views (free
// of the vscode module).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bucket } from '../../src/core/buckets';
import { compareCheckpoints, scatterGrid } from '../../src/core/compare/compare-checkpoints';
import { dataMapCsv, overlapsCsv } from '../../src/core/dashboard/csv';
import { DATA_MAP_BINS, dataMapCellAt, dataMapCellExamples, dataMapGrid, dataMaps, rasterizeDataMap } from '../../src/core/dashboard/data-map';
import { kthSmallest, OverlapIndex } from '../../src/core/dashboard/overlap-index';
import { reportFileName, sessionReportOptions } from '../../src/core/dashboard/report-options';
import type { Calibration } from '../../src/core/metrics/calibrate';
import { prepareRun } from '../../src/core/metrics/premem';
import { exampleSignals, signalOverlaps } from '../../src/core/signals/example-signals';
import type { AnalysisSession } from '../../src/core/session';
import { SignalViews } from '../../src/extension/dashboard/signal-views';
import type { HostMessage } from '../../webview/dashboard/protocol';
import { makeRun } from '../support/runs';

const calibration = (thr: number): Calibration => ({ p: Math.exp(Math.exp(thr)), thr, r2: 0.9, sweep: [], leaveOneRunOut: null });

test('report options follow the session: selected run and checkpoint, p, t; calibrated only while p is the calibrated one', () => {
  const prepared = [prepareRun(makeRun('a', [[[1, 0], [1.5, 2]]]))];
  const session = { prepared, calibration: calibration(-2.3), thr: -2.3, t: 0.75, selectedRun: 0, selectedCheckpoint: 0 };
  assert.deepEqual(sessionReportOptions(session, null), { run: 0, checkpoint: 0, thr: -2.3, t: 0.75, calibration: session.calibration, calibrated: true });
  assert.equal(sessionReportOptions({ ...session, thr: -2.2 }, null).calibrated, false, 'a slider move makes p given');
  // p fixed in premem.json: no session calibration; the sweep computed for the report is shown, p stays given.
  const sweep = calibration(-2.4);
  const fixed = sessionReportOptions({ ...session, calibration: null, thr: -2.0, selectedCheckpoint: 0, t: 0.5 }, sweep);
  assert.equal(fixed.calibration, sweep);
  assert.deepEqual([fixed.calibrated, fixed.thr, fixed.t], [false, -2.0, 0.5]);
});

test('report file name: dataset, run and checkpoint, with path separators and odd characters made safe', () => {
  assert.equal(reportFileName('/data/gsm8k-train.jsonl', 'run_1', 'checkpoint-100'), 'premem-report-gsm8k-train-run_1-checkpoint-100.html');
  assert.equal(reportFileName('d.jsonl', '../x y', 'c/1'), 'premem-report-d-.._x_y-c_1.html');
});

const bucketAt = (t: number) => (a: number) => (a <= t ? Bucket.Fragile : a <= t + 0.15 ? Bucket.AtRisk : Bucket.Robust);

test('data map grid: each example in the cell of its variability (x, to 0.5) and confidence (y, to 1), counted by bucket', () => {
  const confidence = [0, 1, 0.5, 0.26, NaN, 0.9];
  const variability = [0, 0.5, 0.25, 0.49, 0.1, 0.02];
  const preMem = [0.1, 0.8, 0.95, 0.5, 0.5, NaN];
  const grid = dataMapGrid(confidence, variability, preMem, [0, 1, 2, 3, 4, 5], bucketAt(0.75), 4);
  assert.equal(grid.placed, 4, 'unknown confidence or PreMemAcc is left out');
  const at = (x: number, y: number) => Array.from(grid.counts.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
  assert.deepEqual(at(0, 0), [1, 0, 0], 'the origin: fragile');
  assert.deepEqual(at(3, 3), [0, 1, 0], 'the maxima land in the last cells: at risk (0.8 <= 0.75 + 0.15)');
  assert.deepEqual(at(2, 2), [0, 0, 1]);
  assert.deepEqual(at(3, 1), [1, 0, 0]);
  assert.equal(grid.counts.reduce((s, n) => s + n, 0), 4);
  // Only the examples listed count.
  assert.equal(dataMapGrid(confidence, variability, preMem, [2], bucketAt(0.75), 4).placed, 1);
});

test('data map raster: confidence upwards, colours mixed by count, opacity by log count, empty cells transparent', () => {
  const counts = new Uint32Array(2 * 2 * 3);
  counts.set([3, 0, 1], (1 * 2 + 0) * 3); // x 0, y 1 (top left in the image): 3 fragile + 1 robust
  counts.set([0, 1, 0], (0 * 2 + 1) * 3); // x 1, y 0 (bottom right): 1 at risk
  const pixels = rasterizeDataMap({ bins: 2, counts, placed: 5 }, [[200, 0, 0], [0, 200, 0], [0, 0, 200]]);
  assert.deepEqual(Array.from(pixels.subarray(0, 4)), [150, 0, 50, 255], 'the fullest cell: the count-weighted mix, opaque');
  assert.deepEqual(Array.from(pixels.subarray(4, 8)), [0, 0, 0, 0], 'top right is empty');
  assert.deepEqual(Array.from(pixels.subarray(12, 15)), [0, 200, 0]);
  assert.equal(pixels[15], Math.round(255 * (0.35 + (0.65 * Math.log1p(1)) / Math.log1p(4))));
  assert.deepEqual(dataMapCellAt({ bins: 2 }, 0.99, 0.5), { x: 1, y: 1 });
  assert.equal(dataMapCellAt({ bins: 2 }, 1, 0.5), undefined);
});

test('data maps of a run: q = sample accuracy always, q = 1/perplexity only where perplexity is logged; CSV of the filled cells', async () => {
  const { isHostMessage } = await import('../../webview/dashboard/protocol');
  // Example 0 is always right, 1 never, 2 flips; perplexity of example 0: 1 then 2 (q 1, 0.5).
  const withPerplexity = makeRun('a', [[[1, 0, 1], [1, 4, 2]], [[1, 0, 0], [2, 4, 2]]]);
  const signals = exampleSignals(prepareRun(withPerplexity), -2.3, 1);
  const maps = dataMaps(signals, bucketAt(0.75));
  assert.equal(maps.accuracy.placed, 3);
  const cell = (grid: typeof maps.accuracy, x: number, y: number) => Array.from(grid.counts.subarray((y * grid.bins + x) * 3, (y * grid.bins + x) * 3 + 3));
  const last = DATA_MAP_BINS - 1;
  assert.equal(cell(maps.accuracy, 0, last).reduce((s, n) => s + n, 0), 1, 'example 0: confidence 1, variability 0');
  assert.equal(cell(maps.accuracy, 0, 0).reduce((s, n) => s + n, 0), 1, 'example 1: confidence 0, variability 0');
  assert.equal(cell(maps.accuracy, last, DATA_MAP_BINS / 2).reduce((s, n) => s + n, 0), 1, 'example 2: confidence 0.5, variability 0.5');
  assert.ok(maps.perplexity);
  assert.equal(cell(maps.perplexity, Math.floor(0.25 / 0.5 * DATA_MAP_BINS), Math.floor(0.75 * DATA_MAP_BINS)).reduce((s, n) => s + n, 0), 1, 'example 0 by perplexity: q 1 and 0.5');
  const noPerplexity = makeRun('b', [[[1, 0], [NaN, NaN]], [[1, 1], [NaN, NaN]]]);
  assert.equal(dataMaps(exampleSignals(prepareRun(noPerplexity), -2.3, 1), bucketAt(0.75)).perplexity, null);

  const csv = dataMapCsv(maps.accuracy).trim().split(/\r?\n/);
  assert.equal(csv[0], 'variability_from,variability_to,confidence_from,confidence_to,fragile,at_risk,robust');
  assert.equal(csv.length, 4, 'one row per filled cell');

  const message = { type: 'dataMap', dataMap: { key: 1, run: 'a', checkpoint: 'c1', bins: DATA_MAP_BINS, accuracy: maps.accuracy.counts.buffer, placedAccuracy: 3, perplexity: null, placedPerplexity: 0 } };
  assert.ok(isHostMessage(message));
  assert.ok(!isHostMessage({ ...message, dataMap: { ...message.dataMap, accuracy: new ArrayBuffer(12) } }), 'buffers must hold bins × bins cells');
  assert.ok(!isHostMessage({ ...message, dataMap: { ...message.dataMap, bins: 2, accuracy: new ArrayBuffer(48) } }), 'the grid size is fixed');
  assert.ok(!isHostMessage({ ...message, dataMap: { ...message.dataMap, extra: 1 } }));
  assert.ok(!isHostMessage({ ...message, dataMap: { ...message.dataMap, perplexity: [1, 2] } }));
});

test('signal overlaps: the share x guarded both ways, NaN Jaccard (no perplexity) crosses as null; CSV', async () => {
  const { isHostMessage, isWebviewMessage } = await import('../../webview/dashboard/protocol');
  assert.ok(isWebviewMessage({ type: 'setOverlapShare', share: 0.2 }));
  assert.ok(isWebviewMessage({ type: 'setOverlapShare', share: 1 }));
  for (const share of [0, -0.1, 1.01, null, '0.2', Infinity]) assert.ok(!isWebviewMessage({ type: 'setOverlapShare', share }), `share ${share} refused`);
  const noPerplexity = makeRun('b', [[[1, 0, 0.5, 0.25], [NaN, NaN, NaN, NaN]], [[1, 1, 0, 0.5], [NaN, NaN, NaN, NaN]]]);
  const rows = signalOverlaps(exampleSignals(prepareRun(noPerplexity), -2.3, 1), 0.5);
  const message = JSON.parse(JSON.stringify({ type: 'overlaps', overlaps: { run: 'b', checkpoint: 'c1', share: 0.5, rows } }));
  assert.equal(message.overlaps.rows.find((r: { signal: string }) => r.signal === 'confidence').jaccard, null);
  const body = message.overlaps;
  assert.ok(!isHostMessage({ ...message, overlaps: { ...body, share: 2 } }));
  assert.ok(!isHostMessage({ ...message, overlaps: { ...body, rows: [{ ...rows[0], signal: 'made-up' }] } }));
  assert.ok(!isHostMessage({ ...message, overlaps: { ...body, rows: [{ ...rows[0], html: '<b>' }] } }));
  assert.ok(isHostMessage(message));
  const csv = overlapsCsv(rows, 0.5).trim().split('\r\n');
  assert.equal(csv[0], 'signal,share,examples,set_size,jaccard_with_premem_accuracy');
  assert.equal(csv.length, rows.length + 1);
  assert.match(csv.find((l) => l.startsWith('confidence,'))!, /^confidence,0\.5,0,0,$/);
});

test('signal views in the host: computed once per view after it settles, the latest view only; a new x resends the overlaps', async () => {
  const prepared = [prepareRun(makeRun('a', [[[1, 0, 0.5, 0.25], [1, 2, 3, 4]], [[1, 1, 0, 0.5], [1, 1.5, 3, 2]]]))];
  let view = {};
  const session = { prepared, selectedRun: 0, selectedCheckpoint: 1, thr: -2.3, t: 0.75, view: () => view } as unknown as AnalysisSession;
  const posted: HostMessage[] = [];
  const views = new SignalViews((m) => posted.push(m));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 250));
  views.update(session);
  view = {}; // changed again before it settled
  views.update(session);
  await settle();
  assert.deepEqual(posted.map((m) => m.type), ['dataMap', 'overlaps', 'comparison'], 'one computation, for the latest view');
  const first = posted[1];
  assert.ok(first.type === 'overlaps' && first.overlaps.share === 0.2 && first.overlaps.checkpoint === 'c1');
  views.update(session);
  await settle();
  assert.equal(posted.length, 3, 'the same view is not sent again');
  views.setShare(0.5);
  views.setShare(0.75);
  await settle();
  assert.deepEqual(posted.slice(3).map((m) => m.type === 'overlaps' && m.overlaps.share), [0.75], 'a burst of moves: one answer, the latest x');
  views.update(session, true);
  await settle();
  assert.deepEqual(posted.slice(4).map((m) => m.type), ['dataMap', 'overlaps', 'comparison'], 'a reloaded webview gets everything again');
  views.dispose();
});

test('overlap index: for every x, exactly signalOverlaps (ties, infinities, signals known on fewer examples)', () => {
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const n = 400;
  // Accuracies in fifths (many ties, never-learned examples with firstLearned = Infinity); a third of the
  // perplexities missing; a subset of members.
  const rows: [number[], number[]][] = Array.from({ length: 5 }, () => [
    Array.from({ length: n }, () => Math.floor(rand() * 6) / 5),
    Array.from({ length: n }, () => (rand() < 0.33 ? NaN : 1 + Math.floor(rand() * 4) / 2)),
  ]);
  const members = Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 3);
  const signals = exampleSignals(prepareRun(makeRun('r', rows, [], members)), -2.3, 3);
  const index = new OverlapIndex(signals);
  for (const share of [0.001, 0.05, 0.1, 0.2, 0.33, 0.5, 0.77, 1]) {
    const want = signalOverlaps(signals, share);
    const got = index.overlaps(share);
    assert.deepEqual(got, want, `share ${share}`);
  }
  assert.ok(signalOverlaps(signals, 0.2).some((r) => r.examples < signals.examples.length), 'some signal is known on fewer examples');
  assert.throws(() => index.overlaps(0), RangeError);
});

test('kthSmallest: the k-th of a sort, with ties, infinities and signed zeros', () => {
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const values = Float64Array.from({ length: 301 }, () => [Infinity, -Infinity, 0, -0][Math.floor(rand() * 8)] ?? Math.floor(rand() * 10) / 2);
  const sorted = values.slice().sort();
  for (const k of [0, 1, 50, 150, 299, 300]) assert.ok(kthSmallest(values.slice(), values.length, k) === sorted[k], `k = ${k}`);
  assert.equal(kthSmallest(Float64Array.from([5, 1, 4, 9]), 3, 2), 5, 'only the first `length` keys count');
});

test('run comparison in the host: B chosen, counts, the 10 × 10 grid and one point per example as premem compare has them; a cell lists its examples; guards', async () => {
  const { isHostMessage, isWebviewMessage } = await import('../../webview/dashboard/protocol');
  const prepared = [
    prepareRun(makeRun('a', [[[0, 0.2, 1, 1], [2, 2, 1, 1]], [[0, 1, 1, 0.6], [2, 1, 1, 1.5]]])),
    prepareRun(makeRun('b', [[[1, 1, 0, 1], [1, 1, 2, 1]], [[1, 1, 0, 1], [1, 1, 2, 1]]])),
  ];
  const view = {};
  const session = { prepared, selectedRun: 0, selectedCheckpoint: 1, thr: -2.3, t: 0.75, view: () => view } as unknown as AnalysisSession;
  const posted: HostMessage[] = [];
  const views = new SignalViews((m) => posted.push(m));
  views.update(session);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.deepEqual(posted.map((m) => m.type), ['dataMap', 'overlaps', 'comparison']);
  assert.ok(posted[2].type === 'comparison' && posted[2].comparison === null, 'no B chosen yet');

  views.setCompareWith({ run: 1, checkpoint: 0 });
  const sent = posted[3];
  assert.ok(sent.type === 'comparison' && sent.comparison);
  const want = compareCheckpoints({ prepared: prepared[0], checkpoint: 1 }, { prepared: prepared[1], checkpoint: 0 }, -2.3, 0.75);
  assert.deepEqual(sent.comparison.counts, want.counts);
  assert.deepEqual(sent.comparison.grid, scatterGrid(want.preMemA, want.preMemB, 10));
  assert.equal(sent.comparison.compared, 4);
  // The points: every example compared, its PreMemAcc at A and B as compareCheckpoints has it (to Float32).
  assert.deepEqual(Array.from(new Int32Array(sent.comparison.example)), want.examples.map((e) => e.index));
  assert.deepEqual(Array.from(new Float32Array(sent.comparison.preMemA)), want.examples.map((e) => Math.fround(e.preMemA)));
  assert.deepEqual(Array.from(new Float32Array(sent.comparison.preMemB)), want.examples.map((e) => Math.fround(e.preMemB)));
  // Messages cross as structured clones (ArrayBuffers included), as VS Code carries them.
  assert.ok(isHostMessage(structuredClone(sent)));

  // The examples of the cell that holds example 0, and only those of that cell.
  const e0 = want.examples[0];
  const bin = (x: number) => Math.min(9, Math.floor(x * 10));
  views.listCell(bin(e0.preMemA), bin(e0.preMemB));
  const cell = posted[4];
  assert.ok(cell.type === 'comparisonCell');
  const inCell = want.examples.filter((e) => bin(e.preMemA) === bin(e0.preMemA) && bin(e.preMemB) === bin(e0.preMemB)).map((e) => e.index);
  assert.deepEqual(cell.cell.examples.map((e) => e.index), inCell);
  assert.equal(cell.cell.total, inCell.length);
  assert.ok(isHostMessage(cell));

  views.setCompareWith({ run: 5, checkpoint: 0 });
  assert.ok(posted[5].type === 'comparison' && posted[5].comparison === null, 'a B that does not exist compares nothing');
  views.dispose();

  assert.ok(isWebviewMessage({ type: 'compareWith', b: null }));
  assert.ok(isWebviewMessage({ type: 'compareWith', b: { run: 1, checkpoint: 0 } }));
  assert.ok(!isWebviewMessage({ type: 'compareWith', b: { run: -1, checkpoint: 0 } }));
  assert.ok(isWebviewMessage({ type: 'compareCell', a: 9, b: 0 }));
  assert.ok(!isWebviewMessage({ type: 'compareCell', a: 10, b: 0 }), 'bins lie in 0..9');
  const message = { ...sent, comparison: structuredClone(sent.comparison) };
  assert.ok(!isHostMessage({ ...message, comparison: { ...message.comparison, grid: message.comparison.grid.slice(1) } }), 'the grid is 10 × 10');
  assert.ok(!isHostMessage({ ...message, comparison: { ...message.comparison, preMemB: new ArrayBuffer(12) } }), 'a column of 3 points for 4 examples compared');
  assert.ok(!isHostMessage({ ...message, comparison: { ...message.comparison, example: [0, 1, 2, 3] } }), 'points cross as ArrayBuffers');
  assert.ok(!isHostMessage({ ...message, comparison: { ...message.comparison, counts: { ...message.comparison.counts, learned: { ...message.comparison.counts.learned, extra: 1 } } } }));
});

test('data map cell in the host: the examples dataMapGrid counts there, for the q asked; guards both ways', async () => {
  const { isHostMessage, isWebviewMessage } = await import('../../webview/dashboard/protocol');
  const n = 300;
  let seed = 5;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const rows: [number[], number[]][] = Array.from({ length: 4 }, () => [
    // The first 200 examples always right (confidence 1, variability 0: one cell), the rest at random.
    Array.from({ length: n }, (_, i) => (i < 200 ? 1 : Math.floor(rand() * 5) / 4)),
    Array.from({ length: n }, () => 1 + Math.floor(rand() * 4) / 4),
  ]);
  const prepared = [prepareRun(makeRun('a', rows))];
  const session = { prepared, selectedRun: 0, selectedCheckpoint: 3, thr: -2.3, t: 0.75, view: () => session } as unknown as AnalysisSession;
  const signals = exampleSignals(prepared[0], -2.3, 3);
  const maps = dataMaps(signals, bucketAt(0.75));
  for (const q of ['accuracy', 'perplexity'] as const) {
    const grid = q === 'accuracy' ? maps.accuracy : maps.perplexity!;
    let listed = 0;
    for (let cell = 0; cell < grid.bins * grid.bins; cell++) {
      const inCell = dataMapCellExamples(signals, q, cell % grid.bins, Math.floor(cell / grid.bins));
      assert.equal(inCell.length, grid.counts[cell * 3] + grid.counts[cell * 3 + 1] + grid.counts[cell * 3 + 2], `${q}: cell ${cell}`);
      listed += inCell.length;
    }
    assert.equal(listed, grid.placed, `${q}: every example placed is listed in exactly one cell`);
  }

  const posted: HostMessage[] = [];
  const views = new SignalViews((m) => posted.push(m));
  views.listDataMapCell('accuracy', 0, 0);
  assert.equal(posted.length, 0, 'nothing to list before the signals are computed');
  views.update(session);
  await new Promise((resolve) => setTimeout(resolve, 250));
  // The fullest cell of the accuracy map.
  let fullest = 0;
  const total = (cell: number) => maps.accuracy.counts[cell * 3] + maps.accuracy.counts[cell * 3 + 1] + maps.accuracy.counts[cell * 3 + 2];
  for (let cell = 0; cell < DATA_MAP_BINS * DATA_MAP_BINS; cell++) if (total(cell) > total(fullest)) fullest = cell;
  const [x, y] = [fullest % DATA_MAP_BINS, Math.floor(fullest / DATA_MAP_BINS)];
  views.listDataMapCell('accuracy', x, y);
  const answer = posted.at(-1)!;
  assert.ok(answer.type === 'dataMapCell');
  assert.equal(answer.cell.total, total(fullest));
  assert.ok(answer.cell.total > 100 && answer.cell.examples.length === 100, 'at most 100 listed');
  assert.deepEqual(answer.cell.examples.map((e) => e.index), dataMapCellExamples(signals, 'accuracy', x, y).slice(0, 100));
  const first = answer.cell.examples[0];
  assert.deepEqual(first, { index: first.index, confidence: signals.values.confidenceAccuracy[first.index], variability: signals.values.variabilityAccuracy[first.index], preMem: signals.values.preMemAccuracy[first.index] });
  assert.ok(isHostMessage(answer));
  assert.ok(!isHostMessage({ ...answer, cell: { ...answer.cell, x: DATA_MAP_BINS } }));
  assert.ok(!isHostMessage({ ...answer, cell: { ...answer.cell, examples: [{ ...first, html: '<b>' }] } }));
  views.dispose();

  assert.ok(isWebviewMessage({ type: 'dataMapCell', q: 'perplexity', x: 63, y: 0 }));
  assert.ok(!isWebviewMessage({ type: 'dataMapCell', q: 'perplexity', x: 64, y: 0 }), 'cells lie in 0..63');
  assert.ok(!isWebviewMessage({ type: 'dataMapCell', q: 'loss', x: 0, y: 0 }));
});
