// The dataset table webview: toolbar (filter, bucket, flagged only, go to line, jump to last), a sortable
// header, the virtually scrolled rows and a detail pane for the selected record. Rows come from the host in
// windows; everything from the dataset is set with textContent.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { clear, el } from '../shared/dom';
import { connect } from '../shared/vscode-api';
import { BUCKETS, type HostMessage, isHostMessage, MAX_FILTER_TEXT, type SortColumn, type TableRow, type ViewInfo, type ViewQuery, type WebviewMessage } from './protocol';
import { VirtualScroller } from './scroller';

interface SavedState {
  query: ViewQuery;
  firstRow: number;
  selected: number;
}

type FormElement = HTMLElement & { value: string };
type CheckboxElement = HTMLElement & { checked: boolean; disabled: boolean };
type ProgressElement = HTMLElement & { value?: number; indeterminate: boolean };

const vscode = connect<WebviewMessage, HostMessage, SavedState>(isHostMessage);
const saved = vscode.getState();

const BUCKET_LABELS: Record<(typeof BUCKETS)[number], string> = {
  fragile: 'Fragile',
  'at-risk': 'At risk',
  robust: 'Robust',
  'not-scored': 'Not scored',
};
const COLUMNS: { id: string; label: string; sort?: SortColumn; title?: string }[] = [
  { id: 'line', label: 'Line', sort: 'line' },
  { id: 'key', label: 'Key' },
  { id: 'query', label: 'Query' },
  { id: 'premem', label: 'PreMemAcc', sort: 'preMem', title: 'Pre-memorization accuracy at the selected run and checkpoint' },
  { id: 'trajectory', label: 'Trajectory', sort: 'trajectory' },
  { id: 'flag', label: 'Flag' },
];
const CACHED_ROWS = 5000;

let view: ViewInfo | undefined;
// A query saved before the "differs only" filter existed lacks its field.
let query: ViewQuery = saved?.query
  ? { ...saved.query, differsOnly: saved.query.differsOnly ?? false }
  : { sort: { column: 'line', descending: false }, text: '', buckets: [], flaggedOnly: false, differsOnly: false };
let rows = new Map<number, TableRow>();
let pendingRestore: SavedState | undefined = saved;
let selectedIndex: number | null = null;

// ---- layout ----------------------------------------------------------------------------------------------

const app = document.getElementById('app')!;
app.className = 'table-app';

const filterField = el('vscode-textfield', { class: 'filter', attrs: { placeholder: 'Query contains…', 'aria-label': 'Filter: query contains', maxlength: String(MAX_FILTER_TEXT) } }) as FormElement;
const bucketSelect = el(
  'vscode-single-select',
  { class: 'bucket', attrs: { 'aria-label': 'Bucket' } },
  el('vscode-option', { attrs: { value: '' } }, 'Any bucket'),
  ...BUCKETS.map((b) => el('vscode-option', { attrs: { value: b } }, BUCKET_LABELS[b])),
) as FormElement;
const flaggedBox = el('vscode-checkbox', { attrs: { label: 'Flagged only' } }, 'Flagged only') as CheckboxElement;
const differsBox = el('vscode-checkbox', { attrs: { label: 'Differs from B', title: 'Only examples that differ from the run and checkpoint chosen with PreMem: Compare With…' } }, 'Differs from B') as CheckboxElement;
const gotoField = el('vscode-textfield', { class: 'goto', attrs: { placeholder: 'Go to line…', 'aria-label': 'Go to line', inputmode: 'numeric' } }) as FormElement;
const lastButton = el('vscode-button', { attrs: { secondary: '' } }, 'Jump to last');
const toolbar = el('div', { class: 'toolbar' }, filterField, bucketSelect, flaggedBox, differsBox, el('span', { class: 'spacer-flex' }), gotoField, lastButton);

