// The top of the panel: which example, its query and target, its numbers in the selected run.
import { el } from '../shared/dom';
import { actionLink } from './elements';
import { BUCKET_LABELS, label, percent, TRAJECTORY_LABELS } from './format';
import type { PanelContext } from './context';
import { textElement } from './text';

export function renderHeader(ctx: PanelContext): HTMLElement {
  const x = ctx.example;
  const title = el(
    'div',
    { class: 'title-row' },
    el('h2', {}, `Example ${x.index + 1}`),
    el('span', { class: 'muted' }, `line ${x.line} · key `, textElement('code', 'key', x.key)),
    actionLink('Reveal in dataset', () => ctx.post({ type: 'reveal', index: x.index })),
    actionLink('Settings', () => ctx.post({ type: 'openSettings' }), 'PreMem settings (the author recorded with flags, marks, annotations)'),
  );
  const numbers = el(
    'dl',
    { class: 'numbers' },
    term('PreMemAcc', el('span', { class: `premem ${x.bucket}` }, percent(x.preMemAccuracy), ' · ', label(BUCKET_LABELS, x.bucket))),
    term('Trajectory', label(TRAJECTORY_LABELS, x.trajectory)),
    term('First memorized', x.firstMemorized ?? 'never'),
    term(
      'Run',
      el('span', {}, textElement('code', 'run-id', x.runId), ' at ', x.checkpoints[x.selectedCheckpoint]?.id ?? '–', ' '),
      actionLink('change…', () => ctx.post({ type: 'selectRun' }), 'Select the run and checkpoint of the whole session'),
    ),
    term('Threshold', `p = ${x.p.toFixed(4)} · fragile at PreMemAcc ≤ ${x.t}`),
    x.member ? null : term('Note', 'the run did not train on this example'),
  );
  // Training-dynamics signals at the selected checkpoint (docs/signals.md), one short term each.
  const signals = x.signals.length ? el('dl', { class: 'numbers signals', attrs: { 'aria-label': 'Training-dynamics signals' } }, ...x.signals.map((s) => term(s.label, s.value))) : null;
  const target = el('div', { class: 'target-block' }, textElement('pre', 'mono target', x.target));
  return el(
    'header',
    { class: 'example-header' },
    title,
    el('h3', {}, 'Question'),
    textElement('pre', 'mono query', x.query),
    el('h3', {}, 'Target trace ', el('span', { class: 'muted' }, 'final answer '), x.targetAnswer === null ? el('span', { class: 'muted' }, 'none found') : textElement('code', 'target-answer', x.targetAnswer)),
    target,
    numbers,
    signals,
  );
}

function term(name: string, ...value: (Node | string | null)[]): HTMLElement {
  return el('div', { class: 'term' }, el('dt', {}, name), el('dd', {}, ...value));
}
