// The selected run's checkpoints, one collapsible each: the example's numbers there, and its samples once opened.
// The selected checkpoint starts open (with those the reader opened); samples are asked for when a checkpoint is
// first opened.
import { el } from '../shared/dom';
import type { PanelContext } from './context';
import { CATEGORY_LABELS, checkpointLabel, label, percent, perplexity } from './format';
import type { CheckpointNumbers } from './protocol';

export function renderCheckpoints(ctx: PanelContext): HTMLElement {
  const x = ctx.example;
  const open = new Set(ctx.state.index === x.index && ctx.state.expanded ? ctx.state.expanded : []);
  const selected = x.checkpoints[x.selectedCheckpoint];
  if (selected) open.add(selected.id);
  const section = el('section', { class: 'checkpoints' }, el('h3', {}, 'Checkpoints of ', el('code', {}, x.runId)));
  x.checkpoints.forEach((c, m) => {
    const body = el('div', { class: 'checkpoint-body' }, numbersLine(c));
    const samples = el('div', { class: 'checkpoint-samples' });
    body.appendChild(samples);
    const item = el('vscode-collapsible', { class: 'checkpoint', attrs: { 'data-checkpoint': c.id } }, body);
    const heading = item as unknown as { heading: string; description: string; open: boolean };
    heading.heading = checkpointLabel(c);
    heading.description = `acc ${percent(c.accuracy)} · PreMemAcc ${percent(c.preMemAccuracy)} · ${label(CATEGORY_LABELS, c.category)}${m === x.selectedCheckpoint ? ' · selected' : ''}`;
    let loaded = false;
    const load = () => {
      if (loaded) return;
      loaded = true;
      if (c.hasTexts) ctx.samplesInto(samples, x.run, m);
      else samples.appendChild(el('p', { class: 'muted no-texts' }, c.samples ? 'Sample texts are not in this run log.' : 'Not sampled at this checkpoint.'));
    };
    if (open.has(c.id)) {
      heading.open = true;
      load();
    }
    item.addEventListener('vsc-collapsible-toggle', (e) => {
      const isOpen = (e as CustomEvent<{ open: boolean }>).detail.open;
      if (isOpen) {
        open.add(c.id);
        load();
      } else open.delete(c.id);
      ctx.saveState({ index: x.index, expanded: [...open] });
    });
    section.appendChild(item);
  });
  return section;
}

export function numbersLine(c: CheckpointNumbers): HTMLElement {
  return el(
    'p',
    { class: 'checkpoint-numbers' },
    `accuracy ${percent(c.accuracy)} · perplexity ${perplexity(c.perplexity)} · masked accuracy ${percent(c.maskedAccuracy)} · ` +
      `PreMemAcc ${percent(c.preMemAccuracy)} · ${label(CATEGORY_LABELS, c.category)} · ${c.samples} samples`,
  );
}
