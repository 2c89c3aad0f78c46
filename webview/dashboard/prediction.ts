// Panel 1, "Does PreMemAcc predict test accuracy?": mean PreMemAcc (left) and plain train accuracy (right) against
// measured test accuracy, a line per run through its checkpoints, and the y = x line the paper's R² is taken to.
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { predictionCsv, toCsv } from '../../src/core/dashboard/csv';
import type { PredictionData } from '../../src/core/dashboard/prediction';
import { plural } from '../shared/format';
import { append, clear, el } from '../shared/dom';
import { card, chartBox } from './card';
import { ACCURACY_TICKS, backgroundPlugin, ChartHolder, fmt3, fmt4, num, runStyle, type RunStyle, shortRunLabels } from './charts';
import type { WebviewMessage } from './protocol';
import type { Theme } from './theme';

type Point = { x: number; y: number; run: string; checkpoint: string };

/** A legend swatch as the chart draws the run: a short line in its dash with its marker in the middle. */
function runSwatch(style: RunStyle): HTMLCanvasElement {
  const [w, h] = [28, 12];
  const scale = window.devicePixelRatio || 1;
  const canvas = el('canvas', { class: 'run-swatch', attrs: { 'aria-hidden': 'true' } });
  canvas.width = w * scale;
  canvas.height = h * scale;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.strokeStyle = ctx.fillStyle = style.color;
  ctx.lineWidth = 1.5;
  ctx.setLineDash(style.dash);
  ctx.beginPath();
  ctx.moveTo(1, h / 2);
  ctx.lineTo(w - 1, h / 2);
  ctx.stroke();
  ctx.beginPath();
  const [x, y, r] = [w / 2, h / 2, 3.5];
  if (style.pointStyle === 'circle') ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (style.pointStyle === 'rect') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else {
    ctx.moveTo(x, y - r - 0.5);
    ctx.lineTo(x + r + 0.5, y + r);
    ctx.lineTo(x - r - 0.5, y + r);
    ctx.closePath();
  }
  ctx.fill();
  return canvas;
}

