// Two runs, or two checkpoints, side by side for the same example: numbers and samples of each.
import { el } from '../shared/dom';
import { numbersLine } from './checkpoints';
import type { PanelContext } from './context';
import { type Choice, select } from './elements';
import { parsePointKey, pointKey } from './state';
import { shortRunNames } from '../shared/format';

export function renderCompare(ctx: PanelContext): HTMLElement {
  const x = ctx.example;
  const valid = (key: string | undefined) => {
    const p = parsePointKey(key);
    return p !== undefined && x.runs[p.run]?.checkpoints[p.checkpoint] !== undefined;
  };
  let left = valid(ctx.state.compareLeft) ? ctx.state.compareLeft! : pointKey(x.run, x.selectedCheckpoint);
  let right = valid(ctx.state.compareRight) ? ctx.state.compareRight! : '';
  const columns = el('div', { class: 'compare-columns' });
  const redraw = () => {
    columns.replaceChildren();
    if (!right) return;
    columns.append(column(ctx, left), column(ctx, right));
  };
  const leftPicker = pointPicker(ctx, 'left', left, false, (v) => {
    left = v;
    ctx.saveState({ compareLeft: v });
    redraw();
  });
  const rightPicker = pointPicker(ctx, 'right', right, true, (v) => {
    right = v;
    ctx.saveState({ compareRight: v });
    redraw();
  });
  redraw();
  return el(
    'section',
    { class: 'compare' },
    el('h3', {}, 'Compare side by side'),
    el('div', { class: 'compare-pickers' }, leftPicker, el('span', { class: 'muted' }, 'with'), rightPicker),
    columns,
  );
}

/**
 * A run picker and a checkpoint picker for one side (two short lists instead of one of every run's every
 * checkpoint, whose long shared prefixes cut every entry alike). `canBeOff`: the run list starts with "nothing".
 */
function pointPicker(ctx: PanelContext, side: string, value: string, canBeOff: boolean, onChange: (key: string) => void): HTMLElement {
  const runs = ctx.example.runs;
  const names = shortRunNames(runs.map((r) => r.id));
  let point = parsePointKey(value);
  const box = el('span', { class: 'compare-point', attrs: { 'data-side': side } });
  const runChoices: Choice[] = runs.map((r, k) => ({ value: String(k), label: names[k], description: r.id === names[k] ? undefined : r.id }));
  if (canBeOff) runChoices.unshift({ value: '', label: '(nothing: comparison off)' });
  const checkpoints = (run: number, checkpoint: number) =>
    select(
      runs[run].checkpoints.map((c, m) => ({ value: String(m), label: c.id })),
      String(checkpoint),
      (m) => {
        point = { run, checkpoint: Number(m) };
        onChange(pointKey(run, point.checkpoint));
      },
      `Checkpoint, ${side} side of the comparison`,
    );
  let checkpointSelect = point ? checkpoints(point.run, point.checkpoint) : undefined;
  const runSelect = select(runChoices, point ? String(point.run) : '', (v) => {
    const next = v === '' ? undefined : Number(v);
    // Another run keeps the checkpoint position when it has one, else takes its last checkpoint.
    const m = next === undefined ? 0 : Math.min(point?.checkpoint ?? Infinity, runs[next].checkpoints.length - 1);
    const fresh = next === undefined ? undefined : checkpoints(next, m);
    if (checkpointSelect && fresh) checkpointSelect.replaceWith(fresh);
    else if (checkpointSelect) checkpointSelect.remove();
    else if (fresh) box.append(fresh);
    checkpointSelect = fresh;
    point = next === undefined ? undefined : { run: next, checkpoint: m };
    onChange(next === undefined ? '' : pointKey(next, m));
  }, `Run, ${side} side of the comparison`);
  runSelect.classList.add('compare-run');
  box.append(runSelect);
  if (checkpointSelect) box.append(checkpointSelect);
  return box;
}

function column(ctx: PanelContext, key: string): HTMLElement {
  const point = parsePointKey(key)!;
  const run = ctx.example.runs[point.run];
  const col = el('div', { class: 'compare-column', attrs: { 'data-point': key } }, el('h4', {}, el('code', {}, run.id), ` · ${run.checkpoints[point.checkpoint].id}`));
  const numbers = el('div', { class: 'compare-numbers' }, el('p', { class: 'muted' }, 'Loading…'));
  const samples = el('div', { class: 'compare-samples' });
  col.append(numbers, samples);
  ctx.numbersOf(point.run, point.checkpoint, (n) => {
    numbers.replaceChildren(n ? numbersLine(n) : el('p', { class: 'muted' }, 'Not scored.'));
    if (n?.hasTexts) ctx.samplesInto(samples, point.run, point.checkpoint);
    else if (n) samples.replaceChildren(el('p', { class: 'muted no-texts' }, 'Sample texts are not in this run log.'));
  });
  return col;
}
