// Panel 3, "Learning progressions": the examples x checkpoints heatmap in the paper's two-dimensional colour scale
// (hue: incorrect / correct with its own trace / memorized; intensity: accuracy), sortable, zoomable, each row a
// way into its example; beside it the categories per checkpoint as stacked bars.
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { type CategoryStacks, categoriesSummary } from '../../src/core/dashboard/categories';
import { categoriesCsv, heatmapCsv } from '../../src/core/dashboard/csv';
import { HEATMAP_SORT_LABELS, HEATMAP_SORTS, type HeatmapSort, heatmapOrder } from '../../src/core/dashboard/heatmap';
import { displayCells, heatmapPalette, type RowWindow } from '../../src/core/dashboard/heatmap-raster';
import { append, clear, el } from '../shared/dom';
import { card, chartBox } from './card';
import { backgroundPlugin, ChartHolder, count, fmt3, pct } from './charts';
import { HeatmapCanvas, type HeatmapView } from './heatmap-canvas';
import { decodeHeatmap, type HeatmapMessage, type WebviewMessage } from './protocol';
import type { Theme } from './theme';

/** Examples listed when a pixel row of many is clicked. */
const BIN_LIST_MAX = 200;

export interface ProgressionsState {
  sort: HeatmapSort;
  window?: RowWindow;
  /** Rows the window was chosen for: a zoom is kept while the row count stays (p moves), reset otherwise. */
  rows?: number;
}

