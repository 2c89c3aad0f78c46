// The workspace file premem.json: which dataset, which runs, which thresholds. Paths are relative to the file.
// Validation names the field; the JSON schema in schemas/premem.schema.json gives editors completion for the same shape.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_FRAGILE_T } from './metrics/dynamics';
import { InputError } from './model';
import type { RunFormatOption } from './runlog/load';
import type { ProfileSpec } from './dataset/profiles';

export const CONFIG_FILE = 'premem.json';

export interface RunSource {
  path: string;
  format: RunFormatOption;
  /** lm-eval folders holding several tasks: the task to read. */
  task?: string;
}

export interface PreMemConfig {
  /** Absolute path of premem.json itself ('' when built in memory). */
  file: string;
  dataset: string;
  profile: ProfileSpec | 'auto';
  testDataset?: string;
  runs: RunSource[];
  /** A perplexity threshold, or 'calibrate' to sweep it against test accuracy. */
  p: number | 'calibrate';
  t: number;
  answerFiles: 'released' | 'most-samples';
  /** The raw "scoring" section, validated by the scoring module when a job starts. */
  scoring?: unknown;
  /** Where scoring jobs append results (default: runs/scored.premem.jsonl beside premem.json). */
  output: string;
}

const FORMATS = ['auto', 'premem', 'paper', 'lm-eval', 'llamafactory', 'trl-completions'];

/** premem.json's top-level object, or an InputError naming the file. */
export function parseConfigObject(text: string, file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, 'expected a JSON object');
  return raw as Record<string, unknown>;
}

export function parseConfig(text: string, file: string): PreMemConfig {
  const o = parseConfigObject(text, file);
  const dir = path.dirname(file);
  const resolve = (p: string) => path.resolve(dir, p);
  const fail = (field: string, message: string): never => {
    throw new InputError(file, message, undefined, field);
  };

  if (typeof o.dataset !== 'string' || !o.dataset) fail('dataset', 'must be the path of the training dataset (JSONL, Parquet or JSON)');
  const runsRaw = o.runs ?? [];
  if (!Array.isArray(runsRaw)) fail('runs', 'must be a list of run log paths or {path, format} objects');
  const runs = (runsRaw as unknown[]).map((r, i): RunSource => {
    if (typeof r === 'string') return { path: resolve(r), format: 'auto' };
    if (!r || typeof r !== 'object' || typeof (r as { path?: unknown }).path !== 'string') fail(`runs[${i}]`, 'must be a path or {"path": ..., "format": ..., "task": ...}');
    const { path: p, format = 'auto', task } = r as { path: string; format?: string; task?: unknown };
    if (!FORMATS.includes(format)) fail(`runs[${i}].format`, `must be one of ${FORMATS.join(', ')}`);
    if (task !== undefined && (typeof task !== 'string' || task === '')) fail(`runs[${i}].task`, 'must name an lm-eval task, e.g. "gsm8k_cot"');
    const source: RunSource = { path: resolve(p), format: format as RunFormatOption };
    if (typeof task === 'string') source.task = task;
    return source;
  });
  const p = o.p ?? 'calibrate';
  if (p !== 'calibrate' && !(typeof p === 'number' && p > 1)) fail('p', 'must be a perplexity threshold above 1, or "calibrate"');
  const t = o.t ?? DEFAULT_FRAGILE_T;
  if (typeof t !== 'number' || t < 0 || t > 1) fail('t', 'must be a number between 0 and 1');
  const answerFiles = o.answerFiles ?? 'released';
  if (answerFiles !== 'released' && answerFiles !== 'most-samples') fail('answerFiles', 'must be "released" or "most-samples"');
  const profile = o.profile ?? 'auto';
  if (typeof profile !== 'string' && (typeof profile !== 'object' || profile === null)) fail('profile', 'must be "auto", a layout name such as "gsm8k" or "chat", or {query, target, answer?, id?, task?}');
  if (o.testDataset !== undefined && typeof o.testDataset !== 'string') fail('testDataset', 'must be a path');
  if (o.output !== undefined && typeof o.output !== 'string') fail('output', 'must be a path');
  return {
    file,
    dataset: resolve(o.dataset as string),
    profile: profile as ProfileSpec | 'auto',
    testDataset: typeof o.testDataset === 'string' ? resolve(o.testDataset) : undefined,
    runs,
    p: p as number | 'calibrate',
    t: t as number,
    answerFiles: answerFiles as 'released' | 'most-samples',
    scoring: o.scoring,
    output: resolve(typeof o.output === 'string' ? o.output : 'runs/scored.premem.jsonl'),
  };
}

export async function readConfig(file: string): Promise<PreMemConfig> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(file, err.code === 'ENOENT' ? 'no such file' : err.message);
  });
  return parseConfig(text, file);
}

/** The JSON written by "save premem.json": paths relative to the file's folder, defaults left out. */
export function serializeConfig(config: Omit<PreMemConfig, 'file'>, file: string): string {
  const dir = path.dirname(file);
  const rel = (p: string) => path.relative(dir, p).split(path.sep).join('/') || '.';
  const out: Record<string, unknown> = {
    dataset: rel(config.dataset),
    profile: config.profile,
    runs: config.runs.map((r) => (r.format === 'auto' && !r.task ? rel(r.path) : { path: rel(r.path), format: r.format, ...(r.task ? { task: r.task } : {}) })),
    p: config.p,
    t: config.t,
  };
  if (config.testDataset) out.testDataset = rel(config.testDataset);
  if (config.answerFiles !== 'released') out.answerFiles = config.answerFiles;
  if (config.scoring !== undefined) out.scoring = config.scoring;
  out.output = rel(config.output);
  return JSON.stringify(out, null, 2) + '\n';
}
