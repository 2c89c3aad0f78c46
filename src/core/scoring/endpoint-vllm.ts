// vLLM's OpenAI-compatible server: sampling through /v1/completions (a list of prompts per request, n samples
// each), target perplexity through /tokenize and prompt log-probs over token ids (prompt_logprobs or echo).
// Checkpoints that share a tokenizer share each example's tokenization: the job scores an example at every
// checkpoint at about the same time, so a bounded cache of recent splits serves all of them.
import type { LogprobsMode } from './config';
import { PROBE_PAIR, type Backend, type ModelRef, type QueryTarget, type SamplingParams } from './endpoint';
import { HttpError, type RequestOptions } from './json-client';
import { choiceTexts, completionBody, orderedChoices, parseModelList } from './openai-shapes';
import { echoPromptLogprobs, ProtocolError, scoreSplit, splitTokens, vllmPromptLogprobs, type TargetScore, type TokenSplit } from './perplexity';
import type { ReplicaPool } from './pool';

export class VllmBackend implements Backend {
  readonly flavour = 'vllm' as const;
  /** Recent splits by tokenizer and pair, oldest first; in flight ones too, so concurrent batches wait for one. */
  private readonly splits = new Map<string, Promise<TokenSplit>>();

  constructor(
    private readonly pool: ReplicaPool,
    private readonly mode: LogprobsMode,
    /**
     * Splits kept. The job starts an example's batches for all checkpoints one after another, so a split is
     * asked for again within a few batches; a miss (batches out of step after a partial resume) costs one more
     * tokenization, never a wrong score.
     */
    private readonly splitCacheSize = 4096,
  ) {}

  listModels(base: string, signal?: AbortSignal, options?: RequestOptions): Promise<string[]> {
    return this.pool.get(base, '/v1/models', signal, parseModelList, options);
  }

  async loadAdapter(base: string, name: string, path: string, signal?: AbortSignal): Promise<void> {
    // The answer is plain text ("Success: LoRA adapter ... added successfully."), not JSON.
    await this.pool.postText([base], '/v1/load_lora_adapter', { lora_name: name, lora_path: path }, signal);
  }

  sample(bases: readonly string[], model: ModelRef, prompts: readonly string[], params: SamplingParams, signal?: AbortSignal, order?: number): Promise<string[][]> {
    return this.pool.post(bases, '/v1/completions', completionBody(model.name, prompts, params), signal, (json) => choiceTexts(json, prompts.length, params.k), order);
  }

  tokenize(bases: readonly string[], model: string, text: string, addSpecialTokens: boolean, signal?: AbortSignal, order?: number): Promise<number[]> {
    return this.pool.post(bases, '/tokenize', { model, prompt: text, add_special_tokens: addSpecialTokens }, signal, parseTokens, order);
  }

  /** Splits each pair into query and target ids; falls back to lm-evaluation-harness' separate encoding. */
  async split(bases: readonly string[], model: string, pair: QueryTarget, signal?: AbortSignal, order?: number): Promise<TokenSplit> {
    const tok = (text: string) => this.tokenize(bases, model, text, true, signal, order);
    const split = await splitTokens(pair.x, pair.y, tok);
    if (split) return split;
    const x = pair.x.replace(/\s+$/, '');
    const y = pair.x.slice(x.length) + pair.y;
    const [xIds, yIds] = await Promise.all([tok(x), this.tokenize(bases, model, y, false, signal, order)]);
    if (yIds.length === 0) throw new ProtocolError(`the target tokenizes to no tokens: ${JSON.stringify(y.slice(0, 40))}`);
    return { ids: [...xIds, ...yIds], queryTokens: xIds.length };
  }

