// Field profiles: which fields of a dataset record hold the query, the target trace and an optional stable id.
import { InputError, type FieldProfile, type GradingTask, type ProfileName } from '../model';

export const GSM8K_PROFILE: FieldProfile = Object.freeze({ name: 'gsm8k', query: 'question', target: 'answer', task: 'gsm8k' });
export const MATH_PROFILE: FieldProfile = Object.freeze({ name: 'math', query: 'problem', target: 'solution', task: 'math' });

/**
 * The layouts detected without help, each with its rule (README, Formats). Message lists follow one rule
 * (field-text.ts): as a query the user turns, as a target the final assistant turn.
 */
export const LAYOUT_PROFILES: Readonly<Record<Exclude<ProfileName, 'custom' | 'question-trace'>, FieldProfile>> = {
  gsm8k: GSM8K_PROFILE,
  math: MATH_PROFILE,
  'math-answer': Object.freeze({ name: 'math-answer', query: 'problem', target: 'answer', answer: 'answer', task: 'math' }),
  chat: Object.freeze({ name: 'chat', query: 'messages', target: 'messages', task: 'general' }),
  'prompt-completion': Object.freeze({ name: 'prompt-completion', query: 'prompt', target: 'completion', task: 'general' }),
  alpaca: Object.freeze({ name: 'alpaca', query: '{instruction}\n\n{input?}', target: 'output', task: 'general' }),
  verl: Object.freeze({ name: 'verl', query: 'prompt', target: 'reward_model.ground_truth', answer: 'reward_model.ground_truth', task: 'general' }),
} as const;

const NAMED: Record<string, FieldProfile> = LAYOUT_PROFILES;
const TASKS: readonly GradingTask[] = ['gsm8k', 'math', 'general'];

/** Field names read as the question, the reasoning trace, and the final answer when no named layout fits. */
const QUERY_FIELDS = ['question', 'problem', 'prompt', 'query', 'instruction', 'input'];
const TRACE_FIELDS = ['solution', 'chain', 'rationale', 'reasoning', 'cot', 'response', 'output', 'completion', 'generation', 'explanation'];
const ANSWER_FIELDS = ['answer', 'final_answer', 'result', 'ground_truth', 'gold', 'expected_answer', 'label', 'target'];

export interface CustomProfileSpec {
  query: string;
  target: string;
  answer?: string;
  id?: string;
  /** Default: 'general', which reads boxes, "####" and "The answer is". */
  task?: GradingTask;
}

/** A mapping onto arbitrary fields (dotted paths or templates). Throws a plain Error on an invalid spec. */
export function customProfile(spec: CustomProfileSpec): FieldProfile {
  for (const key of ['query', 'target'] as const) {
    if (typeof spec[key] !== 'string' || spec[key].trim() === '') {
      throw new Error(`custom dataset profile: '${key}' must name a field (a dotted path such as "meta.question", or a template such as "{chain}\\n#### {result}")`);
    }
  }
  for (const key of ['id', 'answer'] as const) {
    if (spec[key] !== undefined && (typeof spec[key] !== 'string' || spec[key].trim() === '')) {
      throw new Error(`custom dataset profile: '${key}' must name a field when given`);
    }
  }
  const task = spec.task ?? 'general';
  if (!TASKS.includes(task)) {
    throw new Error(`custom dataset profile: 'task' must be one of ${TASKS.join(', ')}, got '${String(spec.task)}'`);
  }
  const profile: FieldProfile = { name: 'custom', query: spec.query, target: spec.target, task };
  if (spec.answer !== undefined) profile.answer = spec.answer;
  if (spec.id !== undefined) profile.id = spec.id;
  return profile;
}

export type ProfileSpec = ProfileName | FieldProfile | CustomProfileSpec;

/** A named profile, a full FieldProfile, or a custom mapping, checked. Unknown names throw. */
export function resolveProfile(spec: ProfileSpec | string): FieldProfile {
  if (typeof spec === 'string') {
    const named = NAMED[spec];
    if (!named) throw new Error(`unknown dataset profile '${spec}': expected one of ${Object.keys(NAMED).join(', ')}, or a field mapping {query, target, answer?, id?}`);
    return named;
  }
  const name = (spec as Partial<FieldProfile>).name;
  const named = name ? NAMED[name] : undefined;
  if (named && spec.query === named.query && spec.target === named.target && spec.answer === named.answer && !spec.id) return named;
  return customProfile(spec);
}

