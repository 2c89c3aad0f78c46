// Benchmark: what moving the p slider costs the dashboard, and what drawing the heatmap costs.
// - Recompute: after each p change on the released GSM8K runs (13 runs, 51 checkpoints, 7,473 examples), every
//   panel's data (buildDashboard) and the selected run's heatmap rows (buildHeatmap), then the message as VS Code
//   carries it (JSON for the model) and the webview's guard. 40 p values across the slider's useful range.
// - Heatmap: the pure rasteriser (typed arrays -> RGBA) for the 7,473 rows of a released run and for 1,000,000
//   synthetic rows, each into 840 pixel rows (a 420 px canvas at device pixel ratio 2); plus, at 1M rows, the
//   display sort and the per-example arrays a p change recomputes. When Chromium is installed (the e2e setup),
//   the same code bundled for the browser draws 1,000,000 rows onto a real canvas there.
// - Data map and signal overlaps: the signals of the selected run (computed once the p slider rests), the two
//   data map grids, the overlaps for one x (what moving the x slider costs), and the run comparison (counts, grid,
//   the scatter's points and their guard), on the real run and on 1M rows. In Chromium, the scatter of 1M points:
//   layout, grid index, density raster and canvas draw, and the hover's nearest-point query.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { buildDashboard, buildHeatmap } from '../src/core/dashboard/build';
import { heatmapData, heatmapOrder } from '../src/core/dashboard/heatmap';
import { displayCells, heatmapPalette, rasterizeHeatmap } from '../src/core/dashboard/heatmap-raster';
import { compareCheckpoints, scatterGrid } from '../src/core/compare/compare-checkpoints';
import { scatterPoints } from '../src/core/dashboard/comparison-scatter';
import { dataMapCellExamples, dataMaps } from '../src/core/dashboard/data-map';
import { OverlapIndex } from '../src/core/dashboard/overlap-index';
import { StaticDashboardSource } from '../src/core/dashboard/source';
import { bucketOf } from '../src/core/session';
import { exampleSignals, signalOverlaps } from '../src/core/signals/example-signals';
import { exampleDynamics } from '../src/core/metrics/dynamics';
import { preMemAccuracy, prepareRun } from '../src/core/metrics/premem';
import type { Run } from '../src/core/model';
import { readPaperRuns } from '../src/core/runlog/paper';
import { encodeHeatmap, isHostMessage, isHeatmapMessage } from '../webview/dashboard/protocol';
import { median, row, runAlone } from './util';

const PIXEL_ROWS = 840;
const PALETTE = heatmapPalette({ background: [30, 30, 30], unscored: [128, 128, 128], incorrect: [241, 76, 76], correct: [63, 185, 80], memorized: [55, 148, 255] });

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

async function loadRuns(): Promise<{ runs: Run[]; source: string }> {
  const shared = path.resolve(__dirname, '../../shared/data/paper-runs');
  try {
    return { runs: await readPaperRuns(shared), source: '../shared/data/paper-runs' };
  } catch {
    return { runs: await readPaperRuns(path.resolve(__dirname, '../test/fixtures/paper-runs-mini')), source: 'test/fixtures/paper-runs-mini (shared data absent)' };
  }
}

/** A run of n examples x M checkpoints with k = 5 samples, perplexities falling over training (deterministic). */
export function syntheticRun(n: number, M: number): Run {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return {
    id: 'synthetic',
    numExamples: n,
    source: { format: 'premem', path: 'synthetic' },
    checkpoints: Array.from({ length: M }, (_, m) => ({
      id: `checkpoint-${m + 1}`,
      step: m + 1,
      accuracy: Float64Array.from({ length: n }, () => Math.floor(rand() * 6) / 5),
      perplexity: Float64Array.from({ length: n }, () => 1 + rand() * (1.5 / (m + 1))),
      sampleCount: new Uint16Array(n).fill(5),
    })),
  };
}

