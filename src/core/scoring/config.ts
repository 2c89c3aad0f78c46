// The "scoring" section of premem.json: which servers score which checkpoints, and how. Validation names the
// field (scoring.checkpoints[2].endpoint) so a user can fix the file without reading code.
import { InputError, type GradingTask } from '../model';
import type { SamplingParams } from './endpoint';

export type Flavour = 'vllm' | 'sglang' | 'openai';
export type LogprobsMode = 'prompt_logprobs' | 'echo';

export interface CheckpointTarget {
  /** The checkpoint id written to the run log. */
  id: string;
  /** Training step, the sort key of checkpoints; from the config, else the id's trailing number, else its position. */
  step: number;
  /** Model name on the server (a LoRA adapter name with vLLM); defaults to the id. */
  model: string;
  /** Base URLs of the replicas serving this checkpoint. */
  endpoints: string[];
  /** Loaded at run time (vLLM /v1/load_lora_adapter, SGLang /load_lora_adapter) when the server lacks the model. */
  loraPath?: string;
  /**
   * Which tokenizer the checkpoint uses: checkpoints with the same value share each example's tokenization. From
   * the config, else the checkpoint's replicas: LoRA adapters served over one base model share its tokenizer.
   */
  tokenizer: string;
}

export interface ScoringConfig {
  flavour: Flavour;
  checkpoints: CheckpointTarget[];
  promptTemplate: string;
  targetTemplate: string;
  stop: string[];
  k: number;
  temperature: number;
  /** null sends no seed. */
  seed: number | null;
  topP: number;
  maxTokens: number;
  /** Requests in flight at once, over all replicas. */
  concurrency: number;
  /** Prompts per request. */
  batchSize: number;
  timeoutMs: number;
  retries: number;
  logprobsMode: LogprobsMode;
  /** Whether target perplexity is computed; false scores accuracy only. */
  perplexity: boolean;
  /** Answer prefixes for the robustness probes; empty when off. */
  perturbations: string[];
  apiKeyEnv: string;
}

export const DEFAULT_PERTURBATIONS: readonly string[] = ['First', 'We know that'];

const TASK_DEFAULTS: Record<GradingTask, { topP: number; maxTokens: number }> = {
  gsm8k: { topP: 0.95, maxTokens: 512 },
  math: { topP: 1.0, maxTokens: 1024 },
  // Other layouts (chat, Alpaca, …) carry traces of any length: MATH's settings, the longer of the two.
  general: { topP: 1.0, maxTokens: 1024 },
};

