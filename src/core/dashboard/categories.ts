// Beside the heatmap: how many of the run's examples are incorrect, correct (own trace) or memorized at each
// checkpoint (the stacked bars of the paper's learning-progression figures).
import { CATEGORY_NAMES, type CategoryName } from '../metrics/dynamics';

export interface CategoryStacks {
  checkpoints: string[];
  /** counts[category][checkpoint], categories in CATEGORY_NAMES order. */
  counts: Record<CategoryName, number[]>;
  /** Examples counted per checkpoint: the run's members scored at some checkpoint. */
  total: number;
  /** The run's members, scored or not. */
  members: number;
  /** The selected checkpoint, which the summary speaks of (as every other card does). */
  selected: number;
}

export function categoryStacks(category: readonly Uint8Array[], members: Int32Array, checkpointIds: readonly string[], selected: number, allMembers = members.length): CategoryStacks {
  const counts = Object.fromEntries(CATEGORY_NAMES.map((name) => [name, new Array<number>(category.length).fill(0)])) as Record<CategoryName, number[]>;
  const perCategory = CATEGORY_NAMES.map((name) => counts[name]);
  category.forEach((cat, m) => {
    const tally = new Uint32Array(4);
    for (let k = 0; k < members.length; k++) tally[cat[members[k]] & 3]++;
    for (let c = 0; c < 4; c++) perCategory[c][m] = tally[c];
  });
  return { checkpoints: [...checkpointIds], counts, total: members.length, members: allMembers, selected };
}

const share = (n: number, total: number) => `${total ? ((100 * n) / total).toFixed(1) : '0.0'}%`;

/** The card's sentence about the selected checkpoint. */
export function categoriesSummary(s: CategoryStacks): string {
  const m = s.selected;
  const of = (name: CategoryName) => share(s.counts[name][m], s.total);
  const n = (x: number) => x.toLocaleString('en-US');
  const counted = s.total < s.members ? `${n(s.total)} of ${n(s.members)} examples of the selected run scored, shown here` : `${n(s.total)} examples of the selected run`;
  return `${counted}. At ${s.checkpoints[m]}: ${of('memorized')} memorized, ${of('correct')} correct with their own trace, ${of('incorrect')} incorrect.`;
}
