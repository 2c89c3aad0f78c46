// What a scoring server flavour provides: k samples per prompt, and (where the server can) the perplexity of
// given target traces. Each flavour speaks its server's routes through the shared ReplicaPool.
import type { Flavour, LogprobsMode } from './config';
import type { RequestOptions } from './json-client';
import type { TargetScore } from './perplexity';

/** A model on a server: its name, and whether it is a LoRA adapter over the served base model. */
export interface ModelRef {
  name: string;
  adapter: boolean;
  /** Models with the same tokenizer identity share tokenizations (CheckpointTarget.tokenizer). */
  tokenizer: string;
}

export interface SamplingParams {
  k: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** null sends no seed. */
  seed: number | null;
  stop: string[];
}

export interface QueryTarget {
  /** The prompt (query through the template). */
  x: string;
  /** The target continuation whose tokens are scored. */
  y: string;
}

export interface Backend {
  readonly flavour: Flavour;
  /** Model names a replica serves. */
  listModels(base: string, signal?: AbortSignal, options?: RequestOptions): Promise<string[]>;
  /** Loads a LoRA adapter at run time under a name. */
  loadAdapter(base: string, name: string, path: string, signal?: AbortSignal): Promise<void>;
  /**
   * k completions per prompt, in prompt order. order: the batch's sequence number, so that requests of earlier
   * batches go first when requests wait for a slot (Limiter).
   */
  sample(bases: readonly string[], model: ModelRef, prompts: readonly string[], params: SamplingParams, signal?: AbortSignal, order?: number): Promise<string[][]>;
  /** Target perplexities in pair order; absent when the flavour cannot compute them. */
  scoreTargets?(bases: readonly string[], model: ModelRef, pairs: readonly QueryTarget[], signal?: AbortSignal, order?: number): Promise<TargetScore[]>;
  /** Why scoreTargets is absent. */
  readonly noPerplexityReason?: string;
  /**
   * Sends one tiny scoring request to a replica and says what the server lacks for prompt log-probs;
   * undefined when it returned exactly one log-prob per prompt token.
   */
  checkPromptLogprobs?(base: string, model: ModelRef, mode: LogprobsMode, signal?: AbortSignal): Promise<string | undefined>;
}

/** Text of the tiny probe pair: short, with a whitespace boundary like the real templates. */
export const PROBE_PAIR: QueryTarget = { x: 'What is 2 plus 2?\nAnswer:', y: ' 4\nDone.' };
