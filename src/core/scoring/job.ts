// A scoring job: for every selected (checkpoint, example) not yet in the run log, k samples graded against the
// target's answer, the target's perplexity, and the robustness probes, appended to the log as results arrive.
// Resumable (what the log holds is skipped), cancellable (what arrived is written), and flat in memory: work is
// drawn from the selection as slots free up, and records leave memory once written.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { holdLock, LockHeldError } from '../file-lock';
import { gradeAgainst, referenceAnswer } from '../grading';
import type { Dataset, GradingTask, OutcomeName } from '../model';
import type { CheckpointRecord, ExampleRecord, PreMemRecord, RunRecord, SampleSet } from '../runlog/premem/records';
import { COMPLETED_KEY_SEPARATOR, PreMemLogWriter, readCompletedKeys } from '../runlog/premem/log-writer';
import { createBackend } from './backends';
import { fillTemplate, perturbedPrompt, samplingParams, type CheckpointTarget, type ScoringConfig } from './config';
import type { Backend, SamplingParams } from './endpoint';
import { AbortError, HttpError, JsonClient, type HttpOptions } from './json-client';
import { Limiter } from './limiter';
import { linkedController, ReplicaPool, type ReplicaHealthOptions } from './pool';
import { probeEndpoints, type ProbeResult } from './probe';
import { etaSeconds, RateMeter, type ScoringProgress } from './progress';
import { resolveSelection, selectionIndices, type ExampleSelection } from './selection';

export interface ScoringJobOptions {
  dataset: Dataset;
  config: ScoringConfig;
  /** The run log appended to (created with its folder when missing). */
  logPath: string;
  /** Run id written in every record. */
  run: string;
  /** Default: every example. */
  examples?: ExampleSelection;
  /** Checkpoint ids to score (default: all in the config), in config order. */
  checkpoints?: readonly string[];
  /** The grader; default: the dataset profile's task. */
  task?: GradingTask;
  /** Sent as a Bearer token; never logged. */
  apiKey?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ScoringProgress) => void;
  /** Messages worth showing that do not stop the job (probe notes, retried failures). */
  onNote?: (message: string) => void;
  /** How often progress is reported while nothing is written (default 1000 ms). */
  progressIntervalMs?: number;
  /** Overrides of the HTTP client's settings (backoff, transport), mostly for tests and benchmarks. */
  http?: Partial<HttpOptions>;
  /** Overrides of when a replica is marked down and probed, mostly for tests. */
  replicas?: Partial<ReplicaHealthOptions>;
}

export interface ScoringSummary {
  status: 'complete' | 'cancelled' | 'failed';
  /** Why the job failed; the log keeps everything finished before. */
  error?: Error;
  progress: ScoringProgress;
  /** (checkpoint, example) pairs the server refused (HTTP 400 for the example alone): not in the log. */
  refused: RefusedExample[];
}

/** An example a server would not score, for example one longer than the model's context. */
export interface RefusedExample {
  checkpoint: string;
  index: number;
  key: string;
  /** The server's answer. */
  reason: string;
}

const OUTCOME_CODE: Record<OutcomeName, number> = { correct: 0, wrong: 1, unparseable: 2 };

/**
 * Runs the job while holding a lock on (log, run), so that a second job started on the same run and log (from the
 * CLI and VS Code, say) is refused at once instead of scoring the same examples again.
 */
export async function runScoringJob(opts: ScoringJobOptions): Promise<ScoringSummary> {
  await mkdir(path.dirname(path.resolve(opts.logPath)), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await holdLock(scoringLockPath(opts.logPath, opts.run));
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    const who = err.owner?.pid !== undefined ? ` (process ${err.owner.pid} on ${err.owner.host ?? '?'}, since ${err.owner.time ?? '?'})` : '';
    throw new ScoringJobRunning(`${opts.logPath}: another scoring job is writing run '${opts.run}' to this log${who}; wait for it to finish or stop it first`);
  }
  try {
    return await scoreUnderLock(opts);
  } finally {
    await release();
  }
}

export class ScoringJobRunning extends Error {}

