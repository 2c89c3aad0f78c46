// "Save p to premem.json": replaces the value of the file's top-level "p" (or adds the field) in the text itself,
// so every other byte the user wrote — fields this version does not know, their order, layout and comments of
// style — stays as it was. p is written to 5 significant digits (1.1055), as the paper gives it.
import { parseConfigObject } from '../config';
import { InputError } from '../model';

export function withThreshold(text: string, p: number, file: string): string {
  if (!(Number.isFinite(p) && p > 1)) throw new InputError(file, `cannot save p = ${p}: it must be a number above 1`, undefined, 'p');
  parseConfigObject(text, file); // a valid JSON object, or a clear error naming the file
  const value = String(Number(p.toPrecision(5)));
  const members = topLevelMembers(text);
  const existing = members.find((m) => m.key === 'p');
  if (existing) return text.slice(0, existing.valueStart) + value + text.slice(existing.valueEnd);
  const indent = /^[ \t]*\{\s*\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const close = text.lastIndexOf('}');
  const last = members[members.length - 1];
  return last
    ? `${text.slice(0, last.valueEnd)},\n${indent}"p": ${value}${text.slice(last.valueEnd)}`
    : `${text.slice(0, close).trimEnd()}\n${indent}"p": ${value}\n${text.slice(close)}`;
}

/** The members of the top-level object: each key and where its value's text starts and ends. */
function topLevelMembers(text: string): { key: string; valueStart: number; valueEnd: number }[] {
  const members: { key: string; valueStart: number; valueEnd: number }[] = [];
  let depth = 0;
  let key: string | undefined;
  let valueStart = -1;
  let lastEnd = -1; // end of the last non-space token at depth 1, which ends a value
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && key === undefined && valueStart < 0) key = JSON.parse(text.slice(start, i + 1)) as string;
      else if (depth === 1 && valueStart < 0) valueStart = start;
      lastEnd = i + 1;
    } else if (c === '{' || c === '[') {
      if (depth === 1 && valueStart < 0) valueStart = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1) lastEnd = i + 1;
      if (depth === 0 && key !== undefined) members.push({ key, valueStart, valueEnd: lastEnd });
    } else if (depth === 1 && c === ',') {
      if (key !== undefined) members.push({ key, valueStart, valueEnd: lastEnd });
      key = undefined;
      valueStart = -1;
    } else if (depth === 1 && !/[\s:]/.test(c)) {
      if (key !== undefined && valueStart < 0) valueStart = i;
      lastEnd = i + 1;
    }
  }
  return members;
}
