// The text of one field of a dataset record under a mapping: a dotted path ("meta.question"), or a template
// joining fields ("{chain}\n#### {result}"). The one rule for message lists (OpenAI / TRL conversational
// records) lives here too: as a query, the user turns joined by a blank line (system turns and a closing
// assistant turn left out); as a target or an answer, the final assistant turn.
//
// Its helpers are made once (makeFieldText), not per record: this runs twice for every record a dataset scan reads.

import { getPath } from './profiles';

export type FieldRole = 'query' | 'target' | 'answer' | 'id';

/** The text, or the path that failed and the value found there (undefined when missing). */
export type FieldText = string | { path: string; value: unknown };

export function makeFieldText(): (record: unknown, spec: string, role: FieldRole) => FieldText {
  function contentText(content: unknown): string | undefined {
    if (typeof content === 'string') return content;
    // Content as a list of parts ({type: "text", text}), as the OpenAI API allows.
    if (!Array.isArray(content)) return undefined;
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === 'string') texts.push(part);
      else if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') texts.push((part as { text: string }).text);
    }
    return texts.join('');
  }
  function messagesText(list: unknown[], role: FieldRole): string | undefined {
    const turns: { role: string; text: string }[] = [];
    for (const m of list) {
      if (!m || typeof m !== 'object') return undefined;
      const r = (m as { role?: unknown }).role;
      const text = contentText((m as { content?: unknown }).content);
      if (typeof r !== 'string' || text === undefined) return undefined;
      turns.push({ role: r, text });
    }
    if (role === 'query') {
      const users = turns.filter((t) => t.role === 'user' || t.role === 'human');
      return users.length ? users.map((t) => t.text).join('\n\n') : undefined;
    }
    for (let i = turns.length - 1; i >= 0; i--) if (turns[i].role === 'assistant' || turns[i].role === 'gpt') return turns[i].text;
    return undefined;
  }
  // Numbers are text only where they are the answer, or a part of a template ("#### {result}").
  function asText(value: unknown, numbers: boolean, role: FieldRole): string | undefined {
    if (typeof value === 'string') return value;
    if (numbers && typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (numbers && typeof value === 'bigint') return value.toString();
    if (Array.isArray(value) && value.length > 0) return messagesText(value, role);
    return undefined;
  }
  return function fieldText(record: unknown, spec: string, role: FieldRole): FieldText {
    if (!spec.includes('{')) {
      const value = getPath(record, spec);
      const text = asText(value, role === 'answer', role);
      return text === undefined ? { path: spec, value } : text;
    }
    // A template: {path} is replaced by that field's text, {path?} by '' when the field is missing or empty,
    // {{ and }} are literal braces; the result is trimmed, so an empty optional field leaves no blank line.
    let out = '';
    for (let i = 0; i < spec.length; i++) {
      const c = spec[i];
      if ((c === '{' || c === '}') && spec[i + 1] === c) {
        out += c;
        i++;
      } else if (c === '{') {
        const close = spec.indexOf('}', i);
        if (close < 0) return { path: spec, value: undefined };
        let path = spec.slice(i + 1, close).trim();
        const optional = path.endsWith('?');
        if (optional) path = path.slice(0, -1).trim();
        const value = getPath(record, path);
        const text = asText(value, true, role);
        if (text === undefined && !(optional && (value === undefined || value === null || value === ''))) return { path, value };
        out += text ?? '';
        i = close;
      } else {
        out += c;
      }
    }
    return out.trim();
  };
}

/** The text of a field (dotted path or template) of a record in a role; see the header. */
export const fieldText = makeFieldText();

/** The top-level fields a mapping reads: for a Parquet file, the columns to decode. */
export function fieldsOfSpec(spec: string): string[] {
  if (!spec.includes('{')) return [spec];
  const out: string[] = [];
  for (const m of spec.replaceAll('{{', '').replaceAll('}}', '').matchAll(/\{([^}]*)\}/g)) out.push(m[1].trim().replace(/\?$/, '').trim());
  return out;
}