export async function benchDashboard(): Promise<string[]> {
  const rows: string[] = [];
  const { runs, source: dataSource } = await loadRuns();
  const prepared = runs.map(prepareRun);
  // The selected run: the first 6-checkpoint full run (the largest heatmap of the set).
  const selectedRun = Math.max(0, runs.findIndex((r) => r.checkpoints.length === 6 && !r.subset));
  const source = new StaticDashboardSource(prepared, { selectedRun });
  const calibrated = source.thr;
  const thresholds = Array.from({ length: 40 }, (_, k) => calibrated - 1 + (k / 39) * 1.5);

  const recompute: number[] = [];
  const transport: number[] = [];
  for (const [k, thr] of [calibrated + 0.3, ...thresholds].entries()) {
    source.setThreshold(thr);
    const [built, t] = time(() => ({ model: buildDashboard(source), heatmap: buildHeatmap(source)! }));
    const [, tt] = time(() => {
      const json = JSON.stringify({ type: 'model', model: built.model, context: { dataset: 'train.jsonl', configFile: null, computeMs: t }, seq: k });
      const heat = encodeHeatmap(built.heatmap, { key: k, run: 'r', checkpointIds: runs[selectedRun].checkpoints.map((c) => c.id), selectedCheckpoint: 0 });
      if (!isHostMessage(JSON.parse(json)) || !isHeatmapMessage(heat)) throw new Error('a dashboard message failed its guard');
    });
    if (k === 0) continue; // JIT warm-up
    recompute.push(t);
    transport.push(tt);
  }
  const checkpoints = runs.reduce((s, r) => s + r.checkpoints.length, 0);
  rows.push(
    row(
      `dashboard: recompute every panel after a p change (${runs.length} runs, ${checkpoints} checkpoints, ${runs[0]?.numExamples.toLocaleString('en-US')} examples; heatmap of a ${runs[selectedRun].checkpoints.length}-checkpoint run)`,
      `${ms(median(recompute))} ms median, ${ms(pct(recompute, 0.95))} ms p95, ${ms(Math.max(...recompute))} ms max`,
      `${recompute.length} p values; data: ${dataSource}`,
    ),
    row('dashboard: model to JSON + guard on both sides, heatmap to ArrayBuffers + guard', `${ms(median(transport))} ms median`, 'what the message costs besides the recompute'),
  );

  // Heatmap draw, 7,473 real rows.
  source.setThreshold(calibrated);
  const real = buildHeatmap(source)!;
  const realCells = displayCells(real, heatmapOrder(real, 'premem'));
  const out = new Uint8ClampedArray(real.checkpoints * PIXEL_ROWS * 4);
  rasterizeHeatmap(realCells, { start: 0, count: real.rows }, PIXEL_ROWS, PALETTE, out);
  const realTimes = Array.from({ length: 50 }, () => time(() => rasterizeHeatmap(realCells, { start: 0, count: real.rows }, PIXEL_ROWS, PALETTE, out))[1]);
  rows.push(row(`heatmap rasterise: ${real.rows.toLocaleString('en-US')} rows × ${real.checkpoints} checkpoints → ${PIXEL_ROWS} pixel rows`, `${ms(median(realTimes))} ms median`, 'Node; pure function over typed arrays'));

  // 1,000,000 synthetic rows.
  const big = prepareRun(syntheticRun(1_000_000, 6));
  const thr = calibrated;
  const [arrays, tArrays] = time(() => ({ preMem: preMemAccuracy(big, thr), dynamics: exampleDynamics(big, thr) }));
  const [heat, tHeat] = time(() => heatmapData(big.run.checkpoints.map((c) => c.accuracy), arrays.preMem, arrays.dynamics, big.members, 5));
  const [order, tOrder] = time(() => heatmapOrder(heat, 'premem'));
  const [, tTrajectory] = time(() => heatmapOrder(heat, 'trajectory'));
  const [cells, tCells] = time(() => displayCells(heat, order));
  const bigOut = new Uint8ClampedArray(heat.checkpoints * PIXEL_ROWS * 4);
  rasterizeHeatmap(cells, { start: 0, count: heat.rows }, PIXEL_ROWS, PALETTE, bigOut);
  const bigTimes = Array.from({ length: 10 }, () => time(() => rasterizeHeatmap(cells, { start: 0, count: heat.rows }, PIXEL_ROWS, PALETTE, bigOut))[1]);
  const zoomTimes = Array.from({ length: 20 }, (_, k) => time(() => rasterizeHeatmap(cells, { start: k * 40_000, count: 10_000 }, PIXEL_ROWS, PALETTE, bigOut))[1]);
  rows.push(
    row('heatmap rasterise: 1,000,000 rows × 6 checkpoints → 840 pixel rows (whole set)', `${ms(median(bigTimes))} ms median`, 'synthetic rows; every cell visited once'),
    row('heatmap rasterise: 10,000-row window of the 1,000,000 (zoomed in)', `${ms(median(zoomTimes))} ms median`, 'cost follows the rows shown'),
    row('heatmap sort: 1,000,000 rows by PreMemAcc / by trajectory, then cells into display order', `${ms(tOrder)} ms / ${ms(tTrajectory)} ms, + ${ms(tCells)} ms`, 'stable counting sort, in the webview, once per new data or sort'),
    row('1,000,000 × 6: per-example PreMemAcc + dynamics after a p change, then heatmap columns', `${ms(tArrays)} ms + ${ms(tHeat)} ms`, `${((heat.category.byteLength * 2 + heat.rows * 11) / 2 ** 20).toFixed(0)} MiB of ArrayBuffers to the webview`),
  );
  rows.push(...signalRows(prepared[selectedRun], calibrated, big));
  rows.push(...(await browserRows()));
  return rows;
}

