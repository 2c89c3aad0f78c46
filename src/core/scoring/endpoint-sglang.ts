// SGLang's native /generate route. Sampling repeats each prompt k times (SGLang prefers that to n > 1), with
// seed + j for repeat j so the repeats differ. Perplexity needs no /tokenize: one /generate over the texts x and
// x+y with return_logprob and logprob_start_len 0 gives every prompt token's id and log-prob, which both
// splits the query from the target (x's ids must prefix x+y's) and scores the target.
import type { LogprobsMode } from './config';
import { PROBE_PAIR, type Backend, type ModelRef, type QueryTarget, type SamplingParams } from './endpoint';
import { HttpError, type RequestOptions } from './json-client';
import { parseModelList } from './openai-shapes';
import { ProtocolError, scoreRange, type TargetScore } from './perplexity';
import type { ReplicaPool } from './pool';

interface InputTokens {
  ids: number[];
  logprobs: (number | null)[];
}

export class SglangBackend implements Backend {
  readonly flavour = 'sglang' as const;

  constructor(private readonly pool: ReplicaPool) {}

  listModels(base: string, signal?: AbortSignal, options?: RequestOptions): Promise<string[]> {
    return this.pool.get(base, '/v1/models', signal, parseModelList, options);
  }

  async loadAdapter(base: string, name: string, path: string, signal?: AbortSignal): Promise<void> {
    await this.pool.postText([base], '/load_lora_adapter', { lora_name: name, lora_path: path }, signal);
  }

  sample(bases: readonly string[], model: ModelRef, prompts: readonly string[], p: SamplingParams, signal?: AbortSignal, order?: number): Promise<string[][]> {
    const text: string[] = [];
    const params: Record<string, unknown>[] = [];
    for (const prompt of prompts) {
      for (let j = 0; j < p.k; j++) {
        text.push(prompt);
        const sp: Record<string, unknown> = { temperature: p.temperature, top_p: p.topP, max_new_tokens: p.maxTokens, stop: p.stop };
        if (p.seed !== null) sp.sampling_seed = p.seed + j;
        params.push(sp);
      }
    }
    const body = this.withAdapter({ text, sampling_params: params }, model);
    const parse = (json: unknown) => {
      const outputs = outputList(json, text.length);
      const out: string[][] = [];
      for (let i = 0; i < prompts.length; i++) {
        const texts: string[] = [];
        for (let j = 0; j < p.k; j++) {
          const t = (outputs[i * p.k + j] as { text?: unknown } | null)?.text;
          if (typeof t !== 'string') throw new ProtocolError(`output ${i * p.k + j} has no string "text"`);
          texts.push(t);
        }
        out.push(texts);
      }
      return out;
    };
    return this.pool.post(bases, '/generate', body, signal, parse, order);
  }

  async scoreTargets(bases: readonly string[], model: ModelRef, pairs: readonly QueryTarget[], signal?: AbortSignal, order?: number): Promise<TargetScore[]> {
    const scores: (TargetScore | undefined)[] = await this.scoreRound(bases, model, pairs, signal, order);
    // A tokenizer that glues whitespace to the next word: move x's trailing whitespace onto y and try again.
    const retry = pairs.map((p, i) => ({ p, i })).filter(({ p, i }) => !scores[i] && /\s$/.test(p.x));
    if (retry.length > 0) {
      const moved = retry.map(({ p }) => {
        const x = p.x.replace(/\s+$/, '');
        return { x, y: p.x.slice(x.length) + p.y };
      });
      const second = await this.scoreRound(bases, model, moved, signal, order);
      retry.forEach(({ i }, r) => (scores[i] = second[r]));
    }
    return scores.map((s, i) => {
      if (s) return s;
      throw new ProtocolError(`the query's tokens are not a prefix of query+target's tokens for pair ${i}, even with trailing whitespace moved to the target`);
    });
  }

  async checkPromptLogprobs(base: string, model: ModelRef, _mode: LogprobsMode, signal?: AbortSignal): Promise<string | undefined> {
    let outputs: unknown[];
    try {
      outputs = await this.pool.post([base], '/generate', this.logprobBody([PROBE_PAIR.x + PROBE_PAIR.y], model), signal, (json) => outputList(json, 1));
    } catch (err) {
      if (err instanceof HttpError && !err.transient) return `a /generate request with return_logprob was refused (${err.message})`;
      throw err;
    }
    // Checked outside the request: a server that lacks the feature lacks it on every retry.
    try {
      const tokens = inputTokens(outputs[0]);
      return tokens.ids.length > 1 ? undefined : `the server returned ${tokens.ids.length} input log-prob(s) for the probe prompt`;
    } catch (err) {
      if (err instanceof ProtocolError) return err.message;
      throw err;
    }
  }

  /** Scores pairs whose split works; undefined for the others. */
  private scoreRound(bases: readonly string[], model: ModelRef, pairs: readonly QueryTarget[], signal?: AbortSignal, order?: number): Promise<(TargetScore | undefined)[]> {
    const texts = pairs.flatMap((p) => [p.x, p.x + p.y]);
    const parse = (json: unknown) => {
      const outputs = outputList(json, texts.length).map((o) => inputTokens(o));
      return pairs.map((_, i) => {
        const x = outputs[2 * i];
        const all = outputs[2 * i + 1];
        if (x.ids.length >= all.ids.length || x.ids.some((id, j) => id !== all.ids[j])) return undefined;
        return scoreRange(all.logprobs, x.ids.length, all.ids.length);
      });
    };
    return this.pool.post(bases, '/generate', this.logprobBody(texts, model), signal, parse, order);
  }

  private logprobBody(text: string[], model: ModelRef) {
    return this.withAdapter({ text, sampling_params: { max_new_tokens: 1, temperature: 0 }, return_logprob: true, logprob_start_len: 0 }, model);
  }

  private withAdapter(body: Record<string, unknown>, model: ModelRef) {
    if (model.adapter) body.lora_path = model.name;
    return body;
  }
}

function outputList(json: unknown, expected: number): unknown[] {
  const list = Array.isArray(json) ? json : [json];
  if (list.length !== expected) throw new ProtocolError(`/generate answered ${list.length} outputs for ${expected} inputs`);
  return list;
}

/** meta_info.input_token_logprobs: [[logprob | null, token_id, text | null], ...], checked against meta_info.prompt_tokens. */
function inputTokens(output: unknown): InputTokens {
  const meta = (output as { meta_info?: { input_token_logprobs?: unknown; prompt_tokens?: unknown } } | null)?.meta_info;
  const entries = meta?.input_token_logprobs;
  if (!Array.isArray(entries)) throw new ProtocolError('the output has no meta_info.input_token_logprobs: the server ignores "return_logprob"', 'return_logprob');
  if (typeof meta?.prompt_tokens === 'number' && meta.prompt_tokens !== entries.length) {
    throw new ProtocolError(`the server returned ${entries.length} input log-probs for ${meta.prompt_tokens} prompt tokens; expected exactly one per token`);
  }
  const ids: number[] = [];
  const logprobs: (number | null)[] = [];
  entries.forEach((e, i) => {
    if (!Array.isArray(e) || !Number.isInteger(e[1])) throw new ProtocolError(`input log-prob entry ${i} is not [logprob, token_id, text]`);
    const lp = e[0];
    if (lp !== null && (typeof lp !== 'number' || Number.isNaN(lp))) throw new ProtocolError(`input log-prob entry ${i} has log-prob ${JSON.stringify(lp)}`);
    ids.push(e[1] as number);
    logprobs.push(lp as number | null);
  });
  return { ids, logprobs };
}
