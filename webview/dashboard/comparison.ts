// Panel "Run comparison": the selected run and checkpoint (A) against a chosen one (B), as `premem compare` gives
// it: counts per PreMemAcc-bucket, learned and memorization transition, and the A-vs-B PreMemAcc scatter with one
// point per example (a click opens it). Below it, the same examples counted on a 10 × 10 grid as a table: the
// scatter's text alternative, whose cells list their examples, each opening in the example panel.
import { append, clear, el } from '../shared/dom';
import { card } from './card';
import { count, fmt3 } from './charts';
import { showExampleList } from './example-list';
import { COMPARISON_BINS, type ComparisonCellMessage, type ComparisonMessage, type WebviewMessage } from './protocol';
import { createScatterCanvas } from './scatter-canvas';
import type { Theme } from './theme';

export type CompareWith = { run: number; checkpoint: number } | null;

const BUCKETS = ['fragile', 'at-risk', 'robust'] as const;
/** A bin of the grid as a PreMemAcc range, e.g. "0.9–1.0". */
const binRange = (bin: number) => `${(bin / COMPARISON_BINS).toFixed(1)}–${((bin + 1) / COMPARISON_BINS).toFixed(1)}`;

export function createComparisonPanel(post: (m: WebviewMessage) => void, theme: () => Theme, saved: CompareWith, onChange: (b: CompareWith) => void) {
  let runs: { id: string; checkpoints: string[] }[] = [];
  let chosen = saved;
  const c = card('comparison', 'Run comparison', post, []);
  const runSelect = el('select', { attrs: { id: 'compare-run', 'aria-label': 'Run B' } });
  const checkpointSelect = el('select', { attrs: { id: 'compare-checkpoint', 'aria-label': 'Checkpoint B' } });
  const transitions = el('div', { attrs: { id: 'comparison-transitions' } });
  const scatter = createScatterCanvas(theme, (index) => post({ type: 'openExample', index }));
  const gridTable = el('table', { class: 'overlaps comparison-grid', attrs: { id: 'comparison-grid-table' } });
  const gridDetails = el('details', { attrs: { id: 'comparison-grid' } }, el('summary', {}, 'Examples per 0.1 × 0.1 cell (the scatter as a table)'), gridTable);
  const cellList = el('div', { class: 'bin-list', attrs: { id: 'comparison-cell', 'aria-live': 'polite' } });
  const chart = el('div', {}, scatter.element, gridDetails, cellList);
  append(c.body, el('div', { class: 'toolbar' }, el('label', {}, 'B: run ', runSelect), el('label', {}, 'checkpoint ', checkpointSelect)), transitions, chart);
  const choose = (b: CompareWith) => {
    chosen = b;
    showChoice();
    onChange(b);
    clear(cellList);
    post({ type: 'compareWith', b });
  };
  runSelect.addEventListener('change', () => {
    const run = Number(runSelect.value);
    choose(run < 0 ? null : { run, checkpoint: runs[run].checkpoints.length - 1 });
  });
  checkpointSelect.addEventListener('change', () => chosen && choose({ run: chosen.run, checkpoint: Number(checkpointSelect.value) }));
  new ResizeObserver(() => scatter.redraw()).observe(c.body);

  /** The runs to choose B from (the model's), keeping the choice while it exists. */
  function setRuns(next: { id: string; checkpoints: string[] }[]): void {
    const same = next.length === runs.length && next.every((r, i) => r.id === runs[i].id && r.checkpoints.length === runs[i].checkpoints.length);
    runs = next;
    if (same) return;
    clear(runSelect);
    append(runSelect, el('option', { attrs: { value: '-1' } }, '— none —'));
    runs.forEach((r, i) => append(runSelect, el('option', { attrs: { value: String(i) } }, r.id)));
    if (chosen && (chosen.run >= runs.length || chosen.checkpoint >= runs[chosen.run].checkpoints.length)) chosen = null;
    showChoice();
  }

  function showChoice(): void {
    runSelect.value = String(chosen?.run ?? -1);
    clear(checkpointSelect);
    checkpointSelect.disabled = !chosen;
    if (chosen) runs[chosen.run].checkpoints.forEach((id, m) => append(checkpointSelect, el('option', { attrs: { value: String(m) } }, id)));
    if (chosen) checkpointSelect.value = String(chosen.checkpoint);
  }

  function update(next: ComparisonMessage | null): void {
    clear(c.summary);
    clear(transitions);
    if (!next) {
      append(c.summary, 'Choose a run and checkpoint B to compare the selected one (A) with: what flipped between them, example by example.');
      chart.hidden = true;
      scatter.setPoints(undefined);
      return;
    }
    chart.hidden = false;
    append(
      c.summary,
      `A: ${next.a.run} at ${next.a.checkpoint} · B: ${next.b.run} at ${next.b.checkpoint} · ${count(next.compared)} examples compared (members of both, scored at both). ` +
        'Points off the diagonal changed PreMemAcc; each is moved a little (the same way every time) so that examples with equal values do not hide each other.',
    );
    const head = el('tr', {}, el('th', {}, 'A \\ B'), ...BUCKETS.map((b) => el('th', {}, b)));
    const body = BUCKETS.map((a) => el('tr', {}, el('th', {}, a), ...BUCKETS.map((b) => el('td', { class: 'num', attrs: { 'data-transition': `${a}->${b}` } }, count(next.counts.buckets[`${a}->${b}`] ?? 0)))));
    const l = next.counts.learned;
    const m = next.counts.memorization;
    append(
      transitions,
      el('table', { class: 'overlaps', attrs: { id: 'comparison-buckets' } }, el('thead', {}, head), el('tbody', {}, ...body)),
      el('p', { attrs: { id: 'comparison-learned' } }, `Learned: ${count(l['newly-learned'])} newly, ${count(l.forgotten)} forgotten, ${count(l['stayed-learned'])} stayed learned, ${count(l['stayed-unlearned'])} stayed unlearned.`),
      el(
        'p',
        {},
        `First memorized: ${count(m.earlier)} earlier in B, ${count(m.later)} later, ${count(m.same)} at the same step, ${count(m['only-a'])} only in A, ${count(m['only-b'])} only in B, ${count(m.never)} never.`,
      ),
    );
    showGrid(next.grid);
    scatter.setPoints({ example: new Int32Array(next.example), a: new Float32Array(next.preMemA), b: new Float32Array(next.preMemB) });
  }

  /** The grid as a table, B's bins upwards as on the scatter; a non-empty cell is a button listing its examples. */
  function showGrid(grid: number[][]): void {
    clear(gridTable);
    const ascending = [...Array(COMPARISON_BINS).keys()];
    const head = el('tr', {}, el('th', { attrs: { scope: 'col' } }, 'B \\ A'), ...ascending.map((a) => el('th', { attrs: { scope: 'col' } }, binRange(a))));
    const rows = [...ascending].reverse().map((b) =>
      el(
        'tr',
        {},
        el('th', { attrs: { scope: 'row' } }, binRange(b)),
        ...ascending.map((a) => {
          const n = grid[a][b];
          const label = `${count(n)} examples with PreMemAcc ${binRange(a)} at A and ${binRange(b)} at B`;
          return el('td', { class: 'num' }, n ? el('button', { class: 'link', attrs: { type: 'button', 'data-cell': `${a},${b}`, 'aria-label': label }, on: { click: () => post({ type: 'compareCell', a, b }) } }, count(n)) : '·');
        }),
      ),
    );
    append(gridTable, el('thead', {}, head), el('tbody', {}, ...rows));
  }

  function showCell(m: ComparisonCellMessage): void {
    showExampleList(cellList, `PreMemAcc ${binRange(m.a)} at A, ${binRange(m.b)} at B`, m.total, m.examples.map((e) => ({ index: e.index, label: `${fmt3(e.preMemA)} → ${fmt3(e.preMemB)}` })), post);
  }

  return { element: c.root, setRuns, update, showCell, retheme: () => scatter.redraw(), chosen: () => chosen };
}
