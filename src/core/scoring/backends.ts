// The backend for a config's flavour.
import type { ScoringConfig } from './config';
import type { Backend } from './endpoint';
import { OpenAiBackend } from './endpoint-openai';
import { SglangBackend } from './endpoint-sglang';
import { VllmBackend } from './endpoint-vllm';
import type { ReplicaPool } from './pool';

export function createBackend(config: Pick<ScoringConfig, 'flavour' | 'logprobsMode'>, pool: ReplicaPool): Backend {
  switch (config.flavour) {
    case 'vllm':
      return new VllmBackend(pool, config.logprobsMode);
    case 'sglang':
      return new SglangBackend(pool);
    case 'openai':
      return new OpenAiBackend(pool);
  }
}
