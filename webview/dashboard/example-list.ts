// The examples of one cell of a dashboard chart (the run comparison's grid, the data map) as a line saying how
// many there are and one button per listed example that opens it in the example panel: the charts' text
// alternative and their keyboard path. Labels are numbers the host computed, written as text.
import { append, clear, el } from '../shared/dom';
import { count } from './charts';
import type { WebviewMessage } from './protocol';

export function showExampleList(
  container: HTMLElement,
  heading: string,
  total: number,
  examples: { index: number; label: string }[],
  post: (m: WebviewMessage) => void,
): void {
  clear(container);
  append(container, el('p', {}, `${heading}: ${count(total)} examples${total > examples.length ? ` (the first ${examples.length} listed)` : ''}.`));
  const items = el('div', { class: 'bin-items' });
  for (const e of examples) {
    append(items, el('button', { class: 'link', attrs: { type: 'button', 'data-index': String(e.index) }, on: { click: () => post({ type: 'openExample', index: e.index }) } }, `#${e.index} (${e.label})`));
  }
  append(container, items);
}
