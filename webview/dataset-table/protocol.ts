// Messages between the dataset table editor and its webview. Both sides check every message on arrival: the
// host trusts nothing the webview sends, the webview renders only data of the declared shape. Record text
// travels as plain strings and is rendered with textContent.
import { BUCKET_NAMES } from '../../src/core/buckets';
import { type SortColumn, SORT_COLUMNS } from '../../src/core/table/order';
import type { TableRow, ViewQuery } from '../../src/core/table/table-view';
import { arrayOf, isBoolean, isIndex, isString, literal, type MessageChecks, messageGuard, nullable, oneOf, shape } from '../shared/guards';

export type { SortColumn, TableRow, ViewQuery };

/** The buckets in the order the filter lists them. */
export const BUCKETS = ['fragile', 'at-risk', 'robust', 'not-scored'] as const satisfies readonly (typeof BUCKET_NAMES)[number][];

/** Longest filter text accepted. */
export const MAX_FILTER_TEXT = 1000;

export interface ViewInfo {
  /** Changes with every new filter, sort or score set; rows of an older view are dropped. */
  viewId: number;
  rowCount: number;
  datasetSize: number;
  query: ViewQuery;
  /** Whether PreMemAcc, buckets and trajectories are known (the file is the open session's dataset). */
  scored: boolean;
  /** What the scores are of (run and checkpoint), '' without scores. */
  scoreLabel: string;
  /** The compared run and checkpoint (B) that "differs only" keeps the rows differing from; '' when none. */
  compareLabel: string;
  /** Whether flags of the dataset are known. */
  hasFlags: boolean;
  /** Records skipped or other warnings, summarised; '' when none. */
  notice: string;
}

export interface RecordDetail {
  index: number;
  line: number;
  key: string;
  query: string;
  target: string;
  /** Whether query or target were cut for display. */
  truncated: boolean;
}

export type HostMessage =
  | { type: 'loading'; message: string; fraction: number | null }
  | { type: 'failed'; message: string }
  | ({ type: 'view' } & ViewInfo)
  | { type: 'rows'; viewId: number; start: number; rows: TableRow[] }
  /** Work on a filter in progress; cancellable by { type: 'cancel' }. */
  | { type: 'busy'; message: string; fraction: number | null }
  | { type: 'idle'; message: string }
  /** Select (and scroll to) a row of the current view. */
  | { type: 'reveal'; viewId: number; row: number }
  | { type: 'detail'; detail: RecordDetail }
  | { type: 'notice'; message: string };

export type WebviewMessage =
  | { type: 'ready'; query: ViewQuery | null }
  | { type: 'rows'; viewId: number; start: number; end: number }
  /** A new filter or sort; `focus`: the selected example, kept in sight when the new view shows it. */
  | { type: 'query'; query: ViewQuery; focus: number | null }
  | { type: 'cancel' }
  /** A row was selected (detail shown); `open` when clicked or Enter: reveal it in the other views. */
  | { type: 'select'; viewId: number; row: number; open: boolean }
  | { type: 'gotoLine'; line: number };

// ---- guards ------------------------------------------------------------------------------------------------

const isBucket = oneOf(BUCKET_NAMES);
const isFraction = (v: unknown): v is number | null => v === null || (typeof v === 'number' && v >= 0 && v <= 1);
const isFilterText = (v: unknown): v is string => isString(v) && v.length <= MAX_FILTER_TEXT;

export const isViewQuery = shape<ViewQuery>({
  sort: shape({ column: oneOf(SORT_COLUMNS), descending: isBoolean }),
  text: isFilterText,
  buckets: (v): v is ViewQuery['buckets'] => arrayOf(isBucket)(v) && v.length <= BUCKET_NAMES.length,
  flaggedOnly: isBoolean,
  differsOnly: isBoolean,
});

const isRow = shape<TableRow>({ index: isIndex, line: isIndex, key: isString, preview: isString, preMem: isString, bucket: isBucket, trajectory: isString, flag: isString });

const hostMessageChecks: MessageChecks<HostMessage> = {
  loading: shape({ type: literal('loading'), message: isString, fraction: isFraction }),
  failed: shape({ type: literal('failed'), message: isString }),
  view: shape({
    type: literal('view'),
    viewId: isIndex,
    rowCount: isIndex,
    datasetSize: isIndex,
    query: isViewQuery,
    scored: isBoolean,
    scoreLabel: isString,
    compareLabel: isString,
    hasFlags: isBoolean,
    notice: isString,
  }),
  rows: shape({ type: literal('rows'), viewId: isIndex, start: isIndex, rows: arrayOf(isRow) }),
  busy: shape({ type: literal('busy'), message: isString, fraction: isFraction }),
  idle: shape({ type: literal('idle'), message: isString }),
  reveal: shape({ type: literal('reveal'), viewId: isIndex, row: isIndex }),
  detail: shape({ type: literal('detail'), detail: shape<RecordDetail>({ index: isIndex, line: isIndex, key: isString, query: isString, target: isString, truncated: isBoolean }) }),
  notice: shape({ type: literal('notice'), message: isString }),
};

const webviewMessageChecks: MessageChecks<WebviewMessage> = {
  ready: shape({ type: literal('ready'), query: nullable(isViewQuery) }),
  rows: shape({ type: literal('rows'), viewId: isIndex, start: isIndex, end: isIndex }),
  query: shape({ type: literal('query'), query: isViewQuery, focus: nullable(isIndex) }),
  cancel: shape({ type: literal('cancel') }),
  select: shape({ type: literal('select'), viewId: isIndex, row: isIndex, open: isBoolean }),
  gotoLine: shape({ type: literal('gotoLine'), line: isIndex }),
};

/** A message the host may send, of exactly the declared shape. */
export const isHostMessage = messageGuard<HostMessage>(hostMessageChecks);

/** A message the webview may send, of exactly the declared shape (indices non-negative, filter text bounded). */
export const isWebviewMessage = messageGuard<WebviewMessage>(webviewMessageChecks);