export function createPredictionPanel(post: (m: WebviewMessage) => void, theme: () => Theme) {
  let data: PredictionData | undefined;
  const left = chartBox();
  const right = chartBox();
  const preChart = new ChartHolder<'scatter'>(left.canvas);
  const trainChart = new ChartHolder<'scatter'>(right.canvas);
  const c = card('prediction', 'Does PreMemAcc predict test accuracy?', post, [
    { name: 'prediction', canvas: () => left.canvas, csv: () => data && { csv: predictionCsv(data), rows: data.n } },
    {
      name: 'prediction-train',
      canvas: () => right.canvas,
      csv: () =>
        data && {
          csv: toCsv(['run', 'checkpoint', 'train_accuracy', 'test_accuracy'], data.series.flatMap((s) => s.points.map((p) => [s.run, p.checkpoint, p.trainAccuracy, p.testAccuracy]))),
          rows: data.n,
        },
    },
  ]);
  const leftTitle = el('h3', { attrs: { id: 'prediction-r2' } });
  const rightTitle = el('h3', { attrs: { id: 'prediction-train-r2' } });
  // One legend for both charts (the same runs in the same colours); a click hides or shows a run in both.
  const legend = el('div', { class: 'legend runs', attrs: { id: 'prediction-legend' } });
  const hidden = new Set<string>();
  append(c.body, el('div', { class: 'pair' }, el('figure', {}, leftTitle, left.box), el('figure', {}, rightTitle, right.box)), legend);

  function drawLegend(): void {
    const t = theme();
    const d = data!;
    const labels = shortRunLabels(d.series.map((s) => s.run));
    clear(legend);
    d.series.forEach((s, k) => {
      const item = el(
        'button',
        {
          class: `legend-item link${hidden.has(s.run) ? ' off' : ''}`,
          title: `${s.run}: click to ${hidden.has(s.run) ? 'show' : 'hide'}`,
          attrs: { type: 'button', 'aria-pressed': String(!hidden.has(s.run)) },
          on: {
            click: () => {
              if (hidden.has(s.run)) hidden.delete(s.run);
              else hidden.add(s.run);
              update(d);
            },
          },
        },
        runSwatch(runStyle(k, t)),
        labels[k],
      );
      append(legend, item);
    });
    append(legend, el('span', { class: 'muted' }, '– – y = x'));
  }

  function config(which: 'preMemAccuracy' | 'trainAccuracy'): ChartConfiguration<'scatter'> {
    const t = theme();
    const d = data!;
    const labels = shortRunLabels(d.series.map((s) => s.run));
    const all = d.series.flatMap((s) => s.points.flatMap((p) => [num(p[which]), num(p.testAccuracy)])).filter(Number.isFinite);
    const lo = Math.max(0, Math.floor((Math.min(...all, 1) - 0.03) * 20) / 20);
    const hi = Math.min(1, Math.ceil((Math.max(...all, 0) + 0.03) * 20) / 20);
    const datasets: ChartConfiguration<'scatter'>['data']['datasets'] = d.series.map((s, k) => {
      const { color, dash, pointStyle } = runStyle(k, t);
      return {
        label: labels[k],
        data: s.points.map((p): Point => ({ x: num(p[which]), y: num(p.testAccuracy), run: s.run, checkpoint: p.checkpoint })),
        showLine: true,
        borderColor: color,
        backgroundColor: color,
        borderDash: dash,
        borderWidth: 1.5,
        pointRadius: 3,
        pointHoverRadius: 5,
        pointStyle,
        hidden: hidden.has(s.run),
      };
    });
    datasets.push({
      label: 'y = x',
      data: [{ x: lo, y: lo }, { x: hi, y: hi }],
      showLine: true,
      borderColor: t.muted,
      borderDash: [4, 4],
      borderWidth: 1,
      pointRadius: 0,
      pointHoverRadius: 0,
    });
    return {
      type: 'scatter',
      data: { datasets },
      options: {
        scales: {
          x: { type: 'linear', min: lo, max: hi, ticks: ACCURACY_TICKS, title: { display: true, text: which === 'preMemAccuracy' ? 'mean PreMemAcc (train set)' : 'train accuracy' } },
          y: { type: 'linear', min: lo, max: hi, ticks: ACCURACY_TICKS, title: { display: true, text: 'test accuracy' } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            filter: (item: TooltipItem<'scatter'>) => item.datasetIndex < d.series.length,
            callbacks: {
              title: (items: TooltipItem<'scatter'>[]) => {
                const p = items[0]?.raw as Point | undefined;
                return p ? `${p.run} · ${p.checkpoint}` : '';
              },
              label: (item: TooltipItem<'scatter'>) => {
                const p = item.raw as Point;
                return [`${which === 'preMemAccuracy' ? 'mean PreMemAcc' : 'train accuracy'}: ${fmt4(p.x)}`, `test accuracy: ${fmt4(p.y)}`, `error: ${fmt4(p.x - p.y)}`];
              },
            },
          },
        },
      },
      plugins: [backgroundPlugin(theme)],
    };
  }

  function update(next: PredictionData): void {
    data = next;
    const loo = next.leaveOneRunOut;
    clear(c.summary);
    if (next.n === 0) {
      append(c.summary, 'No checkpoint has a measured test accuracy, so the prediction cannot be checked here. Mean PreMemAcc per checkpoint is in the checkpoint advice below.');
      left.box.hidden = right.box.hidden = true;
    } else {
      left.box.hidden = right.box.hidden = false;
      append(
        c.summary,
        `${plural(next.n, 'checkpoint')} of ${plural(next.series.length, 'run')} with test results. `,
        loo ? `Leave-one-run-out (calibrate p on the other runs, predict the held-out one): mean absolute error ${fmt3(num(loo.mae))}, R² ${fmt3(num(loo.r2))}.` : 'Leave-one-run-out needs test results of at least two runs.',
      );
    }
    leftTitle.textContent = `Mean PreMemAcc: R²(y = x) = ${fmt3(num(next.r2))} (linear fit R² ${fmt3(num(next.r2Linear))})`;
    rightTitle.textContent = `Train accuracy: R²(y = x) = ${fmt3(num(next.trainR2))} (linear fit R² ${fmt3(num(next.trainR2Linear))})`;
    if (next.n === 0) return;
    drawLegend();
    preChart.render(config('preMemAccuracy'));
    trainChart.render(config('trainAccuracy'));
  }

  return { element: c.root, update, retheme: () => data && update(data) };
}