/** The lock file of a (log, run): hidden, beside the log; the run id is hashed (it may hold any character). */
export function scoringLockPath(logPath: string, run: string): string {
  const id = createHash('sha256').update(run).digest('hex').slice(0, 12);
  return path.join(path.dirname(path.resolve(logPath)), `.${path.basename(logPath)}.${id}.scoring.lock`);
}

async function scoreUnderLock(opts: ScoringJobOptions): Promise<ScoringSummary> {
  const started = performance.now();
  const { dataset, config, run } = opts;
  const task = opts.task ?? dataset.profile.task;
  const checkpoints = pickCheckpoints(config.checkpoints, opts.checkpoints);
  const resolved = await resolveSelection(opts.examples ?? 'all', { dataset, run, checkpoints });

  const controller = linkedController(opts.signal);
  const signal = controller.signal;
  const client = new JsonClient({
    apiKey: opts.apiKey,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    maxSockets: config.concurrency,
    onRetry: (r) => opts.onNote?.(`retrying ${r.url} in ${(r.delayMs / 1000).toFixed(1)}s (attempt ${r.attempt}): ${r.reason}`),
    ...opts.http,
  });
  const pool = new ReplicaPool(client, new Limiter(config.concurrency), { onNote: opts.onNote, ...opts.replicas });
  const backend = createBackend(config, pool);
  try {
    let probe: ProbeResult;
    try {
      probe = await probeEndpoints(backend, { ...config, checkpoints }, signal);
    } catch (err) {
      if (err instanceof AbortError && opts.signal?.aborted) {
        const elapsedSeconds = (performance.now() - started) / 1000;
        return { status: 'cancelled', refused: [], progress: { done: 0, total: 0, skipped: 0, rate: 0, etaSeconds: NaN, errors: client.failures, retries: client.retries, elapsedSeconds } };
      }
      throw err;
    }
    for (const note of probe.notes) opts.onNote?.(note);

    const completed = await readCompletedKeys(opts.logPath, run);
    let total = 0;
    let skipped = 0;
    for (const index of selectionIndices(resolved, dataset.size)) {
      const key = dataset.keys[index];
      for (const c of checkpoints) {
        if (completed.has(c.id + COMPLETED_KEY_SEPARATOR + key)) skipped++;
        else total++;
      }
    }

    const writer = await PreMemLogWriter.open(opts.logPath);
    const meter = new RateMeter();
    let done = 0;
    const progress = (): ScoringProgress => {
      const rate = meter.rate();
      return {
        done,
        total,
        skipped,
        rate,
        etaSeconds: etaSeconds(done, total, rate),
        errors: client.failures,
        retries: client.retries,
        elapsedSeconds: (performance.now() - started) / 1000,
      };
    };
    meter.observe(0);
    opts.onProgress?.(progress());
    const ticker = setInterval(() => {
      meter.observe(done);
      opts.onProgress?.(progress());
    }, opts.progressIntervalMs ?? 1000);
    ticker.unref?.();

    let failure: Error | undefined;
    const fail = (err: unknown) => {
      if (failure || (err instanceof AbortError && signal.aborted)) return;
      failure = err instanceof Error ? err : new Error(String(err));
      controller.abort(failure);
    };
    const sink = new RecordSink(writer, (n) => {
      done += n;
      meter.observe(done);
      opts.onProgress?.(progress());
    }, fail);

    const refused: RefusedExample[] = [];
    try {
      sink.push(headerRecords(run, config, checkpoints, completed));
      const scorer = new BatchScorer(backend, config, dataset, run, task, probe, signal);
      const inFlight = new Set<Promise<void>>();
      let batches = 0;
      const start = (c: CheckpointTarget, batch: number[]) => {
        const p: Promise<void> = scorer
          .score(c, batch, batches++)
          .then((scored) => {
            for (const r of scored.refused) {
              refused.push(r);
              opts.onNote?.(`checkpoint '${r.checkpoint}', example ${r.index} (line ${dataset.lines[r.index]}): refused by the server, not scored: ${r.reason}`);
            }
            sink.push(scored.records);
          }, fail)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      };
      const pending = new Map<string, number[]>(checkpoints.map((c) => [c.id, []]));
      // Enough batches in flight to keep `concurrency` requests busy; the Limiter queues the rest.
      const maxBatches = Math.max(2, config.concurrency);
      dispatch: for (const index of selectionIndices(resolved, dataset.size)) {
        const key = dataset.keys[index];
        for (const c of checkpoints) {
          if (completed.has(c.id + COMPLETED_KEY_SEPARATOR + key)) continue;
          const batch = pending.get(c.id)!;
          batch.push(index);
          if (batch.length < config.batchSize) continue;
          pending.set(c.id, []);
          while (inFlight.size >= maxBatches && !signal.aborted) await Promise.race(inFlight);
          if (signal.aborted) break dispatch;
          start(c, batch);
        }
      }
      for (const c of checkpoints) {
        const batch = pending.get(c.id)!;
        if (batch.length > 0 && !signal.aborted) start(c, batch);
      }
      await Promise.all(inFlight);
      await sink.drain();
    } finally {
      clearInterval(ticker);
      await sink.drain();
      await writer.close().catch(fail);
    }
    meter.observe(done);
    const last = progress();
    opts.onProgress?.(last);
    if (failure) return { status: 'failed', error: failure, progress: last, refused };
    if (opts.signal?.aborted) return { status: 'cancelled', progress: last, refused };
    return { status: 'complete', progress: last, refused };
  } finally {
    pool.close();
    client.close();
  }
}

