// Panel "Signal overlaps": how much each other training-dynamics signal agrees with PreMemAcc on which examples
// are hardest: the Jaccard overlap of the x% each ranks hardest, with x on a slider. The host ranks (a million
// examples stay there); the slider sends x and gets back one row per signal.
import { overlapsCsv } from '../../src/core/dashboard/csv';
import { append, clear, el } from '../shared/dom';
import { card } from './card';
import { count, fmt3 } from './charts';
import type { OverlapsMessage, WebviewMessage } from './protocol';

export function createOverlapsPanel(post: (m: WebviewMessage) => void, savedShare: number, onShare: (share: number) => void) {
  let data: OverlapsMessage | undefined;
  const c = card('overlaps', 'Signal overlaps', post, [{ name: 'overlaps', csv: () => data && { csv: overlapsCsv(data.rows, data.share), rows: data.rows.length } }]);
  const slider = el('input', { attrs: { id: 'overlap-share', type: 'range', min: '1', max: '50', step: '1', 'aria-label': 'Share x of hardest examples, in percent' } });
  slider.value = String(Math.round(savedShare * 100));
  const sliderText = el('span', { attrs: { id: 'overlap-share-value' } });
  const tbody = el('tbody');
  const table = el(
    'table',
    { class: 'overlaps', attrs: { id: 'overlaps-table' } },
    el('thead', {}, el('tr', {}, el('th', {}, 'signal'), el('th', {}, 'Jaccard with PreMemAcc'), el('th', {}, 'examples ranked'), el('th', {}, 'set size'))),
    tbody,
  );
  const share = () => Number(slider.value) / 100;
  const showShare = () => (sliderText.textContent = `x = ${slider.value}%`);
  slider.addEventListener('input', () => {
    showShare();
    onShare(share());
    post({ type: 'setOverlapShare', share: share() });
  });
  showShare();
  append(c.body, el('label', { class: 'toolbar' }, 'Hardest ', slider, sliderText), table);

  function update(next: OverlapsMessage): void {
    data = next;
    clear(c.summary);
    const size = next.rows[0]?.size ?? 0;
    append(
      c.summary,
      `Run ${next.run} at ${next.checkpoint}: of the ${count(size)} examples (${(next.share * 100).toFixed(0)}%) each signal ranks hardest, the share it has in common with PreMemAcc's (1: the same set; about x / (2 − x): no better than chance).`,
    );
    clear(tbody);
    for (const r of next.rows) {
      append(
        tbody,
        el(
          'tr',
          { attrs: { 'data-signal': r.signal } },
          el('td', {}, r.label),
          el('td', { class: 'num' }, r.jaccard === null ? 'no data' : fmt3(r.jaccard)),
          el('td', { class: 'num' }, count(r.examples)),
          el('td', { class: 'num' }, count(r.size)),
        ),
      );
    }
  }

  return { element: c.root, update, share };
}
