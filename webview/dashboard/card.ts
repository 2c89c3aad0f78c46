// A dashboard section: heading, a line of summary text, the chart or table, and its export buttons.
import { el } from '../shared/dom';
import type { ExportName, WebviewMessage } from './protocol';

export interface CardExports {
  name: ExportName;
  /** The canvas to save as PNG (absent: the card has no picture, e.g. a table). */
  canvas?: () => HTMLCanvasElement | undefined;
  /** The data behind the chart as CSV and its row count; undefined while there is none. */
  csv: () => { csv: string; rows: number } | undefined;
}

export interface Card {
  root: HTMLElement;
  summary: HTMLElement;
  body: HTMLElement;
}

export function card(id: string, title: string, post: (m: WebviewMessage) => void, exports: CardExports[]): Card {
  const summary = el('div', { class: 'card-summary', attrs: { id: `${id}-summary`, 'aria-live': 'polite' } });
  const body = el('div', { class: 'card-body' });
  const buttons = exports.flatMap((x) => {
    const label = exports.length > 1 ? ` (${x.name})` : '';
    const out: HTMLElement[] = [];
    if (x.canvas) {
      out.push(
        el('button', {
          class: 'secondary',
          attrs: { type: 'button', 'data-export': `png-${x.name}` },
          on: {
            click: () => {
              const canvas = x.canvas?.();
              if (canvas) post({ type: 'exportPng', name: x.name, dataUrl: canvas.toDataURL('image/png') });
            },
          },
        }, `Export PNG${label}`),
      );
    }
    out.push(
      el('button', {
        class: 'secondary',
        attrs: { type: 'button', 'data-export': `csv-${x.name}` },
        on: {
          click: () => {
            const data = x.csv();
            if (data) post({ type: 'copyCsv', name: x.name, csv: data.csv, rows: data.rows });
          },
        },
      }, `Copy as CSV${label}`),
    );
    return out;
  });
  const root = el(
    'section',
    { class: 'card', attrs: { id, 'aria-labelledby': `${id}-title` } },
    el('header', {}, el('h2', { attrs: { id: `${id}-title` } }, title), el('div', { class: 'card-actions' }, ...buttons)),
    summary,
    body,
  );
  return { root, summary, body };
}

/** A fixed-height box a responsive chart can fill. */
export function chartBox(className = 'chart'): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas');
  return { box: el('div', { class: className }, canvas), canvas };
}