const FLAVOURS: readonly Flavour[] = ['vllm', 'sglang', 'openai'];
const LOGPROBS_MODES: readonly LogprobsMode[] = ['prompt_logprobs', 'echo'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key of the "scoring" section (schemas/premem.schema.json lists the same; a unit test checks it). */
export const SCORING_KEYS: readonly string[] = [
  'flavour', 'endpoints', 'checkpoints', 'promptTemplate', 'targetTemplate', 'stop', 'k', 'temperature', 'seed', 'topP',
  'maxTokens', 'concurrency', 'batchSize', 'timeoutMs', 'retries', 'logprobsMode', 'perplexity', 'perturbations', 'apiKeyEnv',
];

/** Levenshtein distance, for "did you mean" on short setting names. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * Validates the raw "scoring" section and fills in the defaults of the released runs for the task.
 * `file` is premem.json, named in every error.
 */
export function parseScoringConfig(raw: unknown, task: GradingTask, file = 'premem.json'): ScoringConfig {
  const fail = (field: string, message: string): never => {
    throw new InputError(file, message, undefined, field);
  };
  if (raw === undefined) fail('scoring', 'missing: add a "scoring" section with at least "endpoints" and "checkpoints" (see docs/scoring.md)');
  if (!isObject(raw)) fail('scoring', 'must be an object');
  const o = raw as Record<string, unknown>;
  const f = (name: string) => `scoring.${name}`;
  // A misspelt key ("concurency") would otherwise leave its default in force with no word said.
  for (const key of Object.keys(o)) {
    if (SCORING_KEYS.includes(key)) continue;
    const near = SCORING_KEYS.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    fail(f(key), `unknown setting${near ? `; did you mean "${near}"?` : ` (known: ${SCORING_KEYS.join(', ')})`}`);
  }

  const flavour = (o.flavour ?? 'vllm') as Flavour;
  if (!FLAVOURS.includes(flavour)) fail(f('flavour'), `must be one of ${FLAVOURS.join(', ')}, got ${JSON.stringify(o.flavour)}`);

  const endpoints = o.endpoints === undefined ? [] : urlList(o.endpoints, f('endpoints'), fail);

  if (!Array.isArray(o.checkpoints) || o.checkpoints.length === 0) {
    fail(f('checkpoints'), 'must be a non-empty list of {id, model?, endpoint?, loraPath?, tokenizer?, step?}');
  }
  const seen = new Set<string>();
  const checkpoints = (o.checkpoints as unknown[]).map((c, i): CheckpointTarget => {
    const at = `${f('checkpoints')}[${i}]`;
    if (typeof c === 'string') c = { id: c };
    if (!isObject(c)) return fail(at, 'must be an object {id, model?, endpoint?, loraPath?, tokenizer?, step?} or a checkpoint id');
    if (typeof c.id !== 'string' || c.id.trim() === '') fail(`${at}.id`, 'must be a non-empty string (the checkpoint id written to the run log)');
    const id = c.id as string;
    if (seen.has(id)) fail(`${at}.id`, `checkpoint id '${id}' appears twice`);
    seen.add(id);
    if (c.model !== undefined && (typeof c.model !== 'string' || c.model === '')) fail(`${at}.model`, 'must be the model name on the server');
    if (c.loraPath !== undefined && (typeof c.loraPath !== 'string' || c.loraPath === '')) fail(`${at}.loraPath`, 'must be the adapter path on the server');
    if (c.tokenizer !== undefined && (typeof c.tokenizer !== 'string' || c.tokenizer === '')) fail(`${at}.tokenizer`, 'must be a non-empty name, the same for checkpoints that share a tokenizer');
    if (c.step !== undefined && !(Number.isInteger(c.step) && (c.step as number) >= 0)) fail(`${at}.step`, 'must be an integer >= 0');
    const own = c.endpoint === undefined ? undefined : urlList(c.endpoint, `${at}.endpoint`, fail);
    const list = own ?? endpoints;
    if (list.length === 0) fail(`${at}.endpoint`, `no server for checkpoint '${id}': set "scoring.endpoints" or this checkpoint's "endpoint"`);
    const target: CheckpointTarget = {
      id,
      step: (c.step as number | undefined) ?? stepFromId(id) ?? i + 1,
      model: (c.model as string | undefined) ?? id,
      endpoints: list,
      tokenizer: (c.tokenizer as string | undefined) ?? `replicas ${[...list].sort().join(' ')}`,
    };
    if (c.loraPath !== undefined) target.loraPath = c.loraPath as string;
    return target;
  });

  const str = (name: string, dflt: string, mustContain?: string): string => {
    const v = o[name] ?? dflt;
    if (typeof v !== 'string') return fail(f(name), 'must be a string');
    if (mustContain && !v.includes(mustContain)) fail(f(name), `must contain ${mustContain}`);
    return v;
  };
  const num = (name: string, dflt: number, check: (n: number) => boolean, expected: string): number => {
    const v = o[name] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) fail(f(name), `must be ${expected}, got ${JSON.stringify(o[name])}`);
    return v as number;
  };
  const int = (n: number) => Number.isInteger(n);

  const stopRaw = o.stop ?? ['\nDone.'];
  if (!Array.isArray(stopRaw) || stopRaw.some((s) => typeof s !== 'string' || s === '')) fail(f('stop'), 'must be a list of non-empty strings');

  let perturbations: string[] = [];
  if (o.perturbations === true) perturbations = [...DEFAULT_PERTURBATIONS];
  else if (Array.isArray(o.perturbations)) {
    o.perturbations.forEach((p, i) => {
      if (typeof p !== 'string' || p.trim() === '') fail(`${f('perturbations')}[${i}]`, 'must be a non-empty answer prefix such as "First"');
    });
    if (new Set(o.perturbations).size !== o.perturbations.length) fail(f('perturbations'), 'lists a prefix twice');
    perturbations = o.perturbations as string[];
  } else if (o.perturbations !== undefined && o.perturbations !== false) {
    fail(f('perturbations'), `must be true (the defaults ${JSON.stringify(DEFAULT_PERTURBATIONS)}), false, or a list of answer prefixes`);
  }

  const logprobsMode = (o.logprobsMode ?? 'prompt_logprobs') as LogprobsMode;
  if (!LOGPROBS_MODES.includes(logprobsMode)) fail(f('logprobsMode'), `must be one of ${LOGPROBS_MODES.join(', ')}`);
  if (o.perplexity !== undefined && typeof o.perplexity !== 'boolean') fail(f('perplexity'), 'must be true or false');
  const apiKeyEnv = str('apiKeyEnv', 'PREMEM_API_KEY');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) fail(f('apiKeyEnv'), 'must be the name of an environment variable (letters, digits, _)');

  const defaults = TASK_DEFAULTS[task];
  return {
    flavour,
    checkpoints,
    promptTemplate: str('promptTemplate', '{question}\nAnswer:', '{question}'),
    targetTemplate: str('targetTemplate', ' {answer}\nDone.', '{answer}'),
    stop: stopRaw as string[],
    k: num('k', 5, (n) => int(n) && n >= 1 && n <= 65535, 'an integer from 1 to 65535'),
    temperature: num('temperature', 0.8, (n) => n >= 0, 'a number >= 0'),
    seed: o.seed === null ? null : num('seed', 2, int, 'an integer, or null to send none'),
    topP: num('topP', defaults.topP, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    maxTokens: num('maxTokens', defaults.maxTokens, (n) => int(n) && n >= 1, 'an integer >= 1'),
    concurrency: num('concurrency', 64, (n) => int(n) && n >= 1, 'an integer >= 1'),
    batchSize: num('batchSize', 16, (n) => int(n) && n >= 1 && n <= 1024, 'an integer from 1 to 1024 (vLLM takes at most 1024 prompts per request)'),
    timeoutMs: num('timeoutMs', 120_000, (n) => int(n) && n >= 1, 'an integer >= 1 (milliseconds)'),
    retries: num('retries', 6, (n) => int(n) && n >= 0, 'an integer >= 0'),
    logprobsMode,
    perplexity: (o.perplexity as boolean | undefined) ?? true,
    perturbations,
    apiKeyEnv,
  };
}