const summary = el('span', { class: 'summary' });
const notice = el('span', { class: 'notice' });
const progress = el('vscode-progress-bar', { class: 'progress' }) as ProgressElement;
const busyText = el('span', { class: 'busy-text' });
const cancelButton = el('vscode-button', { attrs: { secondary: '' } }, 'Cancel');
const busy = el('span', { class: 'busy' }, busyText, cancelButton);
busy.hidden = true;
progress.hidden = true;
const statusBar = el('div', { class: 'status' }, summary, busy, notice);

const header = el('div', { class: 'row header', attrs: { role: 'row', 'aria-rowindex': '1' } });
const headerCells = new Map<string, HTMLElement>();
for (const c of COLUMNS) {
  const cell = el('div', { class: `cell ${c.id}${c.sort ? ' sortable' : ''}`, title: c.title ?? c.label, attrs: { role: 'columnheader' } }, c.label);
  if (c.sort) {
    const column = c.sort;
    cell.tabIndex = 0;
    cell.addEventListener('click', () => toggleSort(column));
    cell.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggleSort(column);
      }
    });
  }
  headerCells.set(c.id, cell);
  header.appendChild(cell);
}

const scroller = new VirtualScroller({
  createRow: () => {
    const row = el('div', { class: 'row', attrs: { role: 'row' } });
    for (const c of COLUMNS) row.appendChild(el('div', { class: `cell ${c.id}`, attrs: { role: 'gridcell' } }));
    return row;
  },
  hasRow: (r) => rows.has(r),
  renderRow,
  requestRows: (start, end) => {
    if (view) vscode.post({ type: 'rows', viewId: view.viewId, start, end });
  },
  selectionChanged: (row, open) => {
    selectedIndex = rows.get(row)?.index ?? null;
    scheduleSelect(row, open);
    saveState();
  },
  scrolled: () => saveState(),
});
const empty = el('div', { class: 'empty muted' });
empty.hidden = true;
const tableBox = el('div', { class: 'table' }, header, scroller.element, empty);

const detailTitle = el('div', { class: 'detail-title' });
const detailQuery = el('div', { class: 'mono detail-text' });
const detailTarget = el('div', { class: 'mono detail-text' });
const detailHint = el('div', { class: 'muted' }, 'Select a row to read its record (arrows, Page Up/Down, Home/End; Enter or a click shows it in the other views).');
const detailBody = el('div', {}, detailTitle, el('div', { class: 'detail-label muted' }, 'Query'), detailQuery, el('div', { class: 'detail-label muted' }, 'Target'), detailTarget);
detailBody.hidden = true;
// Always there, at a fixed height, so selecting a row never resizes the table under the pointer.
const detail = el('div', { class: 'detail', attrs: { 'aria-live': 'polite' } }, detailHint, detailBody);

const loadingText = el('div', { class: 'loading-text' }, 'Indexing…');
const loadingBar = el('vscode-progress-bar') as ProgressElement;
const loading = el('div', { class: 'loading' }, loadingText, loadingBar);
const failure = el('div', { class: 'failure' });
failure.hidden = true;

const main = el('div', { class: 'main' }, toolbar, progress, statusBar, tableBox, detail);
main.hidden = true;
app.append(loading, failure, main);

// ---- rows ------------------------------------------------------------------------------------------------

