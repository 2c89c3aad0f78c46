// Bytes that are not UTF-8 read as U+FFFD, and that text becomes part of the example's key: flags and run logs
// keyed on the original text no longer match. The readers warn, naming the record and the field that holds them.
import { isUtf8 } from 'node:buffer';

export const INVALID_UTF8_MESSAGE = 'invalid UTF-8: the bad bytes read as U+FFFD, which becomes part of the example key (flags and run logs keyed on the original text will not match)';

/**
 * The JSON strings (keys and values) in bytes[start, end) that are not valid UTF-8, decoded as JSON.parse sees
 * them (bad bytes as U+FFFD). `start` must not be inside a string: a record's first byte, for instance.
 */
export function jsonStringsWithInvalidUtf8(bytes: Buffer, start: number, end: number): Set<string> {
  const found = new Set<string>();
  for (let i = start; i < end; i++) {
    if (bytes[i] !== 0x22 /* " */) continue;
    let close = i + 1;
    while (close < end && bytes[close] !== 0x22) close += bytes[close] === 0x5c /* \ */ ? 2 : 1;
    if (!isUtf8(bytes.subarray(i + 1, close))) found.add(JSON.parse(bytes.toString('utf8', i, close + 1)));
    i = close;
  }
  return found;
}

/** Dotted paths (array items by index) of the record's keys and string values that are among `strings`. */
export function fieldsHolding(record: unknown, strings: ReadonlySet<string>, prefix = ''): string[] {
  if (typeof record === 'string') return strings.has(record) ? [prefix] : [];
  if (typeof record !== 'object' || record === null || ArrayBuffer.isView(record)) return [];
  const found: string[] = [];
  for (const [name, value] of Object.entries(record)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (!Array.isArray(record) && strings.has(name)) found.push(path);
    found.push(...fieldsHolding(value, strings, path));
  }
  return found;
}
