// The example's accuracy, masked accuracy and PreMemAcc over the selected run's checkpoints.
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { el } from '../shared/dom';
import { onThemeChange } from '../shared/theme-change';
import type { ExampleView } from './protocol';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);

let current: Chart | undefined;
let shown: ExampleView | undefined;
let redrawOnThemeChange: HTMLElement | undefined;

// The chart's colours are read once per drawing: a theme switch draws it again in the same box.
onThemeChange(() => {
  if (shown && redrawOnThemeChange?.isConnected) redrawOnThemeChange.replaceWith(renderChart(shown));
});

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** A new chart in a fresh canvas (the previous one is destroyed). */
export function renderChart(example: ExampleView): HTMLElement {
  current?.destroy();
  const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Accuracy, masked accuracy and PreMemAcc per checkpoint' } });
  const box = el('div', { class: 'chart-box' }, canvas);
  const series = (key: 'accuracy' | 'maskedAccuracy' | 'preMemAccuracy') => example.checkpoints.map((c) => c[key]);
  // Values of 0 and 1 lie on the chart's edges: lines may overflow it by a few pixels instead of being cut in half.
  // PreMemAcc is drawn wide and first, so where it equals accuracy both stay visible (a band around a line).
  const line = (label: string, data: (number | null)[], color: string, extra: { dash?: number[]; width?: number; order?: number } = {}) => ({
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    borderDash: extra.dash,
    borderWidth: extra.width ?? 2,
    order: extra.order ?? 0,
    pointRadius: 3,
    spanGaps: true,
    clip: 6,
  });
  const foreground = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.35)');
  current = new Chart(canvas, {
    type: 'line',
    data: {
      labels: example.checkpoints.map((c) => c.id),
      datasets: [
        line('Accuracy', series('accuracy'), themeColor('--vscode-charts-blue', '#3794ff')),
        line('Masked accuracy', series('maskedAccuracy'), themeColor('--vscode-charts-yellow', '#cca700'), { dash: [4, 3] }),
        line('PreMemAcc', series('preMemAccuracy'), themeColor('--vscode-charts-red', '#f14c4c'), { width: 6, order: 2 }),
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: { min: 0, max: 1, ticks: { color: foreground }, grid: { color: grid } },
        x: { ticks: { color: foreground }, grid: { color: grid } },
      },
      plugins: { legend: { labels: { color: foreground } } },
    },
  });
  shown = example;
  redrawOnThemeChange = box;
  return box;
}