function pickCheckpoints(all: readonly CheckpointTarget[], ids: readonly string[] | undefined): CheckpointTarget[] {
  if (!ids) return [...all];
  const byId = new Map(all.map((c) => [c.id, c]));
  return ids.map((id) => {
    const c = byId.get(id);
    if (!c) throw new RangeError(`unknown checkpoint '${id}'; scoring.checkpoints has: ${all.map((x) => x.id).join(', ')}`);
    return c;
  });
}

/** The run record (first time only) and one checkpoint record per checkpoint the log has no example of yet. */
function headerRecords(run: string, config: ScoringConfig, checkpoints: readonly CheckpointTarget[], completed: ReadonlySet<string>): PreMemRecord[] {
  const started = new Set<string>();
  for (const k of completed) started.add(k.slice(0, k.indexOf(COMPLETED_KEY_SEPARATOR)));
  const out: PreMemRecord[] = [];
  if (completed.size === 0) {
    const meta = {
      scoredBy: 'premem',
      flavour: config.flavour,
      models: Object.fromEntries(checkpoints.map((c) => [c.id, c.model])),
      k: config.k,
      temperature: config.temperature,
      topP: config.topP,
      seed: config.seed,
      maxTokens: config.maxTokens,
      promptTemplate: config.promptTemplate,
      targetTemplate: config.targetTemplate,
      stop: config.stop,
    };
    out.push({ v: 1, type: 'run', run, meta } satisfies RunRecord);
  }
  for (const c of checkpoints) {
    if (!started.has(c.id)) out.push({ v: 1, type: 'checkpoint', run, checkpoint: c.id, step: c.step } satisfies CheckpointRecord);
  }
  return out;
}

/** Scores one batch of examples at one checkpoint: the requests go out together, records come back together. */
class BatchScorer {
  private readonly params: SamplingParams;

  constructor(
    private readonly backend: Backend,
    private readonly config: ScoringConfig,
    private readonly dataset: Dataset,
    private readonly run: string,
    private readonly task: GradingTask,
    private readonly probe: ProbeResult,
    private readonly signal: AbortSignal,
  ) {
    this.params = samplingParams(config);
  }

