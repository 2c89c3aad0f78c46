// The part every dataset reader shares: profile detection, field extraction, keys, line numbers and problems.
import { InputError, type Dataset, type DatasetExample, type FieldProfile, type InputProblem } from '../model';
import { KeyAssigner, exampleKey } from './keys';
import { fieldText } from './field-text';
import { describeType, detectProfile, getPath } from './profiles';

/** Detailed problems kept per file; the rest are counted in one summary entry, so a binary file cannot flood memory. */
export const MAX_PROBLEMS = 1000;

export interface ExampleFields {
  query: string;
  target: string;
  id?: string;
  /** The profile's answer field, when it has one and the record holds it (keys never depend on it). */
  answer?: string;
}

export type FieldsOrProblem = ExampleFields | { field: string; message: string };

/** Query, target, id and answer of a record under a profile, or what is wrong with it. */
export function extractFields(record: unknown, profile: FieldProfile): FieldsOrProblem {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { field: '', message: `record is ${describeType(record)}, not an object` };
  }
  const query = fieldText(record, profile.query, 'query');
  if (typeof query !== 'string') return fieldProblem(query.path, 'query', query.value);
  const target = fieldText(record, profile.target, 'target');
  if (typeof target !== 'string') return fieldProblem(target.path, 'target', target.value);
  const fields: ExampleFields = { query, target };
  if (profile.answer !== undefined) {
    const answer = fieldText(record, profile.answer, 'answer');
    if (typeof answer === 'string') fields.answer = answer;
  }
  if (profile.id === undefined) return fields;
  const idValue = getPath(record, profile.id);
  const t = typeof idValue;
  if (t === 'string' ? idValue === '' : t !== 'number' && t !== 'bigint' && t !== 'boolean') {
    return {
      field: profile.id,
      message: t === 'string' ? `id field '${profile.id}' is empty` : `id field '${profile.id}' is ${describeType(idValue)}, expected a string or number`,
    };
  }
  fields.id = String(idValue);
  return fields;
}

function fieldProblem(path: string, role: string, value: unknown) {
  return {
    field: path,
    message: value === undefined ? `missing ${role} field '${path}'` : `${role} field '${path}' is ${describeType(value)}, expected a string`,
  };
}

export function isProblem(f: FieldsOrProblem): f is { field: string; message: string } {
  return (f as ExampleFields).query === undefined;
}

export interface CollectedIndex {
  profile: FieldProfile;
  size: number;
  keys: string[];
  keyToIndex: Map<string, number>;
  lines: Uint32Array;
  problems: InputProblem[];
}

/** Accepts records in file order; the accepted ones become examples 0, 1, 2, … */
export class ExampleCollector {
  profile: FieldProfile | undefined;
  private lines = new Uint32Array(1024);
  private readonly problems: InputProblem[] = [];
  private omittedProblems = 0;
  private readonly keyAssigner: KeyAssigner;

  constructor(
    readonly file: string,
    profile: FieldProfile | 'auto',
  ) {
    this.profile = profile === 'auto' ? undefined : profile;
    this.keyAssigner = new KeyAssigner(file, (i) => this.lines[i], (p) => this.addProblem(p));
  }

  get size(): number {
    return this.keyAssigner.keys.length;
  }

  /** Takes a parsed record; true when it became the next example, false when it was reported as a problem. */
  accept(record: unknown, line: number): boolean {
    // With 'auto', the first object record decides the profile (and fails the whole file when it fits none).
    if (!this.profile && (typeof record !== 'object' || record === null || Array.isArray(record))) {
      this.reject(line, `record is ${describeType(record)}, not an object`);
      return false;
    }
    const profile = (this.profile ??= detectProfile(record, this.file, line));
    const fields = extractFields(record, profile);
    if (isProblem(fields)) {
      this.reject(line, fields.message, 'error', fields.field || undefined);
      return false;
    }
    this.acceptFields(fields, line);
    return true;
  }

  acceptFields(fields: ExampleFields, line: number): string {
    return this.acceptKey(exampleKey(fields.query, fields.target, fields.id), fields.id !== undefined, line);
  }

  /** Takes the next example by its key (computed elsewhere, e.g. on a worker thread). */
  acceptKey(key: string, fromId: boolean, line: number): string {
    const index = this.size;
    if (index === this.lines.length) {
      const grown = new Uint32Array(this.lines.length * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[index] = line;
    return this.keyAssigner.add(key, line, fromId ? 'id' : 'record');
  }

  reject(line: number | undefined, message: string, severity: 'error' | 'warning' = 'error', field?: string): void {
    const problem: InputProblem = { file: this.file, message, severity };
    // A record rejected at a line is left out of the index; one without a line is a note about the whole file.
    if (line !== undefined) Object.assign(problem, { line, skipped: true });
    if (field) problem.field = field;
    this.addProblem(problem);
  }

  /** A warning about a record that is kept (not skipped). */
  warn(line: number, message: string, field?: string): void {
    this.addProblem({ file: this.file, line, message, severity: 'warning', ...(field ? { field } : {}) });
  }

  private addProblem(problem: InputProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
    else this.omittedProblems++;
  }

  /** The finished index; an InputError when no record was usable. */
  finish(emptyHint = ''): CollectedIndex {
    const problems = this.problems.slice();
    if (this.omittedProblems) {
      problems.push({ file: this.file, severity: 'warning', message: `${this.omittedProblems} more problems not listed` });
    }
    if (this.size === 0 || !this.profile) {
      const first = this.problems.find((p) => p.severity === 'error') ?? this.problems[0];
      const detail = first ? `; first problem${first.line !== undefined ? ` (line ${first.line})` : ''}: ${first.message}` : emptyHint;
      throw new InputError(this.file, `no usable records${detail}`, first?.line);
    }
    return {
      profile: this.profile,
      size: this.size,
      keys: this.keyAssigner.keys,
      keyToIndex: this.keyAssigner.keyToIndex,
      lines: this.lines.slice(0, this.size),
      problems,
    };
  }
}

/**
 * A Dataset over a finished index. Each reader supplies only how to read one record back (by example index and
 * line) and how to release its file; range checks, the closed state and field extraction live here once.
 * `changedHint` is appended to field errors for readers that re-read a file that may have changed since indexing.
 */
export function datasetFromIndex(
  path: string,
  collected: CollectedIndex,
  readRecord: (index: number, line: number) => Promise<unknown>,
  release: () => Promise<void>,
  changedHint = '',
): Dataset {
  let closed = false;
  return {
    path,
    profile: collected.profile,
    size: collected.size,
    keys: collected.keys,
    lines: collected.lines,
    keyToIndex: collected.keyToIndex,
    problems: collected.problems,
    async get(i: number): Promise<DatasetExample> {
      if (!Number.isInteger(i) || i < 0 || i >= collected.size) throw new RangeError(`example index ${i} is out of range 0..${collected.size - 1}`);
      if (closed) throw new Error(`${path}: dataset is closed`);
      const line = collected.lines[i];
      const record = await readRecord(i, line);
      const fields = extractFields(record, collected.profile);
      if (isProblem(fields)) throw new InputError(path, fields.message + changedHint, line);
      const example: DatasetExample = { index: i, line, key: collected.keys[i], query: fields.query, target: fields.target, record };
      if (fields.answer !== undefined) example.answer = fields.answer;
      return example;
    },
    async close() {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}
