// Panel "Data map": variability against confidence per example over the checkpoints up to the selected one (q =
// sample accuracy, or 1 / target perplexity), each cell of the grid coloured by the PreMemAcc buckets of its
// examples. The host counts the examples into the grid; this draws it as one small image scaled onto a canvas,
// so a million examples cost what a few thousand cells cost. A click on a cell (or Enter on the cell chosen with
// the arrow keys) asks the host for its examples, listed below the map; each opens in the example panel.
import { dataMapCsv } from '../../src/core/dashboard/csv';
import { DATA_MAP_BINS, dataMapCellAt, type DataMapGrid, type DataMapQ, MAX_VARIABILITY, rasterizeDataMap } from '../../src/core/dashboard/data-map';
import { parseCssColor, type Rgb } from '../../src/core/dashboard/heatmap-raster';
import { append, clear, el } from '../shared/dom';
import { card } from './card';
import { plotArea, verticalTitle } from './plot-area';
import { count, fmt3 } from './charts';
import { showExampleList } from './example-list';
import type { DataMapCellMessage, DataMapMessage, WebviewMessage } from './protocol';
import type { Theme } from './theme';

const CSS_HEIGHT = 320;
/** Room for the axes' ticks and titles, in CSS pixels. */
const MARGIN = { left: 44, right: 12, top: 10, bottom: 36 };
const Q_LABELS: Record<DataMapQ, string> = { accuracy: 'q = sample accuracy', perplexity: 'q = 1 / target perplexity' };
const BUCKET_LABELS = ['fragile', 'at risk', 'robust'] as const;

/** The cell holding the most examples: where the keyboard's cursor starts. */
function fullestCell(grid: DataMapGrid): { x: number; y: number } {
  let best = 0;
  let most = -1;
  for (let cell = 0; cell < grid.bins * grid.bins; cell++) {
    const n = grid.counts[cell * 3] + grid.counts[cell * 3 + 1] + grid.counts[cell * 3 + 2];
    if (n > most) [best, most] = [cell, n];
  }
  return { x: best % grid.bins, y: Math.floor(best / grid.bins) };
}

function filledCells(grid: DataMapGrid): number {
  let n = 0;
  for (let cell = 0; cell < grid.bins * grid.bins; cell++) if (grid.counts[cell * 3] + grid.counts[cell * 3 + 1] + grid.counts[cell * 3 + 2] > 0) n++;
  return n;
}