function isMessageList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((m) => m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string' && 'content' in m);
}

const isText = (v: unknown) => typeof v === 'string' || isMessageList(v);

/**
 * Picks the profile from the first record by the layout rules (README, Formats): GSM8K question/answer, MATH
 * problem/solution, chat messages, TRL prompt/completion, verl, Alpaca, problem/answer, then a
 * question-like field with a trace-like and an answer-like field. Throws an InputError naming the fields it
 * saw, with example values, and how to map them, otherwise.
 */
export function detectProfile(firstRecord: unknown, file = '<record>', line?: number): FieldProfile {
  if (typeof firstRecord !== 'object' || firstRecord === null || Array.isArray(firstRecord)) {
    throw new InputError(file, `cannot detect the dataset profile: the first record is ${describeType(firstRecord)}, not an object`, line);
  }
  const r = firstRecord as Record<string, unknown>;
  const str = (key: string) => typeof r[key] === 'string';
  // GSM8K and MATH first: records that also carry other fields keep the keys they always had.
  if (str('question') && str('answer')) return GSM8K_PROFILE;
  if (str('problem') && str('solution')) return MATH_PROFILE;
  if (isMessageList(r.messages)) return LAYOUT_PROFILES.chat;
  if (isText(r.prompt) && isText(r.completion)) return LAYOUT_PROFILES['prompt-completion'];
  if (isText(r.prompt) && r.reward_model && typeof r.reward_model === 'object' && 'ground_truth' in r.reward_model) return LAYOUT_PROFILES.verl;
  if (str('instruction') && str('output')) return LAYOUT_PROFILES.alpaca;
  if (str('problem') && (str('answer') || typeof r.answer === 'number')) return LAYOUT_PROFILES['math-answer'];
  const query = QUERY_FIELDS.find((k) => isText(r[k]));
  const trace = TRACE_FIELDS.find((k) => k !== query && isText(r[k]));
  const answer = ANSWER_FIELDS.find((k) => k !== query && k !== trace && ['string', 'number', 'bigint'].includes(typeof r[k]));
  if (query && trace) {
    const profile: FieldProfile = { name: 'question-trace', query, target: trace, task: 'general' };
    if (answer) profile.answer = answer;
    return profile;
  }
  // A guess to start from: the question-like field (else the first text), then the next text.
  const texts = Object.keys(r).filter((k) => isText(r[k]));
  const queryGuess = query ?? texts[0];
  const targetGuess = texts.find((k) => k !== queryGuess);
  const flag = (name: string, guess: string | undefined) => `--${name} ${guess !== undefined && /^[\w.-]+$/.test(guess) ? guess : 'FIELD'}`;
  throw new InputError(
    file,
    `cannot detect the dataset profile; fields seen: ${describeFields(r)}. Map them, e.g. ${flag('query', queryGuess)} ${flag('target', targetGuess)} (a target may join fields: "{a}\\n#### {b}"; --answer FIELD when the final answer stands apart; in premem.json "profile": {"query": …, "target": …})`,
    line,
  );
}

/** "question (text: \"Natalia sold…\"), result (number: 72)": the first 12 fields with a short example value. */
export function describeFields(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'none';
  const shown = keys.slice(0, 12).map((k) => `${k} (${describeExample(record[k])})`);
  return shown.join(', ') + (keys.length > 12 ? `, … ${keys.length - 12} more` : '');
}

function describeExample(v: unknown): string {
  if (typeof v === 'string') return `text: ${JSON.stringify(v.length > 24 ? v.slice(0, 24) + '…' : v).replaceAll('\\n', ' ')}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v}: ${v}`;
  if (isMessageList(v)) return `messages: ${(v as { role: string }[]).map((m) => m.role).join(', ')}`;
  if (Array.isArray(v)) return `list of ${v.length}`;
  if (v && typeof v === 'object') return `object with ${Object.keys(v).slice(0, 4).join(', ')}`;
  return describeType(v);
}

/**
 * Value at a dotted path ("meta.q", "messages.0.content"). A key that itself contains dots is matched
 * whole first, so records with such flat keys still resolve.
 */
export function getPath(record: unknown, path: string): unknown {
  if (typeof record !== 'object' || record === null) return undefined;
  const direct = (record as Record<string, unknown>)[path];
  if (direct !== undefined || !path.includes('.')) return direct;
  let value: unknown = record;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : t === 'undefined' ? 'missing' : `a ${t}`;
}
