// How an example is marked: its bucket code and name. A module of its own, free of Node, because the table
// webview names buckets too.

/** How an example is marked in the editor. */
export const enum Bucket {
  NotScored = 0,
  Fragile = 1,
  AtRisk = 2,
  Robust = 3,
}
export const BUCKET_NAMES = ['not-scored', 'fragile', 'at-risk', 'robust'] as const;
export type BucketName = (typeof BUCKET_NAMES)[number];
