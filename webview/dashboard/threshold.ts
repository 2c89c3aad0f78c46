// Panel 2, "Threshold p": R² of mean PreMemAcc against test accuracy over p (the calibration sweep), the p in use
// and the calibrated p marked, and the slider that moves p for every panel and the editor's marks. The slider
// works in thr = log(log(p)), the scale the sweep is taken on; while it moves, at most one request is in flight
// and only the latest position is sent next, so a fast drag never queues stale work on the host.
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { sweepCsv } from '../../src/core/dashboard/csv';
import type { SweepCurve, ThresholdState } from '../../src/core/dashboard/sweep';
import { append, clear, el } from '../shared/dom';
import { card, chartBox } from './card';
import { backgroundPlugin, ChartHolder, fmt3, fmt4, num, verticalLinePlugin } from './charts';
import type { ModelContext, WebviewMessage } from './protocol';
import type { Theme } from './theme';

const pOf = (thr: number) => Math.exp(Math.exp(thr));
/** If no answer comes (the host was busy or restarted), the slider stops waiting after this long. */
const REQUEST_TIMEOUT_MS = 2000;

export function createThresholdPanel(post: (m: WebviewMessage) => void, theme: () => Theme) {
  let curve: SweepCurve | null = null;
  let curveData: { x: number; y: number }[] = [];
  let state: ThresholdState | undefined;
  let context: ModelContext | undefined;
  let seq = 0;
  let inFlight: { seq: number; sentAt: number; timer: ReturnType<typeof setTimeout> } | undefined;
  let pending: number | undefined;
  let lastLatency: number | undefined;
  let answeredSentAt: number | undefined;
  let hostMs = 0;

  const { box, canvas } = chartBox();
  const chart = new ChartHolder<'line'>(canvas);
  const c = card('sweep', 'Threshold p', post, [{ name: 'sweep', canvas: () => canvas, csv: () => (curve ? { csv: sweepCsv(curve), rows: curve.points.length } : undefined) }]);

  const slider = el('input', { attrs: { type: 'range', id: 'p-slider', 'aria-label': 'Memorization threshold p (log-log scale)' } });
  const readout = el('span', { class: 'p-readout', attrs: { id: 'p-value' } });
  const r2Readout = el('span', { class: 'r2-readout', attrs: { id: 'p-r2' } });
  const timing = el('span', { class: 'muted', attrs: { id: 'p-timing' } });
  const calibrated = el('button', { class: 'secondary', attrs: { type: 'button', id: 'use-calibrated' }, on: { click: () => post({ type: 'useCalibrated' }) } }, 'Use calibrated p');
  const save = el('button', { attrs: { type: 'button', id: 'save-p' }, on: { click: () => post({ type: 'saveP' }) } }, 'Save p to premem.json');
  slider.addEventListener('input', () => {
    const thr = Number(slider.value);
    showReadout(thr, undefined);
    request(thr);
  });
  append(
    c.body,
    el('div', { class: 'slider-row' }, el('label', { attrs: { for: 'p-slider' } }, 'p'), slider, readout, r2Readout),
    el('div', { class: 'button-row' }, calibrated, save, timing),
    box,
  );

  function request(thr: number): void {
    if (inFlight) {
      pending = thr;
      return;
    }
    seq++;
    inFlight = { seq, sentAt: performance.now(), timer: setTimeout(() => settle(Infinity), REQUEST_TIMEOUT_MS) };
    post({ type: 'setThreshold', thr, seq });
  }

  /** A model arrived that answers requests up to `answered` (its seq): the next slider position may go. */
  function settle(answered: number): void {
    if (!inFlight || answered < inFlight.seq) return;
    clearTimeout(inFlight.timer);
    if (Number.isFinite(answered)) answeredSentAt = inFlight.sentAt;
    inFlight = undefined;
    if (pending !== undefined) {
      const next = pending;
      pending = undefined;
      request(next);
    }
  }

  function showReadout(thr: number, r2: number | undefined): void {
    readout.textContent = `p = ${fmt4(pOf(thr))} (thr = log log p = ${thr.toFixed(3)})`;
    if (r2 !== undefined) r2Readout.textContent = `R²(y = x) = ${fmt3(r2)}`;
  }

  function config(): ChartConfiguration<'line'> {
    const t = theme();
    const points = curve!.points;
    // Down to -1, or to a point below the best when even the best fit is poor; R² falls without bound at extreme p.
    // The p in use is always on the chart at its true R² (the text beside says it), however low.
    const current = state!;
    const minR2 = Math.min(...points.map((p) => p.r2));
    const currentR2 = num(current.r2);
    const yMin = Math.min(
      Math.max(Math.floor(Math.min(0, minR2) * 10) / 10, Math.min(-1, Math.floor(curve!.calibrated.r2 - 1))),
      Number.isFinite(currentR2) ? Math.floor(currentR2 * 2) / 2 : 0,
    );
    return {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'R²(y = x)',
            // The same array while the curve stands: Chart.js then skips parsing its 1,101 points again.
            data: curveData,
            borderColor: t.series[0],
            backgroundColor: t.series[0],
            borderWidth: 1.5,
            pointRadius: 0,
            pointHoverRadius: 3,
          },
          {
            label: `calibrated p = ${fmt4(curve!.calibrated.p)}`,
            data: [{ x: curve!.calibrated.thr, y: curve!.calibrated.r2 }],
            borderColor: t.robust,
            backgroundColor: t.robust,
            pointRadius: 5,
            pointStyle: 'triangle',
            showLine: false,
          },
          {
            label: `p in use = ${fmt4(current.p)}`,
            data: [{ x: current.thr, y: currentR2 }],
            borderColor: t.fragile,
            backgroundColor: t.fragile,
            pointRadius: 5,
            showLine: false,
          },
        ],
      },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear',
            min: current.slider.min,
            max: current.slider.max,
            title: { display: true, text: 'p (log-log scale)' },
            ticks: { callback: (v) => fmt3(pOf(Number(v))) },
          },
          y: { type: 'linear', min: yMin, max: 1, title: { display: true, text: 'R²(y = x)' } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => {
                const x = (items[0]?.raw as { x: number } | undefined)?.x;
                return x === undefined ? '' : `p = ${fmt4(pOf(x))} (thr = ${x.toFixed(3)})`;
              },
              label: (item: TooltipItem<'line'>) => `${item.dataset.label}: R² ${fmt4((item.raw as { y: number }).y)}`,
            },
          },
        },
      },
      plugins: [backgroundPlugin(theme), verticalLinePlugin(() => state && { value: state.thr, label: `p = ${fmt4(state.p)}`, color: theme().fragile, labelAt: 'bottom' })],
    };
  }

  function render(): void {
    if (!state) return;
    clear(c.summary);
    if (!curve) {
      append(c.summary, 'No test accuracy to calibrate against (it needs at least three checkpoints with one): p is set by hand here, and the published values are GSM8K 1.1055, MATH 1.2004.');
      box.hidden = true;
      calibrated.disabled = true;
    } else {
      box.hidden = false;
      calibrated.disabled = false;
      calibrated.textContent = `Use calibrated p (${fmt4(curve.calibrated.p)})`;
      append(c.summary, `R² against y = x over p; best at p = ${fmt4(curve.calibrated.p)} (R² ${fmt3(curve.calibrated.r2)}). Moving p updates every panel and the marks in the editor.`);
      chart.render(config());
    }
  }

  /** A new R²(p) curve (they come only when the calibration changed). */
  function setCurve(next: SweepCurve | null): void {
    curve = next;
    curveData = next ? next.points.map((p) => ({ x: p.thr, y: p.r2 })) : [];
  }

  function update(next: ThresholdState, nextContext: ModelContext): void {
    state = next;
    context = nextContext;
    hostMs = nextContext.computeMs;
    slider.min = String(next.slider.min);
    slider.max = String(next.slider.max);
    slider.step = String(next.slider.step);
    // While the user drags, the slider shows the user's position, not the one the host last answered.
    if (!inFlight && pending === undefined) slider.value = String(next.thr);
    showReadout(inFlight || pending !== undefined ? Number(slider.value) : next.thr, num(next.r2));
    save.disabled = false;
    save.textContent = context.configFile ? `Save p to ${context.configFile}` : 'Save p to premem.json…';
    render();
  }

  /** Called once every panel has drawn the model: the slider's round trip is complete. */
  function afterRender(renderMs: number): void {
    if (answeredSentAt !== undefined) {
      lastLatency = performance.now() - answeredSentAt;
      answeredSentAt = undefined;
    }
    timing.textContent = `host recompute ${hostMs.toFixed(1)} ms · redraw ${renderMs.toFixed(0)} ms${lastLatency !== undefined ? ` · slider round trip ${lastLatency.toFixed(0)} ms` : ''}`;
    timing.dataset.renderMs = renderMs.toFixed(1);
  }

  return { element: c.root, acknowledge: settle, setCurve, update, afterRender, retheme: render };
}