/** The dashboard's signal views: signals + data maps once per view, overlaps once per x. */
function signalRows(real: ReturnType<typeof prepareRun>, thr: number, big: ReturnType<typeof prepareRun>): string[] {
  const bucket = (a: number) => bucketOf(a, 0.75);
  const out: string[] = [];
  for (const [label, prepared, repeats] of [[`${real.run.numExamples.toLocaleString('en-US')} examples × ${real.run.checkpoints.length} checkpoints (released run)`, real, 10], ['1,000,000 × 6 (synthetic)', big, 3]] as const) {
    const m = prepared.run.checkpoints.length - 1;
    exampleSignals(prepared, thr, m); // JIT warm-up
    const signalTimes: number[] = [];
    const mapTimes: number[] = [];
    const indexTimes: number[] = [];
    const overlapTimes: number[] = [];
    const unindexedTimes: number[] = [];
    const cellTimes: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const [signals, ts] = time(() => exampleSignals(prepared, thr, m));
      signalTimes.push(ts);
      mapTimes.push(time(() => dataMaps(signals, bucket))[1]);
      cellTimes.push(time(() => dataMapCellExamples(signals, 'accuracy', k, 32))[1]);
      const [index, ti] = time(() => new OverlapIndex(signals));
      indexTimes.push(ti);
      overlapTimes.push(time(() => index.overlaps(0.1 + 0.05 * k))[1]);
      unindexedTimes.push(time(() => signalOverlaps(signals, 0.1 + 0.05 * k))[1]);
    }
    out.push(
      row(
        `dashboard signals of ${label}: signals + both data map grids + overlap lists`,
        `${ms(median(signalTimes))} ms + ${ms(median(mapTimes))} ms + ${ms(median(indexTimes))} ms`,
        `median of ${repeats}; once per view, 150 ms after the last change`,
      ),
      row(`dashboard data map of ${label}: the examples of one cell`, `${ms(median(cellTimes))} ms median`, 'on a click or Enter on a cell; one pass over the run\'s examples'),
      comparisonRow(label, prepared, thr),
      row(`dashboard signal overlaps of ${label}: one x`, `${ms(median(overlapTimes))} ms median`, `what one move of the x slider costs the host (signalOverlaps itself: ${ms(median(unindexedTimes))} ms)`),
    );
  }
  return out;
}