  /** The split of a pair under the model's tokenizer, computed once while it stays among the recent ones. */
  private sharedSplit(bases: readonly string[], model: ModelRef, pair: QueryTarget, signal?: AbortSignal, order?: number): Promise<TokenSplit> {
    const key = `${model.tokenizer}\u0000${pair.x}\u0000${pair.y}`;
    let split = this.splits.get(key);
    if (!split) {
      split = this.split(bases, model.name, pair, signal, order);
      // A failed split is not kept: the next batch that needs it asks again.
      split.catch(() => this.splits.delete(key));
      this.splits.set(key, split);
      if (this.splits.size > this.splitCacheSize) this.splits.delete(this.splits.keys().next().value!);
    }
    return split;
  }

  async scoreTargets(bases: readonly string[], model: ModelRef, pairs: readonly QueryTarget[], signal?: AbortSignal, order?: number): Promise<TargetScore[]> {
    const splits = await Promise.all(pairs.map((p) => this.sharedSplit(bases, model, p, signal, order)));
    const ids = splits.map((s) => s.ids);
    const parse = (json: unknown) => {
      const choices = orderedChoices(json, ids.length, 1);
      return splits.map((s, i) => scoreSplit(s, this.extract(choices[i], s.ids, this.mode)));
    };
    return this.pool.post(bases, '/v1/completions', this.logprobsBody(model.name, ids, this.mode), signal, parse, order);
  }

  async checkPromptLogprobs(base: string, model: ModelRef, mode: LogprobsMode, signal?: AbortSignal): Promise<string | undefined> {
    let split: TokenSplit;
    try {
      split = await this.split([base], model.name, PROBE_PAIR, signal);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return `this server has no /tokenize route (${err.message}), which splitting query from target tokens needs`;
      throw err;
    }
    const tried = await this.tryMode(base, model.name, split, mode, signal);
    if (tried === undefined) return undefined;
    const other: LogprobsMode = mode === 'echo' ? 'prompt_logprobs' : 'echo';
    const alternative = await this.tryMode(base, model.name, split, other, signal);
    if (alternative === undefined) return `${tried.message}; it does support "${other}": set scoring.logprobsMode to "${other}"`;
    if (tried.lacksIt && alternative.lacksIt) return 'this server ignores echo and has no prompt_logprobs: llama.cpp-style; accuracy only';
    return `${tried.message}; with "${other}": ${alternative.message}`;
  }

  /** undefined when the mode works; else what went wrong, and whether it shows the feature is missing altogether. */
  private async tryMode(base: string, model: string, split: TokenSplit, mode: LogprobsMode, signal?: AbortSignal): Promise<{ message: string; lacksIt: boolean } | undefined> {
    let choice: unknown;
    try {
      choice = await this.pool.post([base], '/v1/completions', this.logprobsBody(model, [split.ids], mode), signal, (json) => orderedChoices(json, 1, 1)[0]);
    } catch (err) {
      // A refusal says what the server objects to; it does not show the feature is missing, so it is quoted whole.
      if (err instanceof HttpError && !err.transient) return { message: `a "${mode}" request was refused (${err.message})`, lacksIt: false };
      throw err;
    }
    try {
      scoreSplit(split, this.extract(choice, split.ids, mode));
      return undefined;
    } catch (err) {
      if (err instanceof ProtocolError) return { message: err.message, lacksIt: err.lacks === mode };
      throw err;
    }
  }

  private logprobsBody(model: string, ids: number[][], mode: LogprobsMode) {
    const body: Record<string, unknown> = { model, prompt: ids, max_tokens: 1, temperature: 0 };
    if (mode === 'echo') {
      body.echo = true;
      body.logprobs = 0;
    } else {
      // 0 asks for the prompt's own token only; large values have exhausted GPU memory.
      body.prompt_logprobs = 0;
    }
    return body;
  }

  private extract(choice: unknown, ids: readonly number[], mode: LogprobsMode): (number | null)[] {
    return mode === 'echo' ? echoPromptLogprobs(choice, ids.length) : vllmPromptLogprobs(choice, ids);
  }
}

function parseTokens(json: unknown): number[] {
  const tokens = (json as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens) || tokens.some((t) => !Number.isInteger(t))) throw new ProtocolError('/tokenize answered without a "tokens" list of ids');
  return tokens as number[];
}