  /**
   * Scores the batch; when the server refuses it (HTTP 400), each example is sent alone, so that one example
   * it cannot take (longer than the model's context, say) is set aside instead of stopping the job. The probe
   * has sent the same request shape, so a 400 here is about the examples, not the settings.
   */
  async score(c: CheckpointTarget, indices: readonly number[], order: number): Promise<{ records: ExampleRecord[]; refused: RefusedExample[] }> {
    try {
      return { records: await this.scoreTogether(c, indices, order), refused: [] };
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 400)) throw err;
      if (indices.length === 1) return { records: [], refused: [{ checkpoint: c.id, index: indices[0], key: this.dataset.keys[indices[0]], reason: err.message }] };
      const alone = await Promise.all(indices.map((i) => this.score(c, [i], order)));
      return { records: alone.flatMap((a) => a.records), refused: alone.flatMap((a) => a.refused) };
    }
  }

  /** order: the batch's sequence number; its requests go before those of later batches (see Limiter). */
  private async scoreTogether(c: CheckpointTarget, indices: readonly number[], order: number): Promise<ExampleRecord[]> {
    const { backend, config, signal } = this;
    const model = this.probe.models.get(c.id)!;
    const endpoints = this.probe.endpoints.get(c.id)!;
    const examples = await Promise.all(indices.map((i) => this.dataset.get(i)));
    const prompts = examples.map((e) => fillTemplate(config.promptTemplate, e.query, e.target));
    const sampling = backend.sample(endpoints, model, prompts, this.params, signal, order);
    const probes = config.perturbations.map((prefix) =>
      backend.sample(
        endpoints,
        model,
        prompts.map((p) => perturbedPrompt(p, prefix)),
        this.params,
        signal,
        order,
      ),
    );
    const perplexity =
      config.perplexity && backend.scoreTargets
        ? backend.scoreTargets(
            endpoints,
            model,
            examples.map((e, i) => ({ x: prompts[i], y: fillTemplate(config.targetTemplate, e.query, e.target) })),
            signal,
            order,
          )
        : undefined;
    // Settle every request before returning, so a failure does not leave others running unobserved.
    const [samples, probeSamples, scores] = await allSettledOrThrow([sampling, Promise.all(probes), perplexity]);
    return examples.map((e, i) => {
      const answer = referenceAnswer(this.task, e);
      const record: ExampleRecord = {
        v: 1,
        type: 'example',
        run: this.run,
        checkpoint: c.id,
        step: c.step,
        key: e.key,
        index: e.index,
        ...this.grade(answer, samples[i]),
      };
      const s = scores?.[i];
      if (s) {
        if (Number.isFinite(s.perplexity)) record.perplexity = s.perplexity;
        if (Number.isFinite(s.nll)) record.nll = s.nll;
        record.tokens = s.tokens;
      }
      if (config.perturbations.length > 0) {
        record.perturbations = Object.fromEntries(config.perturbations.map((prefix, p) => [prefix, this.grade(answer, probeSamples[p][i])]));
      }
      return record;
    });
  }

  private grade(answer: string | null, samples: readonly string[]): Required<SampleSet> {
    const outcomes: number[] = [];
    const answers: (string | null)[] = [];
    for (const text of samples) {
      const g = gradeAgainst(this.task, answer, text);
      outcomes.push(OUTCOME_CODE[g.outcome]);
      answers.push(g.answer);
    }
    return { outcomes, answers, samples: [...samples] };
  }
}

async function allSettledOrThrow<A, B, C>(promises: [Promise<A>, Promise<B>, Promise<C> | undefined]): Promise<[A, B, C | undefined]> {
  const settled = await Promise.allSettled(promises.map((p) => p ?? Promise.resolve(undefined)));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof AbortError));
  const aborted = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  if (aborted) throw aborted.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [A, B, C | undefined];
}

/**
 * Appends records in as few writes as possible: while one append (write + fsync) is on its way, arriving
 * records gather for the next, so the log keeps up with any rate without one fsync per batch.
 */
class RecordSink {
  private queued: PreMemRecord[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly writer: PreMemLogWriter,
    private readonly onWritten: (examples: number) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(records: readonly PreMemRecord[]): void {
    for (const r of records) this.queued.push(r);
    this.kick();
  }

  async drain(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private kick(): void {
    if (this.writing || this.queued.length === 0) return;
    this.writing = this.flush().finally(() => {
      this.writing = undefined;
      this.kick(); // records that arrived while the last append was finishing
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued;
        this.queued = [];
        await this.writer.append(batch);
        let examples = 0;
        for (const r of batch) if (r.type === undefined || r.type === 'example') examples++;
        if (examples > 0) this.onWritten(examples);
      }
    } catch (err) {
      this.queued = [];
      this.onError(err);
    }
  }
}