export function createProgressionsPanel(post: (m: WebviewMessage) => void, theme: () => Theme, saved: ProgressionsState, onState: (s: ProgressionsState) => void) {
  let state: ProgressionsState = { ...saved };
  let view: HeatmapView | undefined;
  let message: HeatmapMessage | undefined;
  let stacks: CategoryStacks | undefined;

  const heatmap = new HeatmapCanvas({
    onOpen: (index) => post({ type: 'openExample', index }),
    onBin: (from, to) => showBin(from, to),
    onWindowChange: (w) => {
      state = { ...state, window: w, rows: view?.data.rows };
      onState(state);
      showWindow();
    },
  });
  const stackBox = chartBox('chart tall');
  const stackChart = new ChartHolder<'bar'>(stackBox.canvas);
  const c = card('progressions', 'Learning progressions', post, [
    { name: 'heatmap', canvas: () => heatmap.canvas, csv: () => view && { csv: heatmapCsv(view.data, view.order, view.checkpointIds), rows: view.data.rows } },
    { name: 'categories', canvas: () => stackBox.canvas, csv: () => stacks && { csv: categoriesCsv(stacks), rows: stacks.checkpoints.length } },
  ]);

  const sortSelect = el('select', { attrs: { id: 'heatmap-sort', 'aria-label': 'Sort examples by' } });
  for (const s of HEATMAP_SORTS) append(sortSelect, el('option', { attrs: { value: s } }, HEATMAP_SORT_LABELS[s]));
  sortSelect.value = state.sort;
  sortSelect.addEventListener('change', () => {
    state = { ...state, sort: sortSelect.value as HeatmapSort, window: undefined };
    onState(state);
    if (message) setHeatmap(message);
  });
  const windowText = el('span', { class: 'muted', attrs: { id: 'heatmap-window' } });
  const button = (label: string, title: string, action: () => void) => el('button', { class: 'secondary', title, attrs: { type: 'button' }, on: { click: action } }, label);
  const legend = el('div', { class: 'legend', attrs: { id: 'heatmap-legend' } });
  const binList = el('div', { class: 'bin-list', attrs: { id: 'heatmap-bin' } });

  append(
    c.body,
    el(
      'div',
      { class: 'toolbar' },
      el('label', { attrs: { for: 'heatmap-sort' } }, 'Sort by '),
      sortSelect,
      button('Zoom in', 'Show fewer rows (also Ctrl+wheel, +)', () => heatmap.zoom(4)),
      button('Zoom out', 'Show more rows (also Ctrl+wheel, -)', () => heatmap.zoom(0.25)),
      button('Show all', 'Fit every row (also 0)', () => heatmap.setWindow({ start: 0, count: view?.data.rows ?? 0 })),
      windowText,
    ),
    legend,
    el('div', { class: 'pair wide-left' }, el('figure', {}, heatmap.element), el('figure', {}, el('h3', {}, 'Categories per checkpoint'), stackBox.box)),
    binList,
  );

  function showWindow(): void {
    if (!view) return;
    const w = heatmap.window;
    windowText.textContent = `rows ${count(w.start + 1)}–${count(w.start + w.count)} of ${count(view.data.rows)}${w.count > heatmap.canvas.height ? ` · ${Math.ceil(w.count / Math.max(1, heatmap.canvas.height))} rows per pixel row` : ''}`;
  }

  function showBin(from: number, to: number): void {
    if (!view) return;
    const { data, order } = view;
    clear(binList);
    const n = to - from;
    append(binList, el('h3', {}, `Rows ${count(from + 1)}–${count(to)} (${count(n)} examples)${n > BIN_LIST_MAX ? `: the first ${BIN_LIST_MAX}` : ''}`));
    const list = el('div', { class: 'bin-items' });
    for (let d = from; d < Math.min(to, from + BIN_LIST_MAX); d++) {
      const r = order[d];
      const index = data.example[r];
      append(list, el('button', { class: 'link', attrs: { type: 'button', 'data-example': String(index) }, on: { click: () => post({ type: 'openExample', index }) } }, `#${index} · ${fmt3(data.preMem[r])}`));
    }
    append(binList, list, button('Zoom to these rows', 'Show only these rows in the heatmap', () => heatmap.setWindow({ start: from, count: n })));
  }

  function drawLegend(t: Theme): void {
    clear(legend);
    const palette = heatmapPalette(t.heatmap);
    const strip = (category: number, label: string) => {
      const canvas = el('canvas', { class: 'legend-strip' });
      canvas.width = 64;
      canvas.height = 1;
      const img = new ImageData(64, 1);
      for (let x = 0; x < 64; x++) img.data.set(palette.subarray((category * 256 + Math.round((x / 63) * 254)) * 4, (category * 256 + Math.round((x / 63) * 254)) * 4 + 4), x * 4);
      canvas.getContext('2d')!.putImageData(img, 0, 0);
      return el('span', { class: 'legend-item' }, canvas, label);
    };
    append(
      legend,
      strip(1, 'incorrect (perplexity above p)'),
      strip(2, 'correct, own trace (above p)'),
      strip(3, 'memorized (perplexity under p)'),
      el('span', { class: 'muted' }, 'intensity: accuracy 0 → 1 (left to right)'),
    );
  }

  function setHeatmap(next: HeatmapMessage): void {
    message = next;
    const data = decodeHeatmap(next);
    const order = heatmapOrder(data, state.sort);
    view = { data, order, cells: displayCells(data, order), checkpointIds: next.checkpointIds, selectedCheckpoint: next.selectedCheckpoint };
    heatmap.setView(view, state.rows === data.rows ? state.window : undefined);
    state = { ...state, rows: data.rows, window: heatmap.window };
    onState(state);
    showWindow();
    clear(binList);
  }

  function stackConfig(): ChartConfiguration<'bar'> {
    const t = theme();
    const s = stacks!;
    const series = [
      { key: 'incorrect', label: 'incorrect', color: t.incorrect },
      { key: 'correct', label: 'correct (own trace)', color: t.correct },
      { key: 'memorized', label: 'memorized', color: t.memorized },
      { key: 'unscored', label: 'not scored', color: t.unscored },
    ] as const;
    return {
      type: 'bar',
      data: {
        labels: s.checkpoints.map((id) => id.replace(/^checkpoint-/, '')),
        datasets: series
          .filter((x) => x.key !== 'unscored' || s.counts.unscored.some((v) => v > 0))
          .map((x) => ({ label: x.label, data: s.counts[x.key], backgroundColor: x.color, borderWidth: 0 })),
      },
      options: {
        scales: { x: { stacked: true, title: { display: true, text: 'checkpoint' } }, y: { stacked: true, max: s.total, title: { display: true, text: 'examples' } } },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'bar'>[]) => s.checkpoints[items[0]?.dataIndex ?? 0] ?? '',
              label: (item: TooltipItem<'bar'>) => `${item.dataset.label}: ${count(item.raw as number)} (${pct((item.raw as number) / s.total)})`,
            },
          },
        },
      },
      plugins: [backgroundPlugin(theme)],
    };
  }

  function update(next: CategoryStacks | null, emptyText: string | null): void {
    stacks = next ?? undefined;
    clear(c.summary);
    if (!next) {
      append(c.summary, emptyText ?? 'No run is selected.');
      return;
    }
    append(c.summary, `${categoriesSummary(next)} Click a row to open its example.`);
    stackChart.render(stackConfig());
  }

  function retheme(): void {
    const t = theme();
    heatmap.setPalette(heatmapPalette(t.heatmap), t.background);
    drawLegend(t);
    if (stacks) stackChart.render(stackConfig());
  }

  retheme();
  return { element: c.root, update, setHeatmap, retheme, heatmap };
}
