// Panel 4, "Distribution": per-example PreMemAcc at the selected checkpoint, t marked, how many examples are at or
// under t (the re-collection set of the curation loop), and the button that exports them.
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { histogramCsv } from '../../src/core/dashboard/csv';
import type { PreMemHistogram } from '../../src/core/dashboard/histogram';
import { append, clear, el } from '../shared/dom';
import { card, chartBox } from './card';
import { backgroundPlugin, ChartHolder, count, pct, verticalLinePlugin } from './charts';
import type { WebviewMessage } from './protocol';
import { type Theme, withAlpha } from './theme';

export function createDistributionPanel(post: (m: WebviewMessage) => void, theme: () => Theme) {
  let data: PreMemHistogram | undefined;
  const { box, canvas } = chartBox();
  const chart = new ChartHolder<'bar'>(canvas);
  const c = card('distribution', 'Distribution', post, [{ name: 'histogram', canvas: () => canvas, csv: () => data && { csv: histogramCsv(data), rows: data.bins.length } }]);
  const exportButton = el('button', { attrs: { type: 'button', id: 'export-recollection' }, on: { click: () => post({ type: 'exportRecollection' }) } }, 'Export re-collection set…');
  append(c.body, box, el('div', { class: 'button-row' }, exportButton));

  function config(): ChartConfiguration<'bar'> {
    const t = theme();
    const h = data!;
    return {
      type: 'bar',
      data: {
        labels: h.bins.map((b) => `${b.lo.toFixed(2)}–${b.hi.toFixed(2)}`),
        datasets: [
          {
            label: 'examples',
            data: h.bins.map((b) => b.count),
            backgroundColor: h.bins.map((b) => (b.fragile ? withAlpha(t.fragile, 0.85) : withAlpha(t.robust, 0.85))),
            borderWidth: 0,
            barPercentage: 1,
            categoryPercentage: 0.95,
          },
        ],
      },
      options: {
        scales: {
          x: { title: { display: true, text: `PreMemAcc at ${h.checkpoint}` }, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 } },
          y: { title: { display: true, text: 'examples' }, beginAtZero: true },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'bar'>[]) => {
                const b = h.bins[items[0]?.dataIndex ?? 0];
                return b ? `PreMemAcc in ${b.lo === 0 ? '[' : '('}${b.lo.toFixed(2)}, ${b.hi.toFixed(2)}]` : '';
              },
              label: (item: TooltipItem<'bar'>) => `${count(item.raw as number)} examples (${pct((item.raw as number) / Math.max(1, h.scored))})`,
            },
          },
        },
      },
      plugins: [backgroundPlugin(theme), verticalLinePlugin(() => data && { fraction: data.t, label: `t = ${data.t}`, color: theme().foreground })],
    };
  }

  function update(next: PreMemHistogram | null): void {
    data = next ?? undefined;
    clear(c.summary);
    if (!next) {
      append(c.summary, 'No run is selected.');
      box.hidden = true;
      exportButton.disabled = true;
      return;
    }
    box.hidden = false;
    exportButton.disabled = next.atOrUnderT === 0;
    append(
      c.summary,
      el('span', { attrs: { id: 'fragile-count' } }, `${count(next.atOrUnderT)} of ${count(next.scored)} examples (${pct(next.share)}) have PreMemAcc at or under t = ${next.t} at ${next.checkpoint}`),
      ': the re-collection set (collect more examples like them).',
    );
    chart.render(config());
  }

  return { element: c.root, update, retheme: () => data && chart.render(config()) };
}
