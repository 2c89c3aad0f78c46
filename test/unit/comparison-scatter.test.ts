// The run comparison's scatter: the points sent, their jittered layout, the grid index that answers hover and
// click, and the density raster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hash32, MAX_SPREAD, rasterizeScatter, SCATTER_HI, SCATTER_LO, ScatterIndex, scatterLayout, scatterPoints, valueSpacing } from '../../src/core/dashboard/comparison-scatter';

let seed = 17;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

test('scatter points: the examples known at A and at B, in dataset order, as Int32 indices and Float32 values', () => {
  const a = Float64Array.from([0.2, NaN, 1, 0.4, 0]);
  const b = Float64Array.from([0.6, 0.2, NaN, 0.4, 1]);
  const points = scatterPoints(a, b);
  assert.deepEqual(Array.from(points.example), [0, 3, 4]);
  assert.deepEqual(Array.from(points.a), [0.2, 0.4, 0].map(Math.fround));
  assert.deepEqual(Array.from(points.b), [0.6, 0.4, 1].map(Math.fround));
  assert.equal(points.example.buffer.byteLength, 12, 'each column owns its buffer, sized to the points');
});

test('scatter layout: jitter from the example index only, along each axis narrower than a third of the gap between its values', () => {
  assert.equal(valueSpacing(Float32Array.from([0, 0.2, 0.4, 1, 0.8])), 0.2);
  assert.equal(valueSpacing(Float32Array.from([0.5, 0.5])), 1, 'one value: no gap');
  assert.equal(valueSpacing(Float32Array.from([0, 0.02, 1])), 0.02);

  const n = 2000;
  const example = Int32Array.from({ length: n }, (_, k) => k * 7);
  const fifths = Float32Array.from({ length: n }, () => Math.floor(rand() * 6) / 5);
  const layout = scatterLayout({ example, a: fifths, b: fifths.slice().reverse() });
  assert.deepEqual(layout.spread, { x: MAX_SPREAD, y: MAX_SPREAD }, 'values 0.2 apart: the widest jitter');
  assert.deepEqual([SCATTER_LO, SCATTER_HI], [-MAX_SPREAD, 1 + MAX_SPREAD], 'the plot has room for it');
  let off = 0;
  for (let k = 0; k < n; k++) {
    const dx = layout.x[k] - fifths[k];
    assert.ok(Math.abs(dx) <= MAX_SPREAD + 1e-6, `point ${k} moved ${dx}`);
    if (Math.abs(dx) > 0.01) off++;
  }
  assert.ok(off > n / 2, 'most points are moved off their value');
  // The same example lands in the same place whatever else is plotted and in whatever order.
  const one = scatterLayout({ example: Int32Array.from([example[5]]), a: Float32Array.from([fifths[5]]), b: Float32Array.from([fifths[n - 6]]) });
  assert.deepEqual([one.x[0], one.y[0]], [layout.x[5], layout.y[5]]);
  assert.notEqual(hash32(1) & 0xffff, hash32(1) >>> 16, 'x and y move independently');

  const fiftieths = Float32Array.from({ length: 100 }, (_, k) => (k % 51) / 50);
  const mixed = scatterLayout({ example: Int32Array.from({ length: 100 }, (_, k) => k), a: fiftieths, b: fifths.subarray(0, 100) });
  assert.ok(Math.abs(mixed.spread.x - 0.02 / 3) < 1e-6, 'A in fiftieths (0.02 apart): a third of that along x');
  assert.equal(mixed.spread.y, MAX_SPREAD, 'B in fifths: the widest jitter along y');
});

test('scatter index: the nearest point within the radius, as a scan of every point finds it (the first on a tie)', () => {
  const n = 5000;
  const example = Int32Array.from({ length: n }, (_, k) => k);
  const a = Float32Array.from({ length: n }, () => Math.floor(rand() * 6) / 5);
  const b = Float32Array.from({ length: n }, () => Math.floor(rand() * 6) / 5);
  const index = new ScatterIndex(scatterLayout({ example, a, b }));
  const { x, y } = index.layout;
  const scan = (qx: number, qy: number, r: number) => {
    let best = -1;
    let bestD = r * r;
    for (let k = 0; k < n; k++) {
      const d = (x[k] - qx) ** 2 + (y[k] - qy) ** 2;
      if (d < bestD || (d === bestD && best < 0)) [best, bestD] = [k, d];
    }
    return best;
  };
  let found = 0;
  for (let q = 0; q < 400; q++) {
    const qx = -0.1 + rand() * 1.2; // beyond the plot too
    const qy = -0.1 + rand() * 1.2;
    const r = [0.005, 0.02, 0.08][q % 3];
    const want = scan(qx, qy, r);
    assert.equal(index.nearest(qx, qy, r), want, `query (${qx}, ${qy}) r ${r}`);
    if (want >= 0) found++;
  }
  assert.ok(found > 100 && found < 400, `${found} queries found a point: both cases are tested`);
  // Two points on the very same spot: the first in dataset order.
  const twin = new ScatterIndex(scatterLayout({ example: Int32Array.from([4, 4]), a: Float32Array.from([0.5, 0.5]), b: Float32Array.from([0.5, 0.5]) }));
  assert.equal(twin.nearest(twin.layout.x[0], twin.layout.y[0], 0.01), 0);
});

test('scatter raster: each point in its cell with B upwards, opacity by log count, empty cells transparent', () => {
  const layout = { x: Float32Array.from([0, 0, 0, 1, 0.99]), y: Float32Array.from([0, 0, 0, 1, 0.6]) };
  const pixels = rasterizeScatter(layout, 2, 2, [10, 20, 30]);
  const at = (px: number, py: number) => Array.from(pixels.subarray((py * 2 + px) * 4, (py * 2 + px) * 4 + 4));
  assert.deepEqual(at(0, 1), [10, 20, 30, 255], 'three points at (0, 0): bottom left, the fullest cell, opaque');
  assert.deepEqual(at(0, 0), [0, 0, 0, 0], 'top left is empty');
  assert.deepEqual(at(1, 0), [10, 20, 30, Math.round(255 * (0.45 + (0.55 * Math.log1p(2)) / Math.log1p(3)))], '(1, 1) and (0.99, 0.6) share the top right');
  // The image spans [SCATTER_LO, SCATTER_HI]: a point just inside the low edge is in the first column.
  const edge = rasterizeScatter({ x: Float32Array.from([SCATTER_LO + 0.001]), y: Float32Array.from([0.5]) }, 10, 10, [1, 2, 3]);
  assert.equal(edge[(5 * 10 + 0) * 4 + 3], 255);
  assert.equal(rasterizeScatter({ ...layout, x: new Float32Array(0), y: new Float32Array(0) }, 2, 2, [1, 2, 3]).every((v) => v === 0), true);
});
