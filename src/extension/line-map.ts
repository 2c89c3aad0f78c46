// Where dataset examples sit in the dataset's text: 1-based record lines (Dataset.lines, sorted ascending) to example
// indices and back. While the open document differs from what was indexed, lines are matched by content instead
// (the record's stable key), so an edit never shifts marks onto the wrong records.
import { extractFields, isProblem } from '../core/dataset/collect';
import { exampleKey } from '../core/dataset/keys';
import type { Dataset } from '../core/model';
import { lowerBound } from '../core/sorted-search';

/** The example whose record starts on the 0-based editor line, by the index built when the dataset was opened. */
export function indexAtIndexedLine(dataset: Pick<Dataset, 'lines'>, line0: number): number | undefined {
  const i = lowerBound(dataset.lines, line0 + 1);
  return i < dataset.lines.length && dataset.lines[i] === line0 + 1 ? i : undefined;
}

/** Examples whose records lie on 0-based lines [from, to], in line order. */
export function indicesInLines(dataset: Pick<Dataset, 'lines'>, from0: number, to0: number): { first: number; end: number } {
  return { first: lowerBound(dataset.lines, from0 + 1), end: lowerBound(dataset.lines, to0 + 2) };
}

/** The example a line of text is, by its stable key; undefined for text that is not a known record. */
export function indexOfRecordText(dataset: Pick<Dataset, 'profile' | 'keyToIndex'>, text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const fields = extractFields(record, dataset.profile);
  if (isProblem(fields)) return undefined;
  return dataset.keyToIndex.get(exampleKey(fields.query, fields.target, fields.id));
}
