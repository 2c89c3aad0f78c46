// Chart.js with only the parts the dashboard draws, no animation, and the theme's colours.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { Theme } from './theme';

Chart.register(ScatterController, LineController, BarController, PointElement, LineElement, BarElement, LinearScale, CategoryScale, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.responsive = true;
Chart.defaults.maintainAspectRatio = false;

export { Chart };

export function applyTheme(theme: Theme): void {
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.font;
  Chart.defaults.font.size = 11;
}

/** Paints the theme background under the chart, so an exported PNG looks like the panel (a canvas is transparent). */
export function backgroundPlugin(theme: () => Theme): Plugin {
  return {
    id: 'premem-background',
    beforeDraw(chart) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = theme().background;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

/**
 * A labelled vertical line at a fraction of the x axis' width (or at an x value of a linear axis). The label goes
 * at the top, or at the bottom (`labelAt`) where the curve a chart draws is high at the line.
 */
export function verticalLinePlugin(where: () => { fraction?: number; value?: number; label: string; color: string; labelAt?: 'top' | 'bottom' } | undefined): Plugin {
  return {
    id: 'premem-vertical-line',
    afterDatasetsDraw(chart) {
      const line = where();
      if (!line) return;
      const { ctx, chartArea } = chart;
      const x = line.value !== undefined ? chart.scales.x.getPixelForValue(line.value) : chartArea.left + (line.fraction ?? 0) * (chartArea.right - chartArea.left);
      if (!(x >= chartArea.left - 1 && x <= chartArea.right + 1)) return;
      ctx.save();
      ctx.strokeStyle = line.color;
      ctx.fillStyle = line.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `11px ${Chart.defaults.font.family}`;
      ctx.textAlign = x > (chartArea.left + chartArea.right) / 2 ? 'right' : 'left';
      ctx.fillText(line.label, x + (ctx.textAlign === 'right' ? -4 : 4), line.labelAt === 'bottom' ? chartArea.bottom - 6 : chartArea.top + 12);
      ctx.restore();
    },
  };
}

/** Creates the chart on first use, then swaps its data and options in place (no animation, no re-layout churn). */
export class ChartHolder<T extends ChartType> {
  chart: Chart<T> | undefined;
  constructor(readonly canvas: HTMLCanvasElement) {}

  render(config: ChartConfiguration<T>): void {
    if (!this.chart) {
      this.chart = new Chart(this.canvas, config);
      return;
    }
    this.chart.data = config.data;
    if (config.options) this.chart.options = config.options;
    this.chart.update('none');
  }
}

// How a run is drawn in the prediction charts and their legend.
const DASHES: number[][] = [[], [6, 3], [2, 2]];
/** Steps of at least 0.01, labelled with as many digits as they need: a narrow range never shows "0.2" twice. */
export const ACCURACY_TICKS = { precision: 2, callback: (value: number | string) => String(Number(Number(value).toFixed(2))) };
const POINT_STYLES = ['circle', 'rect', 'triangle'] as const;

export interface RunStyle {
  color: string;
  dash: number[];
  pointStyle: (typeof POINT_STYLES)[number];
}

/**
 * Run k's look: the colour cycles fastest, then marker and line dash change together, so 18 runs look distinct;
 * the legend draws the same three things.
 */
export function runStyle(k: number, t: Pick<Theme, 'series'>): RunStyle {
  const round = Math.floor(k / t.series.length) % POINT_STYLES.length;
  return { color: t.series[k % t.series.length], dash: DASHES[round], pointStyle: POINT_STYLES[round] };
}

/** A shortened label for runs whose ids share a long prefix (gsm8k_orig_…): the full id stays in tooltips. */
export function shortRunLabels(ids: readonly string[]): string[] {
  if (ids.length < 2) return [...ids];
  let prefix = ids[0];
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = prefix.lastIndexOf('_') + 1;
  return ids.map((id) => (cut > 0 && id.length > cut ? id.slice(cut) : id));
}

export const fmt3 = (x: number | null | undefined): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '–');
export const fmt4 = (x: number | null | undefined): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(4) : '–');
export const pct = (x: number | null | undefined): string => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
export const count = (n: number): string => n.toLocaleString('en-US');
/** NaN and infinities arrive as null over JSON. */
export const num = (x: number | null | undefined): number => (typeof x === 'number' ? x : NaN);
