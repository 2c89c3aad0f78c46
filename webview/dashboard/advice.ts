// Panel 6, "Checkpoint advice" (the over-memorization study): per checkpoint of each run, train accuracy, the test
// accuracy PreMemAcc predicts, measured test accuracy and perplexity, sample diversity; checkpoints where test
// perplexity climbs while accuracy holds are marked, and the best predicted checkpoint is named.
import type { CheckpointAdvice } from '../../src/core/dashboard/advice';
import { adviceCsv } from '../../src/core/dashboard/csv';
import { append, clear, el } from '../shared/dom';
import { card } from './card';
import { fmt3, num, pct } from './charts';
import type { WebviewMessage } from './protocol';

export function createAdvicePanel(post: (m: WebviewMessage) => void, select: (run: number, checkpoint: number) => void) {
  let data: CheckpointAdvice | undefined;
  const c = card('advice', 'Checkpoint advice', post, [{ name: 'advice', csv: () => data && { csv: adviceCsv(data), rows: data.rows.length } }]);
  const table = el('table', { class: 'advice', attrs: { id: 'advice-table' } });
  append(c.body, el('div', { class: 'table-scroll' }, table));

  function update(next: CheckpointAdvice, runIds: string[]): void {
    data = next;
    clear(c.summary);
    if (next.best) {
      append(
        c.summary,
        el('strong', { attrs: { id: 'best-checkpoint' } }, `Best predicted test accuracy: ${next.best.run} · ${next.best.checkpoint} (${fmt3(num(next.best.predictedTestAccuracy))} predicted${next.best.testAccuracy !== null ? `, ${fmt3(num(next.best.testAccuracy))} measured` : ''}).`),
        ' The prediction needs no test labels. ',
      );
    }
    append(
      c.summary,
      next.hasTestPerplexity
        ? next.overMemorized
          ? `${next.overMemorized} checkpoint(s) look over-memorized: test perplexity 10% or more above its lowest earlier value while accuracy holds (within 0.02). Such models are less robust and less diverse; prefer an earlier checkpoint or a smaller learning rate.`
          : 'No checkpoint shows test perplexity climbing while accuracy holds.'
        : 'These runs carry no test perplexity, so over-memorization (test perplexity climbing while accuracy holds) cannot be flagged; the memorized share of the training set is shown instead.',
      next.hasDiversity ? '' : ' Sample diversity is not recorded in these runs (it needs the sampled answers).',
    );
    clear(table);
    const headers = ['run', 'checkpoint', 'train acc.', 'predicted test acc. (mean PreMemAcc)', 'test acc.', 'test perplexity', 'distinct answers', 'memorized', ''];
    append(table, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { attrs: { scope: 'col' } }, h)))));
    const body = el('tbody');
    let previousRun = '';
    for (const r of next.rows) {
      const runIndex = runIds.indexOf(r.run);
      const notes = [r.bestPredictedInRun ? '★ best predicted in run' : '', r.overMemorized ? '⚠ over-memorizing' : ''].filter(Boolean).join(' · ');
      const row = el(
        'tr',
        { class: [r.overMemorized ? 'over-memorized' : '', r.bestPredictedInRun ? 'best' : '', r.run !== previousRun ? 'run-start' : ''].filter(Boolean).join(' ') },
        el('td', { title: r.run }, r.run === previousRun ? '' : r.run),
        el('td', {}, el('button', { class: 'link', title: 'Select this checkpoint for the heatmap, distribution and marks', attrs: { type: 'button' }, on: { click: () => select(runIndex, next.rows.filter((x) => x.run === r.run).indexOf(r)) } }, r.checkpoint)),
        el('td', { class: 'num' }, fmt3(num(r.trainAccuracy))),
        el('td', { class: 'num' }, fmt3(num(r.predictedTestAccuracy))),
        el('td', { class: 'num' }, fmt3(r.testAccuracy === null ? NaN : num(r.testAccuracy))),
        el('td', { class: 'num' }, r.testPerplexity === null ? '–' : num(r.testPerplexity).toFixed(3)),
        el('td', { class: 'num' }, r.diversity === null ? '–' : num(r.diversity).toFixed(2)),
        el('td', { class: 'num' }, pct(num(r.memorizedShare))),
        el('td', {}, notes),
      );
      previousRun = r.run;
      append(body, row);
    }
    append(table, body);
  }

  return { element: c.root, update };
}
