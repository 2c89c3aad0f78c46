// A small HTTP server speaking the subset of vLLM's API (and SGLang's /generate) that scoring uses, backed by the
// deterministic n-gram model of ngram-model.ts. Test-only: it lets the scoring client, job and CLI run end to
// end without a GPU, with faults injected on demand (latency, 429 + Retry-After, 500, dropped connections,
// truncated or malformed JSON, a wrong number of log-probs, and a llama.cpp-like mode without prompt log-probs).
//
//   node --import tsx test/support/reference-server.ts --dataset train.jsonl --port 8000 [--latency MS]
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EOS, hash32, NgramModel, rngFrom, type ExampleText, type MemState } from './ngram-model';

export interface Faults {
  /** Delay before every answer, in ms (a number, or [min, max] drawn per request). */
  latencyMs?: number | [number, number];
  /** Fractions of requests answered with each fault. */
  rate429?: number;
  rate500?: number;
  /** The socket is destroyed: before any answer, or halfway through the body. */
  rateDrop?: number;
  /** A 200 whose JSON body is cut short (with a matching Content-Length). */
  rateTruncate?: number;
  /** A 200 whose body is not JSON at all. */
  rateMalformed?: number;
  /** Prompt log-prob lists one entry short. */
  rateWrongCount?: number;
  /** Retry-After sent with 429s: seconds, or 'date' for an HTTP-date one second ahead. */
  retryAfter?: number | 'date';
  /** Ignores echo and has no prompt_logprobs, like llama.cpp's server. */
  llamaCpp?: boolean;
  /** Ignores prompt_logprobs but honours echo (an older or stricter OpenAI-compatible server). */
  noPromptLogprobs?: boolean;
  /** Refuses echo and prompt_logprobs with an HTTP 400 and a message of its own. */
  refuseLogprobs?: string;
  /** Routes the faults apply to (default: the scoring routes /v1/completions, /tokenize, /generate). */
  routes?: string[];
  /** Seed of the fault draws. */
  seed?: number;
}

export interface ReferenceServerOptions {
  examples: readonly ExampleText[];
  faults?: Faults;
  port?: number;
  host?: string;
  /** Served model names; the first is the base model (memorizer weight from the name's trailing number). */
  models?: string[];
  /** When set, requests without "Authorization: Bearer <apiKey>" get 401. */
  apiKey?: string;
  promptTemplate?: string;
  targetTemplate?: string;
  /**
   * The model's context in tokens (default 8192), as vLLM enforces it: a prompt longer than this is refused with
   * HTTP 400 and vLLM's message; max_tokens is cut to what the context leaves.
   */
  maxModelLen?: number;
  /**
   * Remembers each answer by route and request body and replays it for the same request, so a repeated job
   * costs the server almost nothing: benchmarks use it to measure the client alone.
   */
  replay?: boolean;
}

export interface ServerStats {
  requests: number;
  byRoute: Record<string, number>;
  faults: Record<string, number>;
  /** Largest number of requests being handled at once. */
  peakInFlight: number;
  prompts: number;
  generatedTokens: number;
  unauthorized: number;
}

export interface ReferenceServer {
  url: string;
  stats: ServerStats;
  model: NgramModel;
  /** Replaces the fault settings (e.g. to heal a server mid-test). */
  setFaults(faults: Faults): void;
  close(): Promise<void>;
}

const SCORING_ROUTES = ['/v1/completions', '/tokenize', '/generate'];

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'BadRequestError',
  ) {
    super(message);
  }
}

interface PreparedPrompt {
  ids: number[];
  text: string;
  state: MemState;
}

interface Generation {
  text: string;
  ids: number[];
  finish: 'stop' | 'length';
}

