// One table view of a dataset: the current filter and sort as an Int32Array of dataset indices, the cells of a
// window of its rows, and lookups between rows, examples and lines. Independent of VS Code, so it is tested
// directly and benchmarked at a million rows.
import type { Dataset } from '../model';
import type { FlagState } from '../flags/flag-store';
import { TRAJECTORY_LABELS, TRAJECTORY_NAMES } from '../metrics/dynamics';
import { BUCKET_NAMES } from '../buckets';
import { lowerBound } from '../sorted-search';
import { filterRows, inversePermutation, sortRows } from './order';
import type { RecordSource, ScanOptions } from './record-source';
import type { TableRow, ViewQuery } from './table-view';
import { textMatcher } from './text-match';

export type { TableRow, ViewQuery };

/** Per-example numbers of the selected run and checkpoint. */
export interface TableScores {
  preMem: Float64Array;
  trajectory: Uint8Array;
  /** Bucket codes (session.ts Bucket). */
  buckets: Uint8Array;
  /** What the numbers are of, e.g. "run-a · checkpoint 3". */
  label: string;
  /** The examples that differ from a compared run and checkpoint (B), and B's name; absent when none is compared. */
  differs?: { mask: Uint8Array; label: string };
}

export interface TableFlags {
  state(key: string): Pick<FlagState, 'reason'> | undefined;
  flaggedKeys(): string[];
}

export const DEFAULT_QUERY: ViewQuery = { sort: { column: 'line', descending: false }, text: '', buckets: [], flaggedOnly: false, differsOnly: false };

/** Rows of one window at most; the webview asks for what it shows plus a margin. */
export const MAX_WINDOW_ROWS = 1000;

export class TableModel {
  private current: ViewQuery = DEFAULT_QUERY;
  /** Dataset indices of the view's rows; undefined while the view is the whole dataset in file order. */
  private rows: Int32Array | undefined;
  private inverse: Int32Array | undefined;
  private textMatches: { text: string; matches: Uint8Array } | undefined;
  private flagMask: Uint8Array | undefined;

  constructor(
    readonly dataset: Dataset,
    private readonly source: RecordSource,
    private scores: TableScores | undefined,
    private flags: TableFlags | undefined,
  ) {}

  get query(): ViewQuery {
    return this.current;
  }

  get rowCount(): number {
    return this.rows ? this.rows.length : this.dataset.size;
  }

  get scored(): boolean {
    return this.scores !== undefined;
  }

  get scoreLabel(): string {
    return this.scores?.label ?? '';
  }

  /** The compared run and checkpoint (B), '' when none. */
  get compareLabel(): string {
    return this.scores?.differs?.label ?? '';
  }

  get hasFlags(): boolean {
    return this.flags !== undefined;
  }

  /** New numbers (another run, checkpoint or threshold); call apply() again to re-sort and re-filter. */
  setScores(scores: TableScores | undefined): void {
    if (scores && scores.preMem.length !== this.dataset.size) {
      throw new Error(`scores cover ${scores.preMem.length} examples, the dataset has ${this.dataset.size}`);
    }
    this.scores = scores;
  }

  setFlags(flags: TableFlags | undefined): void {
    this.flags = flags;
    this.flagMask = undefined;
  }

  /** Flags changed in the store: the flagged-only filter is recomputed by the next apply(). */
  flagsChanged(): void {
    this.flagMask = undefined;
  }

  /**
   * Filters and sorts. The text filter scans the records (progress and cancellation through `options`); its
   * result is kept, so changing only the sort or the buckets is immediate. On rejection the view is unchanged.
   */
  async apply(query: ViewQuery, options: ScanOptions = {}): Promise<void> {
    const text = query.text;
    let textMatch: Uint8Array | undefined;
    if (text) {
      if (this.textMatches?.text !== text) {
        const matches = await this.source.search(textMatcher(text), options);
        this.textMatches = { text, matches };
      }
      textMatch = this.textMatches!.matches;
    }
    const scores = this.scores;
    // Without scores every example is "not scored": a bucket filter then keeps all rows or none.
    let buckets: number[] | undefined;
    let none = false;
    if (query.buckets.length) {
      if (scores) buckets = query.buckets.map((b) => BUCKET_NAMES.indexOf(b));
      else none = !query.buckets.includes('not-scored');
    }
    const flagged = query.flaggedOnly ? this.flaggedMask() : undefined;
    const differs = query.differsOnly ? scores?.differs?.mask : undefined;
    let rows: Int32Array | undefined;
    if (none) rows = new Int32Array(0);
    else if (textMatch || flagged || differs || buckets || query.sort.column !== 'line' || query.sort.descending) {
      const kept = filterRows(this.dataset.size, { bucketOf: scores?.buckets, buckets, flagged, textMatch, differs });
      // Unscored, every PreMemAcc and trajectory is the same: those sorts keep file order.
      const sort = scores ? query.sort : { column: 'line' as const, descending: query.sort.column === 'line' && query.sort.descending };
      rows = sortRows(kept, sort, { lines: this.dataset.lines, preMem: scores?.preMem, trajectory: scores?.trajectory });
    }
    this.current = query;
    this.rows = rows;
    this.inverse = undefined;
  }

  /** The dataset index shown in row `row` of the view. */
  indexAt(row: number): number {
    if (!Number.isInteger(row) || row < 0 || row >= this.rowCount) throw new RangeError(`row ${row} is out of range 0..${this.rowCount - 1}`);
    return this.rows ? this.rows[row] : row;
  }

  /** The row showing example `index`, or -1 when the filter hides it. */
  rowOf(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.dataset.size) return -1;
    if (!this.rows) return index;
    this.inverse ??= inversePermutation(this.rows, this.dataset.size);
    return this.inverse[index];
  }

  /** The example whose record is on `line`, else the first one after it (exact: false), else the last one. */
  exampleAtLine(line: number): { index: number; exact: boolean } | undefined {
    const lines = this.dataset.lines;
    if (lines.length === 0) return undefined;
    const lo = lowerBound(lines, line);
    if (lo === lines.length) return { index: lines.length - 1, exact: false };
    return { index: lo, exact: lines[lo] === line };
  }

  /** The cells of rows [start, end) of the view (clamped to the view and to MAX_WINDOW_ROWS). */
  async window(start: number, end: number): Promise<TableRow[]> {
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(this.rowCount, Math.floor(end), from + MAX_WINDOW_ROWS);
    if (to <= from) return [];
    const indices = new Int32Array(to - from);
    for (let r = from; r < to; r++) indices[r - from] = this.indexAt(r);
    const previews = await this.source.previews(indices);
    const { scores, flags } = this;
    return Array.from(indices, (index, k) => {
      const key = this.dataset.keys[index];
      const preMem = scores?.preMem[index] ?? NaN;
      return {
        index,
        line: this.dataset.lines[index],
        key,
        preview: previews[k],
        preMem: Number.isNaN(preMem) ? '–' : preMem.toFixed(2),
        bucket: BUCKET_NAMES[scores?.buckets[index] ?? 0],
        trajectory: scores ? TRAJECTORY_LABELS[TRAJECTORY_NAMES[scores.trajectory[index]] ?? 'unscored'] : '',
        flag: flags?.state(key)?.reason ?? '',
      };
    });
  }

  private flaggedMask(): Uint8Array {
    if (this.flagMask) return this.flagMask;
    const mask = new Uint8Array(this.dataset.size);
    for (const key of this.flags?.flaggedKeys() ?? []) {
      const i = this.dataset.keyToIndex.get(key);
      if (i !== undefined) mask[i] = 1;
    }
    return (this.flagMask = mask);
  }
}
