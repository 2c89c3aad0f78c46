// Checks the servers before a job spends GPU time: each checkpoint's model is served (loading LoRA adapters
// where the config gives a path), one tiny sampling request with the job's settings is accepted, and, when
// perplexity is wanted, one tiny scoring request returns exactly one log-prob per prompt token. Anything missing
// is refused with a message naming what the server lacks.
import { samplingParams, type ScoringConfig } from './config';
import { PROBE_PAIR, type Backend, type ModelRef } from './endpoint';
import { AbortError, HttpError } from './json-client';

/** The servers cannot do what the config asks; the message says what is missing and what to change. */
export class ScoringRefused extends Error {
  override name = 'ScoringRefused';
}

export interface ProbeResult {
  /** The model to request per checkpoint id. */
  models: Map<string, ModelRef>;
  /** The replicas that answered, per checkpoint id (unreachable ones are left out, with a note). */
  endpoints: Map<string, string[]>;
  /** Things worth telling the user that do not stop the job. */
  notes: string[];
}

export async function probeEndpoints(backend: Backend, config: ScoringConfig, signal?: AbortSignal): Promise<ProbeResult> {
  const bases = [...new Set(config.checkpoints.flatMap((c) => c.endpoints))];
  const served = new Map<string, string[]>();
  const notes: string[] = [];
  const unreachable = new Map<string, string>();
  await Promise.all(
    bases.map(async (base) => {
      try {
        served.set(base, await backend.listModels(base, signal, { firstContact: true }));
      } catch (err) {
        // A replica that cannot be reached is skipped at once (no retries) while others serve; a refusal (401,
        // 404) stops the job.
        if (err instanceof HttpError && err.transient) unreachable.set(base, err.message);
        else await guard(base, 'GET /v1/models', () => Promise.reject(err));
      }
    }),
  );

  const models = new Map<string, ModelRef>();
  const endpoints = new Map<string, string[]>();
  for (const [i, c] of config.checkpoints.entries()) {
    let adapter = backend.flavour === 'sglang' && c.loraPath !== undefined;
    const live = c.endpoints.filter((b) => !unreachable.has(b));
    if (live.length === 0) throw new ScoringRefused(`checkpoint '${c.id}': no replica answers: ${c.endpoints.map((b) => unreachable.get(b)).join('; ')}`);
    endpoints.set(c.id, live);
    for (const base of live) {
      let names = served.get(base)!;
      if (!names.includes(c.model) && c.loraPath !== undefined) {
        await guard(base, `loading LoRA adapter '${c.model}' from ${c.loraPath}`, () => backend.loadAdapter(base, c.model, c.loraPath!, signal));
        names = await listModels(backend, base, signal);
        served.set(base, names);
      }
      if (backend.flavour === 'sglang') {
        // SGLang lists the served model first; adapters given at launch (--lora-paths) are not always listed.
        if (names[0] !== c.model) adapter = true;
        if (!names.includes(c.model)) notes.push(`${base} does not list '${c.model}'; it is requested as a LoRA adapter (lora_path)`);
        continue;
      }
      if (!names.includes(c.model)) {
        throw new ScoringRefused(
          `checkpoint '${c.id}': model '${c.model}' is not served by ${base}; it serves: ${names.length ? names.join(', ') : '(nothing)'}. ` +
            `Set scoring.checkpoints[${i}].model to one of those, or scoring.checkpoints[${i}].loraPath to load the adapter at run time`,
        );
      }
    }
    models.set(c.id, { name: c.model, adapter, tokenizer: c.tokenizer });
  }

  for (const [base, why] of unreachable) notes.push(`${base} does not answer and is left out of this job: ${why}`);

  // Settings the server refuses (a seed it does not know, say) stop the job here; later refusals are then about
  // single examples, which the job sets aside.
  const sampling = { ...samplingParams(config), maxTokens: 1 };
  for (const c of config.checkpoints) {
    const model = models.get(c.id)!;
    for (const base of endpoints.get(c.id)!) {
      await guard(base, `a sampling request for '${model.name}'`, () => backend.sample([base], model, [PROBE_PAIR.x], sampling, signal));
    }
  }

  if (config.perplexity) {
    if (!backend.scoreTargets || !backend.checkPromptLogprobs) throw new ScoringRefused(backend.noPerplexityReason ?? `the "${backend.flavour}" flavour cannot compute target perplexity`);
    const checked = new Set<string>();
    for (const c of config.checkpoints) {
      for (const base of endpoints.get(c.id)!) {
        if (checked.has(base)) continue;
        checked.add(base);
        const model = models.get(c.id)!;
        const lacking = await guard(base, 'the prompt log-prob probe', () => backend.checkPromptLogprobs!(base, model, config.logprobsMode, signal));
        if (lacking !== undefined) {
          throw new ScoringRefused(`${base} (model '${model.name}') cannot give the target perplexity: ${lacking}. Set scoring.perplexity to false to score accuracy only`);
        }
      }
    }
  }
  return { models, endpoints, notes };
}

function listModels(backend: Backend, base: string, signal?: AbortSignal): Promise<string[]> {
  return guard(base, 'GET /v1/models', () => backend.listModels(base, signal));
}

async function guard<T>(base: string, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AbortError) throw err;
    if (err instanceof HttpError) throw new ScoringRefused(`${base}: ${what} failed: ${err.message}`);
    throw new ScoringRefused(`${base}: ${what} failed: ${(err as Error).message}`);
  }
}