export async function startReferenceServer(opts: ReferenceServerOptions): Promise<ReferenceServer> {
  const model = new NgramModel(opts.examples, { promptTemplate: opts.promptTemplate, targetTemplate: opts.targetTemplate });
  const tok = model.tokenizer;
  const models = new Map<string, number>((opts.models ?? ['base', 'ep1', 'ep2', 'ep3']).map((m) => [m, NgramModel.weightOf(m)]));
  const baseModel = [...models.keys()][0];
  let faults: Faults = opts.faults ?? {};
  let faultRng = rngFrom(faults.seed ?? 7);
  let inFlight = 0;
  const replies = new Map<string, string>();
  const stats: ServerStats = { requests: 0, byRoute: {}, faults: {}, peakInFlight: 0, prompts: 0, generatedTokens: 0, unauthorized: 0 };
  const countFault = (name: string) => (stats.faults[name] = (stats.faults[name] ?? 0) + 1);
  const draw = (rate: number | undefined) => rate !== undefined && rate > 0 && faultRng() < rate;

  const weightOf = (name: unknown): number => {
    if (name === undefined || name === null) return models.get(baseModel)!;
    const w = models.get(String(name));
    if (w === undefined) throw new HttpFailure(404, `The model \`${String(name)}\` does not exist.`, 'NotFoundError');
    return w;
  };

  // Scoring tokenizes a prompt, then samples it: remembering recent encodings halves the tokenizer's work.
  const encoded = new Map<string, number[]>();
  const encode = (text: string, special: boolean): number[] => {
    const key = special ? text : `\u0000${text}`;
    let ids = encoded.get(key);
    if (!ids) {
      ids = tok.encode(text, special);
      if (encoded.size >= 4096) encoded.delete(encoded.keys().next().value!);
      encoded.set(key, ids);
    }
    return ids;
  };

  const maxModelLen = opts.maxModelLen ?? 8192;
  const prepare = (prompt: string | number[]): PreparedPrompt => {
    const ids = typeof prompt === 'string' ? encode(prompt, true) : prompt;
    if (ids.length > maxModelLen) {
      throw new HttpFailure(
        400,
        `This model's maximum context length is ${maxModelLen} tokens. However, your prompt contains ${ids.length} input tokens, which exceeds this limit even without any output tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=${ids.length})`,
      );
    }
    const text = typeof prompt === 'string' ? prompt : tok.decode(prompt);
    return { ids, text, state: model.startState(ids, text) };
  };

  const generate = (p: PreparedPrompt, w: number, maxTokens: number, stop: string[], greedy: boolean, rng: () => number): Generation => {
    const state: MemState = { ...p.state };
    const ew = model.exampleWeight(p.text, w);
    let a = p.ids.length >= 2 ? p.ids[p.ids.length - 2] : -1;
    let b = p.ids.length >= 1 ? p.ids[p.ids.length - 1] : -1;
    const pieces: string[] = [];
    const ids: number[] = [];
    // A stop string can only end in a piece holding its last character; only then is the text's end searched.
    const lastChars = stop.map((s) => s[s.length - 1]);
    const maxStop = stop.reduce((m, s) => Math.max(m, s.length), 0);
    while (ids.length < maxTokens) {
      const t = model.next(a, b, state, ew, rng, greedy);
      ids.push(t);
      if (t === EOS) return { text: pieces.join(''), ids, finish: 'stop' };
      const piece = tok.piece(t);
      pieces.push(piece);
      if (maxStop > 0 && lastChars.some((c) => piece.includes(c))) {
        let tail = '';
        for (let i = pieces.length - 1; i >= 0 && tail.length < maxStop + piece.length; i--) tail = pieces[i] + tail;
        let cut = -1;
        for (const s of stop) {
          const at = tail.indexOf(s, Math.max(0, tail.length - piece.length - s.length + 1));
          if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
          const text = pieces.join('');
          return { text: text.slice(0, text.length - tail.length + cut), ids, finish: 'stop' };
        }
      }
      model.advance(state, t);
      a = b;
      b = t;
    }
    return { text: pieces.join(''), ids, finish: 'length' };
  };

  /** Log-prob of every token of ids given the ones before it (null for the first). */
  const scoreSequence = (ids: readonly number[], text: string, w: number): (number | null)[] => {
    const state = model.startState([], text);
    const ew = model.exampleWeight(text, w);
    const out: (number | null)[] = [null];
    if (ids.length > 0) model.advance(state, ids[0]);
    for (let i = 1; i < ids.length; i++) {
      out.push(model.logprob(i >= 2 ? ids[i - 2] : -1, ids[i - 1], ids[i], state, ew));
      model.advance(state, ids[i]);
    }
    return out;
  };

  const promptList = (prompt: unknown): (string | number[])[] => {
    const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0);
    if (typeof prompt === 'string') return [prompt];
    if (isIds(prompt)) return [prompt];
    if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((p) => typeof p === 'string' || isIds(p))) {
      if (prompt.length > 1024) throw new HttpFailure(400, `at most 1024 prompts per request, got ${prompt.length}`);
      return prompt as (string | number[])[];
    }
    throw new HttpFailure(400, 'prompt must be a string, a list of strings, a list of token ids, or a list of token-id lists');
  };

  const completions = (body: Record<string, unknown>, wrongCount: boolean) => {
    if (typeof body.model !== 'string') throw new HttpFailure(400, 'model is required');
    const w = weightOf(body.model);
    const n = body.n ?? 1;
    if (!Number.isInteger(n) || (n as number) < 1) throw new HttpFailure(400, 'n must be at least 1');
    const maxTokens = (body.max_tokens ?? 16) as number;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new HttpFailure(400, 'max_tokens must be an integer >= 0');
    const room = (p: PreparedPrompt) => Math.min(maxTokens, maxModelLen - p.ids.length);
    const stop = body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : (body.stop as string[]);
    const seed = Number.isInteger(body.seed) ? (body.seed as number) : 0;
    const greedy = body.temperature === 0;
    if (faults.refuseLogprobs && (body.echo === true || (body.prompt_logprobs !== undefined && body.prompt_logprobs !== null))) {
      throw new HttpFailure(400, faults.refuseLogprobs);
    }
    const echo = body.echo === true && !faults.llamaCpp;
    const logprobs = body.logprobs !== undefined && body.logprobs !== null;
    const promptLogprobs = body.prompt_logprobs !== undefined && body.prompt_logprobs !== null && !faults.llamaCpp && !faults.noPromptLogprobs;
    const prompts = promptList(body.prompt);
    stats.prompts += prompts.length;
    const choices: unknown[] = [];
    let promptTokens = 0;
    let completionTokens = 0;
    const prepared = prompts.map(prepare); // every prompt is checked before any is sampled, as vLLM does
    prepared.forEach((p, i) => {
      promptTokens += p.ids.length;
      const promptScores = echo || promptLogprobs ? scoreSequence(p.ids, p.text, w) : undefined;
      for (let j = 0; j < (n as number); j++) {
        const rng = rngFrom(hash32(p.text, (seed * 0x9e3779b1 + j * 0x85ebca6b) >>> 0));
        const g = generate(p, w, room(p), stop, greedy, rng);
        completionTokens += g.ids.length;
        stats.generatedTokens += g.ids.length;
        const choice: Record<string, unknown> = {
          index: i * (n as number) + j,
          text: echo ? p.text + g.text : g.text,
          logprobs: null,
          finish_reason: g.finish,
          stop_reason: null,
        };
        if (logprobs) {
          const genScores = scoreSequence([...p.ids, ...g.ids], p.text, w).slice(p.ids.length);
          const covered = echo ? [...p.ids, ...g.ids] : g.ids;
          const lps = echo ? [...promptScores!, ...genScores] : genScores;
          if (wrongCount) lps.pop();
          choice.logprobs = {
            tokens: covered.map((id) => tok.piece(id)),
            token_logprobs: lps,
            top_logprobs: lps.map((lp, k) => (lp === null ? null : { [tok.piece(covered[k])]: lp })),
            text_offset: offsets(covered.map((id) => tok.piece(id))),
          };
        }
        if (promptLogprobs) {
          const entries = promptScores!.map((lp, k) =>
            lp === null ? 'null' : `{"${p.ids[k]}":{"logprob":${lp},"rank":1,"decoded_token":${JSON.stringify(tok.piece(p.ids[k]))}}}`,
          );
          if (wrongCount) entries.pop();
          // Spliced into the answer's JSON as text: building and stringifying an object per token costs more.
          choice.prompt_logprobs = new RawJson(`[${entries.join(',')}]`);
        }
        choices.push(choice);
      }
    });
    return {
      id: `cmpl-${stats.requests}`,
      object: 'text_completion',
      created: 0,
      model: body.model,
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  };

  const sglangGenerate = (body: Record<string, unknown>, wrongCount: boolean) => {
    const w = weightOf(body.lora_path ?? undefined);
    const single = typeof body.text === 'string' || (Array.isArray(body.input_ids) && !Array.isArray(body.input_ids[0]));
    const inputs: (string | number[])[] =
      body.text !== undefined ? (typeof body.text === 'string' ? [body.text] : (body.text as string[])) : single ? [body.input_ids as number[]] : (body.input_ids as number[][]);
    if (!Array.isArray(inputs) || inputs.length === 0) throw new HttpFailure(400, 'text or input_ids is required');
    stats.prompts += inputs.length;
    const outputs = inputs.map((raw, i) => {
      const sp = (Array.isArray(body.sampling_params) ? body.sampling_params[i] : body.sampling_params ?? {}) as Record<string, unknown>;
      const p = prepare(raw);
      const seed = Number.isInteger(sp.sampling_seed) ? (sp.sampling_seed as number) : 0;
      const rng = rngFrom(hash32(p.text, (seed * 0x9e3779b1) >>> 0));
      const stop = sp.stop === undefined ? [] : typeof sp.stop === 'string' ? [sp.stop] : (sp.stop as string[]);
      const g = generate(p, w, (sp.max_new_tokens ?? 128) as number, stop, sp.temperature === 0, rng);
      stats.generatedTokens += g.ids.length;
      const meta: Record<string, unknown> = {
        id: `gen-${stats.requests}-${i}`,
        prompt_tokens: p.ids.length,
        completion_tokens: g.ids.length,
        finish_reason: { type: g.finish },
      };
      if (body.return_logprob === true && !faults.llamaCpp) {
        const start = (body.logprob_start_len ?? -1) as number;
        const scores = scoreSequence(p.ids, p.text, w);
        const entries = scores.map((lp, k) => [lp, p.ids[k], null]).slice(Math.max(0, start));
        if (wrongCount) entries.pop();
        meta.input_token_logprobs = entries;
      }
      return { text: g.text, meta_info: meta };
    });
    return single ? outputs[0] : outputs;
  };

  const route = (method: string, path: string, body: Record<string, unknown>, wrongCount: boolean): unknown => {
    if (method === 'GET' && path === '/v1/models') {
      return { object: 'list', data: [...models.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'reference', root: id, parent: id === baseModel ? null : baseModel, max_model_len: maxModelLen })) };
    }
    if (method === 'GET' && path === '/health') return {};
    if (method === 'GET' && path === '/stats') return { ...stats, cpuMicros: process.cpuUsage() };
    if (method !== 'POST') throw new HttpFailure(405, 'Method Not Allowed');
    if (path === '/v1/completions') return completions(body, wrongCount);
    if (path === '/tokenize') {
      if (body.model !== undefined) weightOf(body.model);
      if (typeof body.prompt !== 'string') throw new HttpFailure(400, 'prompt must be a string');
      const tokens = encode(body.prompt, body.add_special_tokens !== false);
      return { count: tokens.length, max_model_len: maxModelLen, tokens };
    }
    if (path === '/generate') return sglangGenerate(body, wrongCount);
    if (path === '/v1/load_lora_adapter' || path === '/load_lora_adapter') {
      const name = body.lora_name;
      const lpath = body.lora_path;
      if (typeof name !== 'string' || typeof lpath !== 'string') throw new HttpFailure(400, 'lora_name and lora_path are required');
      if (models.has(name)) throw new HttpFailure(400, `The lora adapter '${name}' has already been loaded.`);
      models.set(name, NgramModel.weightOf(lpath.replace(/\/+$/, '')));
      return `Success: LoRA adapter '${name}' added successfully.`;
    }
    throw new HttpFailure(404, 'Not Found', 'NotFoundError');
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    stats.requests++;
    inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    try {
      const path = (req.url ?? '/').split('?')[0];
      stats.byRoute[path] = (stats.byRoute[path] ?? 0) + 1;
      const faulty = (faults.routes ?? SCORING_ROUTES).includes(path);
      const lat = faults.latencyMs;
      if (lat !== undefined) await delay(Array.isArray(lat) ? lat[0] + faultRng() * (lat[1] - lat[0]) : lat);
      if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        stats.unauthorized++;
        return sendJson(res, 401, { error: { message: 'Unauthorized: a valid API key is required', type: 'AuthenticationError', code: 401 } });
      }
      if (faulty && draw(faults.rateDrop)) {
        countFault('drop');
        res.socket?.destroy();
        return;
      }
      if (faulty && draw(faults.rate429)) {
        countFault('429');
        const ra = faults.retryAfter;
        const headers: Record<string, string> = {};
        if (ra === 'date') headers['retry-after'] = new Date(Date.now() + 1000).toUTCString();
        else if (ra !== undefined) headers['retry-after'] = String(ra);
        return sendJson(res, 429, { object: 'error', message: 'Too many requests', type: 'RateLimitError', code: 429 }, headers);
      }
      if (faulty && draw(faults.rate500)) {
        countFault('500');
        return sendJson(res, 500, { object: 'error', message: 'Internal server error (injected)', type: 'InternalServerError', code: 500 });
      }
      const replayKey = opts.replay && SCORING_ROUTES.includes(path) ? `${path}\u0000${raw}` : undefined;
      const replayed = replayKey !== undefined ? replies.get(replayKey) : undefined;
      if (replayed !== undefined) return sendText(res, 200, replayed);
      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          throw new HttpFailure(400, 'the request body is not valid JSON');
        }
      }
      const wrongCount = faulty && draw(faults.rateWrongCount);
      if (wrongCount) countFault('wrongCount');
      const result = route(req.method ?? 'GET', path, body, wrongCount);
      if (typeof result === 'string') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(result) });
        res.end(result);
        return;
      }
      const text = stringify(result);
      if (replayKey !== undefined) replies.set(replayKey, text);
      if (faulty && draw(faults.rateTruncate)) {
        countFault('truncate');
        return sendText(res, 200, text.slice(0, Math.floor(text.length / 2)));
      }
      if (faulty && draw(faults.rateMalformed)) {
        countFault('malformed');
        return sendText(res, 200, '<html>502 Bad Gateway</html>');
      }
      if (faulty && draw(faults.rateDrop)) {
        // Headers promise the whole body, then the connection dies halfway through it.
        countFault('dropMidBody');
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        return;
      }
      sendText(res, 200, text);
    } catch (err) {
      if (err instanceof HttpFailure) sendJson(res, err.status, { error: { message: err.message, type: err.type, code: err.status } });
      else sendJson(res, 500, { error: { message: (err as Error).message, type: 'InternalServerError', code: 500 } });
    } finally {
      inFlight--;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    stats,
    model,
    setFaults(f: Faults) {
      faults = f;
      faultRng = rngFrom(f.seed ?? 7);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Pre-serialised JSON: stands in the answer as a placeholder string that stringify() swaps for the text. */
const rawJson: string[] = [];
class RawJson {
  readonly placeholder: string;
  constructor(json: string) {
    this.placeholder = `\u0000raw${rawJson.push(json) - 1}\u0000`;
  }
  toJSON(): string {
    return this.placeholder;
  }
}

function stringify(value: unknown): string {
  if (rawJson.length === 0) return JSON.stringify(value);
  const text = JSON.stringify(value).replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => rawJson[Number(i)]);
  rawJson.length = 0;
  return text;
}

function offsets(pieces: string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const p of pieces) {
    out.push(at);
    at += p.length;
  }
  return out;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(value), headers);
}

function sendText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Reads {question, answer} (GSM8K) or {problem, solution} (MATH) records from a JSONL file. */
export function readExamples(file: string): ExampleText[] {
  const out: ExampleText[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    const query = r.question ?? r.problem;
    const target = r.answer ?? r.solution;
    if (typeof query === 'string' && typeof target === 'string') out.push({ query, target });
  }
  return out;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dataset = opt('dataset');
  if (!dataset) {
    console.error('usage: reference-server.ts --dataset FILE.jsonl [--port N] [--models base,ep1,ep2,ep3] [--latency MS] [--api-key KEY] [--llama-cpp] [--replay]');
    process.exit(2);
  }
  const latency = opt('latency');
  startReferenceServer({
    examples: readExamples(dataset),
    port: Number(opt('port') ?? 8000),
    models: opt('models')?.split(','),
    apiKey: opt('api-key'),
    replay: args.includes('--replay'),
    faults: { latencyMs: latency ? Number(latency) : undefined, llamaCpp: args.includes('--llama-cpp') },
  }).then(
    (s) => {
      console.log(`reference server listening on ${s.url}`);
      // Exit through process.exit so --cpu-prof and friends write their files.
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void s.close().then(() => process.exit(0)));
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