function renderRow(element: HTMLElement, r: number): void {
  const data = rows.get(r);
  const cells = element.children as HTMLCollectionOf<HTMLElement>;
  element.classList.toggle('pending', !data);
  element.dataset.bucket = data?.bucket ?? '';
  if (!data) {
    for (let k = 0; k < cells.length; k++) cells[k].textContent = k === 0 ? '…' : '';
    return;
  }
  setText(cells[0], data.line.toLocaleString('en-US'));
  setText(cells[1], data.key);
  setText(cells[2], data.preview);
  setText(cells[3], data.preMem);
  setText(cells[4], data.trajectory);
  setText(cells[5], data.flag);
  cells[1].title = data.key;
  cells[2].title = data.preview;
  cells[4].title = data.trajectory;
  cells[5].title = data.flag;
  cells[3].className = `cell premem ${data.bucket}`;
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function storeRows(start: number, list: TableRow[]): void {
  list.forEach((row, k) => rows.set(start + k, row));
  // Oldest first in a Map: drop those beyond the cap.
  if (rows.size > CACHED_ROWS) {
    const excess = rows.size - CACHED_ROWS;
    let k = 0;
    for (const key of rows.keys()) {
      if (k++ >= excess) break;
      rows.delete(key);
    }
  }
}

// ---- host messages -----------------------------------------------------------------------------------------

vscode.onMessage((m) => {
  switch (m.type) {
    case 'loading':
      showOnly(loading);
      loadingText.textContent = m.message;
      setProgress(loadingBar, m.fraction);
      return;
    case 'failed':
      showOnly(failure);
      clear(failure);
      failure.append(el('div', { class: 'failure-title' }, 'This dataset cannot be shown.'), el('div', { class: 'mono' }, m.message));
      return;
    case 'view':
      applyView(m);
      return;
    case 'rows':
      if (!view || m.viewId !== view.viewId) return;
      storeRows(m.start, m.rows);
      if (scroller.selection >= m.start && scroller.selection < m.start + m.rows.length) selectedIndex = rows.get(scroller.selection)!.index;
      scroller.refresh();
      return;
    case 'busy':
      busy.hidden = false;
      progress.hidden = false;
      busyText.textContent = m.message;
      setProgress(progress, m.fraction);
      return;
    case 'idle':
      busy.hidden = true;
      progress.hidden = true;
      notice.textContent = m.message;
      return;
    case 'reveal':
      if (view && m.viewId === view.viewId) scroller.select(m.row, { align: 'center', notify: true });
      return;
    case 'detail':
      showDetail(m.detail);
      return;
    case 'notice':
      notice.textContent = m.message;
      return;
  }
});

function applyView(next: ViewInfo): void {
  const sameQuery = view !== undefined && JSON.stringify(view.query) === JSON.stringify(next.query);
  const first = view === undefined;
  view = next;
  query = next.query;
  rows = new Map();
  showOnly(main);
  syncControls();
  summary.textContent = summaryText(next);
  if (next.notice) notice.textContent = next.notice;
  empty.hidden = next.rowCount > 0;
  empty.textContent = next.datasetSize === 0 ? 'The dataset has no records.' : 'No records match the filter.';
  scroller.setRowCount(next.rowCount, sameQuery);
  if (first && pendingRestore && JSON.stringify(pendingRestore.query) === JSON.stringify(next.query)) {
    const restore = pendingRestore;
    pendingRestore = undefined;
    scroller.reveal(restore.firstRow, 'top');
    if (restore.selected >= 0 && restore.selected < next.rowCount) scroller.select(restore.selected, { notify: true });
  }
  saveState();
}

function summaryText(v: ViewInfo): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const records = v.rowCount === v.datasetSize ? `${n(v.datasetSize)} records` : `${n(v.rowCount)} of ${n(v.datasetSize)} records`;
  const scores = v.scored ? `PreMemAcc of ${v.scoreLabel}` : 'no scores (not the dataset of the open runs)';
  return `${records} · ${scores}`;
}

function syncControls(): void {
  if (document.activeElement !== filterField && filterField.value !== query.text) filterField.value = query.text;
  bucketSelect.value = query.buckets[0] ?? '';
  flaggedBox.checked = query.flaggedOnly;
  flaggedBox.disabled = !view?.hasFlags;
  differsBox.checked = query.differsOnly;
  differsBox.disabled = !view?.compareLabel;
  differsBox.textContent = view?.compareLabel ? `Differs from ${view.compareLabel}` : 'Differs from B';
  for (const c of COLUMNS) {
    const cell = headerCells.get(c.id)!;
    const active = c.sort === query.sort.column;
    cell.dataset.sort = active ? (query.sort.descending ? 'descending' : 'ascending') : '';
    cell.setAttribute('aria-sort', active ? (query.sort.descending ? 'descending' : 'ascending') : 'none');
    const disabled = !!c.sort && c.sort !== 'line' && !view?.scored;
    cell.classList.toggle('disabled', disabled);
    cell.title = disabled ? 'No scores: open this dataset with its runs to sort by them' : (c.title ?? c.label);
  }
}