/** The run comparison as the host sends it: counts, grid, then the scatter's points and the message's guard. */
function comparisonRow(label: string, prepared: ReturnType<typeof prepareRun>, thr: number): string {
  const m = prepared.run.checkpoints.length - 1;
  const [c, tCompare] = time(() => compareCheckpoints({ prepared, checkpoint: 0 }, { prepared, checkpoint: m }, thr, 0.75));
  const [grid, tGrid] = time(() => scatterGrid(c.preMemA, c.preMemB, 10));
  const [points, tPoints] = time(() => scatterPoints(c.preMemA, c.preMemB));
  const message = {
    type: 'comparison',
    comparison: { a: c.a, b: c.b, compared: c.compared, counts: c.counts, grid, example: points.example.buffer, preMemA: points.a.buffer, preMemB: points.b.buffer },
  };
  const [ok, tGuard] = time(() => isHostMessage(message));
  if (!ok) throw new Error('the comparison message failed its guard');
  const bytes = points.example.byteLength + points.a.byteLength + points.b.byteLength;
  return row(
    `dashboard run comparison of ${label}: checkpoint 1 against the last, counts + 10 × 10 grid + scatter points + guard`,
    `${ms(tCompare)} ms + ${ms(tGrid)} ms + ${ms(tPoints)} ms + ${ms(tGuard)} ms`,
    `once per view while a B is chosen, and when B changes; ${(bytes / 2 ** 20).toFixed(1)} MiB of points to the webview`,
  );
}