export function createDataMapPanel(post: (m: WebviewMessage) => void, theme: () => Theme, savedQ: DataMapQ, onQ: (q: DataMapQ) => void) {
  let message: DataMapMessage | undefined;
  let q = savedQ;
  let grid: DataMapGrid | undefined;
  /** The cell chosen with the keyboard (or last clicked), drawn with a frame while the canvas has the focus. */
  let cursor: { x: number; y: number } | undefined;
  const canvas = el('canvas', { class: 'data-map', attrs: { id: 'data-map-canvas', role: 'img', tabindex: '0' } });
  const image = document.createElement('canvas');
  const tooltip = el('div', { class: 'tooltip', attrs: { role: 'tooltip' } });
  tooltip.hidden = true;
  const c = card('data-map', 'Data map', post, [{ name: 'data-map', canvas: () => canvas, csv: () => grid && { csv: dataMapCsv(grid), rows: filledCells(grid) } }]);
  const qSelect = el('select', { attrs: { id: 'data-map-q', 'aria-label': 'q per checkpoint' } });
  for (const name of Object.keys(Q_LABELS) as DataMapQ[]) append(qSelect, el('option', { attrs: { value: name } }, Q_LABELS[name]));
  qSelect.value = q;
  qSelect.addEventListener('change', () => {
    q = qSelect.value as DataMapQ;
    onQ(q);
    clear(cellList);
    show();
  });
  const legend = el('div', { class: 'legend', attrs: { id: 'data-map-legend' } });
  const cellList = el('div', { class: 'bin-list', attrs: { id: 'data-map-cell', 'aria-live': 'polite' } });
  append(c.body, el('div', { class: 'toolbar' }, qSelect), el('div', { class: 'heatmap-wrap' }, canvas, tooltip), legend, cellList);
  canvas.addEventListener('mousemove', (e) => hover(e));
  canvas.addEventListener('mouseleave', () => (tooltip.hidden = true));
  canvas.addEventListener('click', (e) => {
    const at = cellUnder(e);
    if (!at) return;
    cursor = at;
    listCell(at);
  });
  canvas.addEventListener('keydown', (e) => keyboard(e));
  canvas.addEventListener('focus', () => draw());
  canvas.addEventListener('blur', () => draw());
  new ResizeObserver(() => draw()).observe(c.body);

  function colors(): [Rgb, Rgb, Rgb] {
    const t = theme();
    return [parseCssColor(t.fragile) ?? [241, 76, 76], parseCssColor(t.atRisk) ?? [204, 167, 0], parseCssColor(t.robust) ?? [63, 185, 80]];
  }

  function update(next: DataMapMessage): void {
    message = next;
    show();
  }

  /** Picks the grid of the chosen q (sample accuracy when the logs hold no perplexity) and redraws. */
  function show(): void {
    if (!message) return;
    const hasPerplexity = message.perplexity !== null;
    qSelect.options[1].disabled = !hasPerplexity;
    const shown: DataMapQ = hasPerplexity ? q : 'accuracy';
    qSelect.value = shown;
    const buffer = shown === 'perplexity' ? message.perplexity! : message.accuracy;
    grid = { bins: message.bins, counts: new Uint32Array(buffer), placed: shown === 'perplexity' ? message.placedPerplexity : message.placedAccuracy };
    const totals = [0, 0, 0];
    for (let k = 0; k < grid.counts.length; k++) totals[k % 3] += grid.counts[k];
    clear(c.summary);
    append(
      c.summary,
      `${count(grid.placed)} examples of run ${message.run} over its checkpoints up to ${message.checkpoint}: confidence is the mean of q, variability its standard deviation.` +
        (hasPerplexity ? '' : ' The logs hold no target perplexity, so q is sample accuracy.') +
        ' Top left: easy to learn; right: ambiguous (learned and unlearned in turn); bottom left: hard to learn.',
    );
    clear(legend);
    const t = theme();
    [t.fragile, t.atRisk, t.robust].forEach((color, b) => {
      const swatch = el('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } });
      swatch.style.background = color;
      append(legend, el('span', { class: 'legend-item' }, swatch, `${BUCKET_LABELS[b]} (${count(totals[b])})`));
    });
    canvas.setAttribute('aria-label', `Data map of ${count(grid.placed)} examples, ${Q_LABELS[shown]}; click a cell, or choose one with the arrow keys and press Enter, to list its examples`);
    draw();
  }

  const plotRect = (width: number, height: number, dpr: number) => plotArea(MARGIN, width, height, dpr);

  function draw(): void {
    const t = theme();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.round(Math.max(100, canvas.clientWidth || c.body.clientWidth) * dpr);
    const height = Math.round(CSS_HEIGHT * dpr);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = t.background;
    ctx.fillRect(0, 0, width, height);
    if (!grid) return;
    const started = performance.now();
    const plot = plotRect(width, height, dpr);
    image.width = grid.bins;
    image.height = grid.bins;
    image.getContext('2d')!.putImageData(new ImageData(rasterizeDataMap(grid, colors()), grid.bins, grid.bins), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, plot.left, plot.top, plot.width, plot.height);
    // Axes: frame, ticks, titles.
    ctx.strokeStyle = t.grid;
    ctx.lineWidth = dpr;
    ctx.strokeRect(plot.left, plot.top, plot.width, plot.height);
    ctx.fillStyle = t.foreground;
    ctx.font = `${11 * dpr}px ${t.font}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of [0, 0.1, 0.2, 0.3, 0.4, 0.5]) ctx.fillText(String(v), plot.left + (v / MAX_VARIABILITY) * plot.width, plot.top + plot.height + 4 * dpr);
    ctx.fillText('variability (std of q)', plot.left + plot.width / 2, plot.top + plot.height + 18 * dpr);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(String(v), plot.left - 4 * dpr, plot.top + (1 - v) * plot.height);
    verticalTitle(ctx, 'confidence (mean q)', 10 * dpr, plot.top + plot.height / 2);
    if (cursor && document.activeElement === canvas) {
      const w = plot.width / grid.bins;
      const h = plot.height / grid.bins;
      ctx.strokeStyle = t.foreground;
      ctx.lineWidth = 2 * dpr;
      ctx.strokeRect(plot.left + cursor.x * w - dpr, plot.top + (grid.bins - 1 - cursor.y) * h - dpr, w + 2 * dpr, h + 2 * dpr);
    }
    canvas.dataset.drawMs = (performance.now() - started).toFixed(1);
  }

  function cellUnder(e: MouseEvent): { x: number; y: number } | undefined {
    if (!grid) return undefined;
    const rect = canvas.getBoundingClientRect();
    const plot = plotRect(rect.width, rect.height, 1);
    return dataMapCellAt(grid, (e.clientX - rect.left - plot.left) / plot.width, 1 - (e.clientY - rect.top - plot.top) / plot.height);
  }

  /** The q shown (sample accuracy when the logs hold no perplexity). */
  const shownQ = (): DataMapQ => (message?.perplexity === null ? 'accuracy' : q);

  function listCell(at: { x: number; y: number }): void {
    post({ type: 'dataMapCell', q: shownQ(), x: at.x, y: at.y });
  }

  /** Arrow keys move the chosen cell (from the fullest one), Enter or Space lists its examples. */
  function keyboard(e: KeyboardEvent): void {
    if (!grid) return;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const at = cursor ?? fullestCell(grid);
      cursor = cursor ? { x: Math.min(grid.bins - 1, Math.max(0, at.x + move[0])), y: Math.min(grid.bins - 1, Math.max(0, at.y + move[1])) } : at;
      draw();
    } else if ((e.key === 'Enter' || e.key === ' ') && cursor) {
      e.preventDefault();
      listCell(cursor);
    }
  }

  /** A cell's ranges, e.g. "variability 0.000–0.008, confidence 0.984–1.000". */
  function cellRanges(bins: number, at: { x: number; y: number }): string {
    const step = MAX_VARIABILITY / bins;
    return `variability ${(at.x * step).toFixed(3)}–${((at.x + 1) * step).toFixed(3)}, confidence ${(at.y / bins).toFixed(3)}–${((at.y + 1) / bins).toFixed(3)}`;
  }

  function showCell(m: DataMapCellMessage): void {
    showExampleList(
      cellList,
      `Cell of ${cellRanges(message?.bins ?? DATA_MAP_BINS, m)} (${Q_LABELS[m.q]})`,
      m.total,
      m.examples.map((e) => ({ index: e.index, label: `PreMemAcc ${fmt3(e.preMem)}` })),
      post,
    );
  }

  function hover(e: MouseEvent): void {
    if (!grid) return;
    const rect = canvas.getBoundingClientRect();
    const at = cellUnder(e);
    if (!at) {
      tooltip.hidden = true;
      return;
    }
    const cell = (at.y * grid.bins + at.x) * 3;
    const n = [grid.counts[cell], grid.counts[cell + 1], grid.counts[cell + 2]];
    clear(tooltip);
    append(
      tooltip,
      el('div', {}, cellRanges(grid.bins, at)),
      el('div', {}, `${count(n[0] + n[1] + n[2])} examples: ${BUCKET_LABELS.map((label, b) => `${label} ${count(n[b])}`).join(', ')}`),
      n[0] + n[1] + n[2] > 0 && el('div', {}, 'Click to list them.'),
    );
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(e.clientX - rect.left + 14, rect.width - 260)}px`;
    tooltip.style.top = `${e.clientY - rect.top + 14}px`;
  }

  return { element: c.root, update, showCell, retheme: () => show() };
}
