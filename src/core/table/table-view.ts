// What one table view shows: its query and its rows. Plain types, free of Node, shared with the table webview.
import type { BucketName } from '../buckets';
import type { SortSpec } from './order';

export interface ViewQuery {
  sort: SortSpec;
  /** Keep rows whose query contains this text (case-insensitive); '' keeps all. */
  text: string;
  /** Keep rows in these buckets; empty keeps all. */
  buckets: BucketName[];
  flaggedOnly: boolean;
  /** Keep rows that differ from the compared run and checkpoint (B); keeps all when nothing is compared. */
  differsOnly: boolean;
}

export interface TableRow {
  /** Position in the dataset (the index of every per-example array). */
  index: number;
  line: number;
  key: string;
  preview: string;
  /** PreMemAcc with two decimals, '–' when not scored. */
  preMem: string;
  bucket: BucketName;
  trajectory: string;
  /** The flag's reason, '' when not flagged. */
  flag: string;
}