/** In Chromium: sort, display order, rasterise and draw 1,000,000 synthetic rows on a canvas, as the webview does. */
async function browserRows(): Promise<string[]> {
  const chromiumPath = '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) return [row('heatmap in Chromium', 'skipped', 'no Chromium (scripts/setup-e2e.sh installs it)')];
  const entry = `
    import { heatmapOrder } from './heatmap';
    import { displayCells, heatmapPalette, rasterizeHeatmap } from './heatmap-raster';
    import { rasterizeScatter, SCATTER_HI, SCATTER_LO, ScatterIndex, scatterLayout } from './comparison-scatter';
    (window as any).benchScatter = (n: number, size: number) => {
      let seed = 11;
      const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const points = { example: Int32Array.from({ length: n }, (_, i) => i), a: Float32Array.from({ length: n }, () => Math.floor(rand() * 6) / 5),
        b: Float32Array.from({ length: n }, () => Math.floor(rand() * 6) / 5) };
      const t0 = performance.now();
      const layout = scatterLayout(points);
      const t1 = performance.now();
      const index = new ScatterIndex(layout);
      const t2 = performance.now();
      const canvas = document.createElement('canvas');
      canvas.width = size; canvas.height = size; document.body.appendChild(canvas);
      const image = document.createElement('canvas');
      image.width = size / 4; image.height = size / 4;
      const draws = [];
      for (let k = 0; k < 5; k++) {
        const s = performance.now();
        image.getContext('2d')!.putImageData(new ImageData(rasterizeScatter(layout, size / 4, size / 4, [55, 148, 255]), size / 4, size / 4), 0, 0);
        const ctx = canvas.getContext('2d')!;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(image, 0, 0, size, size);
        ctx.getImageData(0, 0, 1, 1);
        draws.push(performance.now() - s);
      }
      draws.sort((a, b) => a - b);
      const queries = 2000;
      const span = SCATTER_HI - SCATTER_LO;
      const r = (6 / (size / 2)) * span; // 6 CSS pixels at device pixel ratio 2
      let found = 0;
      const q0 = performance.now();
      for (let k = 0; k < queries; k++) if (index.nearest(SCATTER_LO + rand() * span, SCATTER_LO + rand() * span, r) >= 0) found++;
      const q1 = performance.now();
      return { layout: t1 - t0, index: t2 - t1, draw: draws[2], nearest: (q1 - q0) / queries, found: found / queries };
    };
    (window as any).benchHeatmap = (rows: number, M: number, height: number) => {
      let seed = 7;
      const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const category = new Uint8Array(rows * M).map(() => 1 + Math.floor(rand() * 3));
      const accuracy = new Uint8Array(rows * M).map(() => Math.floor(rand() * 6) * 50);
      const data = { rows, checkpoints: M, category, accuracy, example: Int32Array.from({ length: rows }, (_, i) => i),
        preMem: Float32Array.from({ length: rows }, () => Math.floor(rand() * 6) / 5), trajectory: new Uint8Array(rows).map(() => 1 + Math.floor(rand() * 4)),
        firstMemorized: new Int16Array(rows).map(() => Math.floor(rand() * (M + 1)) - 1) };
      const palette = heatmapPalette({ background: [30, 30, 30], unscored: [128, 128, 128], incorrect: [241, 76, 76], correct: [63, 185, 80], memorized: [55, 148, 255] });
      const t0 = performance.now();
      const order = heatmapOrder(data, 'premem');
      const t1 = performance.now();
      const cells = displayCells(data, order);
      const t2 = performance.now();
      const canvas = document.createElement('canvas');
      canvas.width = 1000; canvas.height = height; document.body.appendChild(canvas);
      const image = document.createElement('canvas');
      image.width = M; image.height = height;
      const draws = [];
      for (let k = 0; k < 5; k++) {
        const s = performance.now();
        const pixels = rasterizeHeatmap(cells, { start: 0, count: rows }, height, palette);
        image.getContext('2d')!.putImageData(new ImageData(pixels, M, height), 0, 0);
        const ctx = canvas.getContext('2d')!;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(image, 0, 0, M, height, 0, 0, canvas.width, canvas.height);
        ctx.getImageData(0, 0, 1, 1); // waits for the draw to land
        draws.push(performance.now() - s);
      }
      draws.sort((a, b) => a - b);
      return { sort: t1 - t0, cells: t2 - t1, draw: draws[2] };
    };`;
  const bundle = await esbuild.build({
    stdin: { contents: entry, resolveDir: path.resolve(__dirname, '../src/core/dashboard'), loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const r = (await page.evaluate((height) => (window as unknown as { benchHeatmap: (n: number, m: number, h: number) => unknown }).benchHeatmap(1_000_000, 6, height), PIXEL_ROWS)) as {
      sort: number;
      cells: number;
      draw: number;
    };
    const sc = (await page.evaluate(() => (window as unknown as { benchScatter: (n: number, size: number) => unknown }).benchScatter(1_000_000, 640))) as {
      layout: number;
      index: number;
      draw: number;
      nearest: number;
      found: number;
    };
    return [
      row(`heatmap in Chromium: 1,000,000 rows × 6 checkpoints drawn on a canvas (${PIXEL_ROWS} pixel rows)`, `${ms(r.draw)} ms median of 5`, `rasterise + putImageData + scaled drawImage; sort ${ms(r.sort)} ms and display order ${ms(r.cells)} ms once per new data`),
      row(
        'run comparison scatter in Chromium: 1,000,000 points (PreMemAcc in fifths), layout + grid index, then density raster + draw (640 px canvas)',
        `${ms(sc.layout)} ms + ${ms(sc.index)} ms, ${ms(sc.draw)} ms median of 5`,
        `once per comparison, then per size or theme; a hover's nearest-point query: ${(sc.nearest * 1000).toFixed(1)} µs mean (${Math.round(sc.found * 100)}% found a point within 6 px)`,
      ),
    ];
  } finally {
    await browser.close();
  }
}

if (require.main === module) runAlone(benchDashboard);