function urlList(value: unknown, field: string, fail: (field: string, message: string) => never): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) return fail(field, 'must be a URL or a non-empty list of URLs');
  return list.map((u, i) => {
    const at = Array.isArray(value) ? `${field}[${i}]` : field;
    if (typeof u !== 'string') return fail(at, 'must be a URL string such as "http://gpu-1:8000"');
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return fail(at, `'${u}' is not a URL; expected e.g. "http://gpu-1:8000"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(at, `'${u}' must start with http:// or https://`);
    if (url.username || url.password) fail(at, 'must not hold credentials; put the API key in the environment variable named by scoring.apiKeyEnv');
    // A base URL given as ".../v1" is accepted: the /v1 routes are appended by the client.
    return normaliseBase(url);
  });
}

/** The server's base URL without a trailing slash or /v1 suffix. */
export function normaliseBase(url: URL): string {
  let p = url.pathname.replace(/\/+$/, '');
  if (p.endsWith('/v1')) p = p.slice(0, -3);
  return `${url.protocol}//${url.host}${p}`;
}

function stepFromId(id: string): number | undefined {
  const m = /(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** What each sampling request asks for. */
export function samplingParams(config: ScoringConfig): SamplingParams {
  return { k: config.k, temperature: config.temperature, topP: config.topP, maxTokens: config.maxTokens, seed: config.seed, stop: config.stop };
}

/** Fills {question} and {answer}; other braces are left alone. */
export function fillTemplate(template: string, question: string, answer: string): string {
  return template.replace(/\{(question|answer)\}/g, (_, name: string) => (name === 'question' ? question : answer));
}

/** The prompt of a robustness probe: the answer prompt followed by a generic preamble ("...\nAnswer: First"). */
export function perturbedPrompt(prompt: string, prefix: string): string {
  return `${prompt} ${prefix}`;
}
