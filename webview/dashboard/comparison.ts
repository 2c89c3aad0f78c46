// Panel "Run comparison": the selected run and checkpoint (A) against a chosen one (B), as `premem compare` gives
// it: counts per PreMemAcc-bucket, learned and memorization transition, and the A-vs-B PreMemAcc grid. Clicking a
// cell lists its examples; each opens in the example panel.
import { append, clear, el } from '../shared/dom';
import { card } from './card';
import { plotArea, verticalTitle } from './plot-area';
import { count, fmt3 } from './charts';
import { COMPARISON_BINS, type ComparisonCellMessage, type ComparisonMessage, type WebviewMessage } from './protocol';
import { type Theme, withAlpha } from './theme';

export type CompareWith = { run: number; checkpoint: number } | null;

const BUCKETS = ['fragile', 'at-risk', 'robust'] as const;
const CSS_SIZE = 300;
const MARGIN = { left: 40, bottom: 34, top: 8, right: 8 };

export function createComparisonPanel(post: (m: WebviewMessage) => void, theme: () => Theme, saved: CompareWith, onChange: (b: CompareWith) => void) {
  let runs: { id: string; checkpoints: string[] }[] = [];
  let chosen = saved;
  let data: ComparisonMessage | null = null;
  const c = card('comparison', 'Run comparison', post, []);
  const runSelect = el('select', { attrs: { id: 'compare-run', 'aria-label': 'Run B' } });
  const checkpointSelect = el('select', { attrs: { id: 'compare-checkpoint', 'aria-label': 'Checkpoint B' } });
  const transitions = el('div', { attrs: { id: 'comparison-transitions' } });
  const canvas = el('canvas', { class: 'comparison-grid', attrs: { id: 'comparison-canvas', role: 'img', tabindex: '0' } });
  const cellList = el('div', { class: 'bin-list', attrs: { id: 'comparison-cell' } });
  append(c.body, el('div', { class: 'toolbar' }, el('label', {}, 'B: run ', runSelect), el('label', {}, 'checkpoint ', checkpointSelect)), transitions, canvas, cellList);
  const choose = (b: CompareWith) => {
    chosen = b;
    onChange(b);
    clear(cellList);
    post({ type: 'compareWith', b });
  };
  runSelect.addEventListener('change', () => {
    const run = Number(runSelect.value);
    choose(run < 0 ? null : { run, checkpoint: runs[run].checkpoints.length - 1 });
  });
  checkpointSelect.addEventListener('change', () => chosen && choose({ run: chosen.run, checkpoint: Number(checkpointSelect.value) }));
  canvas.addEventListener('click', (e) => {
    const at = cellAt(e);
    if (at) post({ type: 'compareCell', a: at.a, b: at.b });
  });
  new ResizeObserver(() => draw()).observe(c.body);

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
    data = next;
    clear(c.summary);
    clear(transitions);
    if (!next) {
      append(c.summary, 'Choose a run and checkpoint B to compare the selected one (A) with: what flipped between them, example by example.');
      canvas.hidden = true;
      return;
    }
    canvas.hidden = false;
    append(c.summary, `A: ${next.a.run} at ${next.a.checkpoint} · B: ${next.b.run} at ${next.b.checkpoint} · ${count(next.compared)} examples compared (members of both, scored at both).`);
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
    draw();
  }

  const plot = (width: number, height: number, dpr: number) => plotArea(MARGIN, width, height, dpr);

  function draw(): void {
    if (!data || canvas.hidden) return;
    const t = theme();
    const dpr = window.devicePixelRatio || 1;
    const size = Math.round(Math.min(CSS_SIZE, Math.max(120, c.body.clientWidth)) * dpr);
    canvas.width = size;
    canvas.height = size;
    canvas.style.width = `${size / dpr}px`;
    canvas.style.height = `${size / dpr}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = t.background;
    ctx.fillRect(0, 0, size, size);
    const p = plot(size, size, dpr);
    const cell = { w: p.width / COMPARISON_BINS, h: p.height / COMPARISON_BINS };
    const most = Math.max(1, ...data.grid.flat());
    ctx.font = `${10 * dpr}px ${t.font}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let a = 0; a < COMPARISON_BINS; a++) {
      for (let b = 0; b < COMPARISON_BINS; b++) {
        const n = data.grid[a][b];
        if (!n) continue;
        // x: A's PreMemAcc, y: B's upwards; the diagonal is "unchanged".
        const x = p.left + a * cell.w;
        const y = p.top + (COMPARISON_BINS - 1 - b) * cell.h;
        ctx.fillStyle = withAlpha(t.memorized, 0.15 + (0.85 * Math.log1p(n)) / Math.log1p(most));
        ctx.fillRect(x + dpr, y + dpr, cell.w - 2 * dpr, cell.h - 2 * dpr);
      }
    }
    ctx.strokeStyle = t.grid;
    ctx.strokeRect(p.left, p.top, p.width, p.height);
    ctx.beginPath();
    ctx.moveTo(p.left, p.top + p.height);
    ctx.lineTo(p.left + p.width, p.top);
    ctx.stroke();
    ctx.fillStyle = t.foreground;
    for (const v of [0, 0.5, 1]) {
      ctx.fillText(String(v), p.left + v * p.width, p.top + p.height + 8 * dpr);
      ctx.fillText(String(v), p.left - 12 * dpr, p.top + (1 - v) * p.height);
    }
    ctx.fillText('PreMemAcc at A', p.left + p.width / 2, p.top + p.height + 24 * dpr);
    verticalTitle(ctx, 'PreMemAcc at B', 8 * dpr, p.top + p.height / 2);
    canvas.setAttribute('aria-label', `PreMemAcc at A against B for ${count(data.compared)} examples; click a cell to list its examples`);
    canvas.dataset.drawn = '1';
  }

  function cellAt(e: MouseEvent): { a: number; b: number } | undefined {
    const rect = canvas.getBoundingClientRect();
    const p = plot(rect.width, rect.height, 1);
    const fx = (e.clientX - rect.left - p.left) / p.width;
    const fy = (e.clientY - rect.top - p.top) / p.height;
    if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return undefined;
    return { a: Math.floor(fx * COMPARISON_BINS), b: COMPARISON_BINS - 1 - Math.floor(fy * COMPARISON_BINS) };
  }

  function showCell(m: ComparisonCellMessage): void {
    clear(cellList);
    const range = (bin: number) => `${(bin / COMPARISON_BINS).toFixed(1)}–${((bin + 1) / COMPARISON_BINS).toFixed(1)}`;
    append(cellList, el('p', {}, `PreMemAcc ${range(m.a)} at A, ${range(m.b)} at B: ${count(m.total)} examples${m.total > m.examples.length ? ` (the first ${m.examples.length} listed)` : ''}.`));
    const items = el('div', { class: 'bin-items' });
    append(cellList, items);
    for (const e of m.examples) {
      append(items, el('button', { class: 'link', attrs: { type: 'button', 'data-index': String(e.index) }, on: { click: () => post({ type: 'openExample', index: e.index }) } }, `#${e.index} (${fmt3(e.preMemA)} → ${fmt3(e.preMemB)})`));
    }
  }

  return { element: c.root, setRuns, update, showCell, retheme: () => draw(), chosen: () => chosen };
}
