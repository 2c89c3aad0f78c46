// `premem score`: scores training examples at each checkpoint through GPU servers (vLLM, SGLang, or any
// OpenAI-compatible one) and appends the results to a PreMem run log, resumably.
import path from 'node:path';
import { readConfig, type PreMemConfig } from '../core/config';
import { openDataset } from '../core/dataset/open';
import { FlagStore } from '../core/flags/flag-store';
import type { Dataset } from '../core/model';
import { parseScoringConfig } from '../core/scoring/config';
import { AnalysisSession } from '../core/session';
import { runScoringJob, ScoringJobRunning } from '../core/scoring/job';
import { ScoringRefused } from '../core/scoring/probe';
import { formatProgress, formatProgressBar, type ScoringProgress } from '../core/scoring/progress';
import { readSelectionFile, type ExampleSelection } from '../core/scoring/selection';
import { parse, UsageError } from './args';
import { DATASET_OPTIONS, profileFromOptions } from './dataset-options';
import { formatProblems } from './problems';
import { SIGNAL_EXIT_CODES } from './signals';

const HELP = `usage: premem score [--config premem.json] [--run ID] [--checkpoints A,B] [--examples all|fragile|flagged|FILE]
                    [--checkpoint ID] [--out LOG] [--quiet] [--profile NAME | --query FIELD --target FIELD|TEMPLATE [--answer FIELD]]

  Samples each selected training example k times at each checkpoint, grades the samples, computes the target's
  perplexity, and appends one record per (checkpoint, example) to a PreMem run log as results arrive. Examples
  the log already holds for the run are skipped, so an interrupted job resumes where it stopped. The servers
  are set in the "scoring" section of premem.json (see docs/scoring.md); the API key, if any, is read from the
  environment variable named by scoring.apiKeyEnv (default PREMEM_API_KEY).

  --config FILE      the workspace file (default: premem.json in the current folder)
  --run ID           the run id written in every record (default: "scored")
  --checkpoints A,B  only these ids of scoring.checkpoints (default: all)
  --examples SEL     all (default); fragile (trained-on examples with PreMemAcc <= t, as the editor marks them: at
                     the last checkpoint of the first run of "runs", or of the run named by --run when "runs" has
                     it; runs read as the editor reads them, those of another size than the dataset left out);
                     flagged (flagged examples, not "keep"); or a file with one example key or dataset index per line
  --checkpoint ID    with --examples fragile: the checkpoint of that run whose PreMemAcc picks them (default: its
                     last, as the editor selects by default)
  --out LOG          the run log (default: the config's "output", runs/scored.premem.jsonl)
  --quiet            no progress output
  --profile, --query, --target, --answer
                     how the dataset maps to query and target, over premem.json's "profile" (see premem analyze --help)

  Ctrl-C or SIGTERM stops cleanly (what has arrived is written, the lock is released, and one line says how
  many records the log holds); a second one stops at once.
  Exit codes: 0 done, 1 failed, refused, or examples the server refused (named by file and line), 2 usage,
  130 cancelled by Ctrl-C (SIGINT), 143 stopped by SIGTERM.`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(
    argv,
    {
      config: { type: 'string', default: 'premem.json' },
      run: { type: 'string', default: 'scored' },
      checkpoints: { type: 'string' },
      examples: { type: 'string', default: 'all' },
      checkpoint: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      profile: DATASET_OPTIONS.profile,
      query: DATASET_OPTIONS.query,
      target: DATASET_OPTIONS.target,
      answer: DATASET_OPTIONS.answer,
    },
    HELP,
  );
  const config = await readConfig(path.resolve(o.config!));
  const run = o.run!;
  if (run.trim() === '') throw new UsageError('--run must not be empty');
  const checkpoints = o.checkpoints?.split(',').map((s) => s.trim()).filter(Boolean);

  if (o.checkpoint !== undefined && o.examples !== 'fragile') throw new UsageError('--checkpoint chooses where fragile examples are picked: it goes with --examples fragile');

  // Fragile examples come from the runs, read as the editor reads them (AnalysisSession), whose dataset the job uses.
  const profile = profileFromOptions(o, config);
  const session = o.examples === 'fragile' ? await AnalysisSession.open({ ...config, profile }) : undefined;
  const dataset = session?.dataset ?? (await openDataset(config.dataset, profile));
  try {
    const problems = session?.problems ?? dataset.problems;
    if (problems.length) console.error(formatProblems(problems));
    const scoring = parseScoringConfig(config.scoring, dataset.profile.task, config.file);
    if (checkpoints) {
      const known = new Set(scoring.checkpoints.map((c) => c.id));
      const unknown = checkpoints.filter((c) => !known.has(c));
      if (unknown.length) throw new UsageError(`--checkpoints: unknown ${unknown.join(', ')}; scoring.checkpoints has ${[...known].join(', ')}`);
    }
    const examples = session ? fragileExamples(session, run, o.checkpoint) : await selection(o.examples!, config, dataset);
    const apiKey = process.env[scoring.apiKeyEnv] || undefined;
    const out = o.out ? path.resolve(o.out) : config.output;

    const progress = new ProgressPrinter(o.quiet!);
    const controller = new AbortController();
    // The first SIGINT or SIGTERM stops the job cleanly: what has arrived is written and the lock released. A
    // second one exits at once (what is written stays; a lock left behind is taken over by the next job).
    let stoppedBy: StopSignal | undefined;
    const onSignal = (signal: StopSignal) => {
      if (stoppedBy) process.exit(SIGNAL_EXIT_CODES[signal]);
      stoppedBy = signal;
      if (signal === 'SIGINT') progress.note('cancelling: writing what has arrived (Ctrl-C again to stop at once)');
      controller.abort();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    try {
      const summary = await runScoringJob({
        dataset,
        config: scoring,
        logPath: out,
        run,
        examples,
        checkpoints,
        apiKey,
        signal: controller.signal,
        onProgress: (p) => progress.update(p),
        onNote: (m) => progress.note(m),
      });
      progress.end();
      const p = summary.progress;
      const skipped = p.skipped ? `, ${p.skipped} already in the log` : '';
      if (summary.status === 'failed') {
        console.error(`premem score: ${summary.error?.message ?? 'failed'}`);
        console.error(`premem score: ${p.done} of ${p.total} written to ${out}${skipped}; run the same command again to resume`);
        return 1;
      }
      if (summary.status === 'cancelled') {
        const how = stoppedBy === 'SIGTERM' ? 'stopped by SIGTERM' : 'cancelled';
        console.error(`premem score: ${how}; ${p.done} of ${p.total} written to ${out}${skipped}; run the same command again to resume`);
        return SIGNAL_EXIT_CODES[stoppedBy ?? 'SIGINT'];
      }
      const refused = summary.refused.length ? `; ${summary.refused.length} refused` : '';
      console.error(`premem score: ${p.done} (checkpoint, example) records written to ${out} in ${p.elapsedSeconds.toFixed(1)}s${skipped}${refused}`);
      if (summary.refused.length === 0) return 0;
      // Examples the server would not take (longer than its context, say): bad input for that server.
      for (const r of summary.refused.slice(0, MAX_REFUSED_SHOWN)) {
        console.error(`premem score: ${dataset.path}:${dataset.lines[r.index]} (checkpoint ${r.checkpoint}): refused by the server, not scored: ${r.reason}`);
      }
      if (summary.refused.length > MAX_REFUSED_SHOWN) console.error(`premem score: ... and ${summary.refused.length - MAX_REFUSED_SHOWN} more refused`);
      return 1;
    } catch (err) {
      progress.end();
      if (err instanceof ScoringRefused || err instanceof RangeError || err instanceof ScoringJobRunning) {
        console.error(`premem score: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    }
  } finally {
    await (session ?? dataset).close();
  }
}

const MAX_REFUSED_SHOWN = 10;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

async function selection(value: string, config: PreMemConfig, dataset: Dataset): Promise<ExampleSelection> {
  if (value === 'all') return 'all';
  if (value === 'flagged') {
    const flags = await FlagStore.open(config.dataset);
    if (flags.problems.length) console.error(formatProblems(flags.problems));
    return flags.recollectionIndices(dataset);
  }
  return readSelectionFile(path.resolve(value), dataset);
}

/**
 * The examples the editor marks fragile (trained on, PreMemAcc <= t) at a checkpoint of a run: the run named by
 * --run when the session has it, else the first; the checkpoint named, else the last (the editor's default).
 */
function fragileExamples(session: AnalysisSession, run: string, checkpoint: string | undefined): number[] {
  if (session.config.runs.length === 0) throw new UsageError('--examples fragile needs scored runs: premem.json lists none in "runs"');
  if (session.runs.length === 0) throw new UsageError('--examples fragile: the runs in premem.json hold no scored checkpoints of this dataset yet');
  const runIndex = Math.max(0, session.runs.findIndex((r) => r.id === run));
  const chosen = session.runs[runIndex];
  let checkpointIndex: number | undefined;
  if (checkpoint !== undefined) {
    checkpointIndex = chosen.checkpoints.findIndex((c) => c.id === checkpoint);
    if (checkpointIndex < 0) throw new UsageError(`--checkpoint: run ${chosen.id} has no checkpoint '${checkpoint}'; it has ${chosen.checkpoints.map((c) => c.id).join(', ')}`);
  }
  session.select(runIndex, checkpointIndex);
  const picked = [...session.fragileExamples()].sort((a, b) => a - b);
  const at = chosen.checkpoints[session.selectedCheckpoint].id;
  console.error(`premem score: ${picked.length} fragile examples (PreMemAcc <= ${session.t} at ${chosen.id} / ${at}, p = ${session.p.toFixed(4)})`);
  return picked;
}

/** A redrawn bar on terminals; a plain line every few seconds otherwise (logs, CI). */
class ProgressPrinter {
  private readonly tty = process.stderr.isTTY === true;
  private lastPlain = 0;
  private drawn = false;

  constructor(private readonly quiet: boolean) {}

  update(p: ScoringProgress): void {
    if (this.quiet) return;
    if (this.tty) {
      const width = process.stderr.columns ?? 100;
      process.stderr.write(`\r${formatProgressBar(p).slice(0, width - 1).padEnd(width - 1)}`);
      this.drawn = true;
    } else {
      const now = Date.now();
      if (now - this.lastPlain < 5000 && p.done < p.total) return;
      this.lastPlain = now;
      process.stderr.write(`premem score: ${formatProgress(p)}\n`);
    }
  }

  note(message: string): void {
    if (this.quiet && !message.startsWith('cancelling')) return;
    this.clear();
    process.stderr.write(`premem score: ${message}\n`);
  }

  end(): void {
    if (this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }

  private clear(): void {
    if (this.drawn) process.stderr.write(`\r${' '.repeat((process.stderr.columns ?? 100) - 1)}\r`);
  }
}
