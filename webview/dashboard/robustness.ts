// Panel 5, "Robustness" (the paper's Fig. 7): accuracy on the original prompt and on each perturbed prompt per
// PreMemAcc bin, from the checkpoints scored with perturbations.
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { robustnessCsv } from '../../src/core/dashboard/csv';
import type { RobustnessData } from '../../src/core/dashboard/robustness';
import { append, clear } from '../shared/dom';
import { card, chartBox } from './card';
import { backgroundPlugin, ChartHolder, count, fmt3, num } from './charts';
import type { WebviewMessage } from './protocol';
import type { Theme } from './theme';

const binLabel = (lo: number, hi: number) => `[${lo.toFixed(1)}, ${hi.toFixed(1)}${hi >= 1 ? ']' : ')'}`;

export function createRobustnessPanel(post: (m: WebviewMessage) => void, theme: () => Theme) {
  let data: RobustnessData | undefined;
  const { box, canvas } = chartBox();
  const chart = new ChartHolder<'bar'>(canvas);
  const c = card('robustness', 'Robustness', post, [{ name: 'robustness', canvas: () => canvas, csv: () => data && { csv: robustnessCsv(data), rows: data.bins.length } }]);
  append(c.body, box);

  function config(): ChartConfiguration<'bar'> {
    const t = theme();
    const r = data!;
    const series = [{ label: 'original prompt', values: r.bins.map((b) => b.original) }, ...r.perturbations.map((p) => ({ label: p, values: r.bins.map((b) => b.perturbed[p]) }))];
    return {
      type: 'bar',
      data: {
        labels: r.bins.map((b) => binLabel(b.lo, b.hi)),
        datasets: series.map((s, k) => ({ label: s.label, data: s.values.map((v) => (v === null ? NaN : num(v))), backgroundColor: t.series[k % t.series.length], borderWidth: 0 })),
      },
      options: {
        scales: { x: { title: { display: true, text: `PreMemAcc at ${r.checkpoint}` } }, y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } } },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'bar'>[]) => {
                const b = r.bins[items[0]?.dataIndex ?? 0];
                return b ? `PreMemAcc ${binLabel(b.lo, b.hi)} · ${count(b.count)} examples` : '';
              },
              label: (item: TooltipItem<'bar'>) => `${item.dataset.label}: accuracy ${fmt3(item.raw as number)}`,
            },
          },
        },
      },
      plugins: [backgroundPlugin(theme)],
    };
  }

  function update(next: RobustnessData | null): void {
    data = next ?? undefined;
    clear(c.summary);
    if (!next) {
      append(
        c.summary,
        'No perturbation results in the selected run. Score its final checkpoint with perturbed prompts (the answer prompt with a generic preamble appended, such as "Answer: First" or "Answer: We know that") to see how much accuracy each PreMemAcc bin loses.',
      );
      box.hidden = true;
      c.root.classList.add('empty-card');
      return;
    }
    box.hidden = false;
    c.root.classList.remove('empty-card');
    const low = next.bins[0];
    const high = next.bins[next.bins.length - 1];
    const drop = (b: typeof low) => {
      const ps = next.perturbations.map((p) => b.perturbed[p]).filter((v): v is number => typeof v === 'number');
      return b.original !== null && ps.length ? num(b.original) - ps.reduce((s, v) => s + v, 0) / ps.length : NaN;
    };
    append(
      c.summary,
      `Perturbations at ${next.checkpoint}: ${next.perturbations.join(', ')}. Mean accuracy lost under them: ${fmt3(drop(low))} for PreMemAcc ${binLabel(low.lo, low.hi)}, ${fmt3(drop(high))} for ${binLabel(high.lo, high.hi)}.`,
    );
    chart.render(config());
  }

  return { element: c.root, update, retheme: () => data && chart.render(config()) };
}