function showOnly(part: HTMLElement): void {
  for (const p of [loading, failure, main]) p.hidden = p !== part;
}

function setProgress(bar: ProgressElement, fraction: number | null): void {
  bar.indeterminate = fraction === null;
  bar.value = fraction === null ? undefined : fraction * 100;
}

function showDetail(d: { line: number; key: string; query: string; target: string; truncated: boolean }): void {
  detailHint.hidden = true;
  detailBody.hidden = false;
  detailTitle.textContent = `Line ${d.line.toLocaleString('en-US')} · ${d.key}${d.truncated ? ' (cut for display)' : ''}`;
  detailQuery.textContent = d.query;
  detailTarget.textContent = d.target;
}

// ---- controls ----------------------------------------------------------------------------------------------

function sendQuery(next: ViewQuery): void {
  query = next;
  notice.textContent = '';
  vscode.post({ type: 'query', query: next, focus: selectedIndex });
  saveState();
}

function toggleSort(column: SortColumn): void {
  if (column !== 'line' && !view?.scored) return;
  const descending = query.sort.column === column ? !query.sort.descending : false;
  sendQuery({ ...query, sort: { column, descending } });
}

let filterTimer: number | undefined;
filterField.addEventListener('input', () => {
  window.clearTimeout(filterTimer);
  filterTimer = window.setTimeout(applyFilterText, 400);
});
filterField.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key === 'Enter') applyFilterText();
  else if (e.key === 'Escape' && filterField.value) {
    filterField.value = '';
    applyFilterText();
  }
});
function applyFilterText(): void {
  window.clearTimeout(filterTimer);
  const text = filterField.value.slice(0, MAX_FILTER_TEXT);
  if (text !== query.text) sendQuery({ ...query, text });
}

bucketSelect.addEventListener('change', () => {
  const value = bucketSelect.value;
  const buckets = (BUCKETS as readonly string[]).includes(value) ? [value as (typeof BUCKETS)[number]] : [];
  sendQuery({ ...query, buckets });
});
flaggedBox.addEventListener('change', () => sendQuery({ ...query, flaggedOnly: flaggedBox.checked }));
differsBox.addEventListener('change', () => sendQuery({ ...query, differsOnly: differsBox.checked }));
cancelButton.addEventListener('click', () => vscode.post({ type: 'cancel' }));

gotoField.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key !== 'Enter') return;
  const line = Number(gotoField.value.replace(/[\s,_]/g, ''));
  if (!Number.isSafeInteger(line) || line < 1) {
    notice.textContent = 'Type a line number (1 or more).';
    return;
  }
  vscode.post({ type: 'gotoLine', line });
});
lastButton.addEventListener('click', () => {
  if (!view || view.rowCount === 0) return;
  scroller.select(view.rowCount - 1, { align: 'nearest' });
  scroller.element.focus({ preventScroll: true });
});

// The detail of the selected row follows keyboard moves after a short pause; a click or Enter opens at once.
let selectTimer: number | undefined;
function scheduleSelect(row: number, open: boolean): void {
  window.clearTimeout(selectTimer);
  const send = () => view && vscode.post({ type: 'select', viewId: view.viewId, row, open });
  if (open) send();
  else selectTimer = window.setTimeout(send, 150);
}

let saveTimer: number | undefined;
function saveState(): void {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => vscode.setState({ query, firstRow: scroller.firstVisibleRow, selected: scroller.selection }), 200);
}

vscode.post({ type: 'ready', query: saved?.query ? query : null });
