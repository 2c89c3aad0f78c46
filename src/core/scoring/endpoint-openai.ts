// Any OpenAI-compatible completions server (llama.cpp, Ollama, hosted APIs): sampling only. The OpenAI
// completions API gives log-probs of generated tokens, never of a given prompt, so target perplexity is
// unavailable and such endpoints provide accuracy alone.
import type { Backend, ModelRef, SamplingParams } from './endpoint';
import type { RequestOptions } from './json-client';
import { choiceTexts, completionBody, parseModelList } from './openai-shapes';
import type { ReplicaPool } from './pool';

export const OPENAI_NO_PERPLEXITY =
  'the "openai" flavour cannot compute target perplexity: OpenAI-style completions return log-probs of generated tokens only, never of a given target trace. Use the "vllm" or "sglang" flavour, or set scoring.perplexity to false to score accuracy only';

export class OpenAiBackend implements Backend {
  readonly flavour = 'openai' as const;
  readonly noPerplexityReason = OPENAI_NO_PERPLEXITY;

  constructor(private readonly pool: ReplicaPool) {}

  listModels(base: string, signal?: AbortSignal, options?: RequestOptions): Promise<string[]> {
    return this.pool.get(base, '/v1/models', signal, parseModelList, options);
  }

  async loadAdapter(): Promise<void> {
    throw new Error('the "openai" flavour cannot load LoRA adapters at run time; serve them and name them in scoring.checkpoints[].model');
  }

  sample(bases: readonly string[], model: ModelRef, prompts: readonly string[], params: SamplingParams, signal?: AbortSignal, order?: number): Promise<string[][]> {
    return this.pool.post(bases, '/v1/completions', completionBody(model.name, prompts, params), signal, (json) => choiceTexts(json, prompts.length, params.k), order);
  }
}
