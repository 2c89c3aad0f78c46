// premem.scoreRun: checks trust, the servers' security and the API key, asks what to score, makes sure the
// output log is read by the session, then runs the core scoring job (src/core/scoring/job.ts, as `premem
// score` does) under a cancellable progress notification, showing the scored run's marks as records arrive.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PreMemConfig } from '../../core/config';
import { openDataset } from '../../core/dataset/open';
import { writeFileAtomic } from '../../core/fs-atomic';
import type { Dataset } from '../../core/model';
import { createBackend } from '../../core/scoring/backends';
import type { ScoringConfig } from '../../core/scoring/config';
import { JsonClient } from '../../core/scoring/json-client';
import { runScoringJob, type ScoringSummary } from '../../core/scoring/job';
import { Limiter } from '../../core/scoring/limiter';
import { ReplicaPool } from '../../core/scoring/pool';
import { probeEndpoints, ScoringRefused } from '../../core/scoring/probe';
import { formatDuration, formatProgress } from '../../core/scoring/progress';
import type { AnalysisSession } from '../../core/session';
import { plural } from '../format';
import type { PreMemServices } from '../services';
import type { ApiKeyStore } from './api-key';
import { askScoringChoices, type ScoringChoices } from './choices';
import { endpointOrigins, redact, sourcesRead, withRunSource } from './endpoints';
import { loadScoringSetup, type ScoringSetup } from './setup';
import { confirmPlainHttp, requireTrust } from './trust';

interface Job {
  setup: ScoringSetup;
  choices: ScoringChoices;
  apiKey: string | undefined;
}

export class ScoreCommand implements vscode.Disposable {
  private running: { run: string; controller: AbortController } | undefined;

  constructor(
    private readonly services: PreMemServices,
    private readonly keys: ApiKeyStore,
  ) {}

  async run(): Promise<void> {
    if (this.running) {
      void vscode.window.showInformationMessage(`PreMem: run ${this.running.run} is being scored; cancel it from its notification to start another job.`);
      return;
    }
    if (!requireTrust('Scoring')) return;
    const session = this.services.session;
    if (!session) {
      void vscode.window.showInformationMessage('PreMem: open the dataset first: scoring adds a run to the open dataset.');
      return;
    }
    const setup = await loadScoringSetup(this.services, session.dataset.profile.task);
    if (!setup) return;
    if (path.resolve(setup.config.dataset) !== path.resolve(session.dataset.path)) {
      void vscode.window.showErrorMessage(
        `PreMem: ${vscode.workspace.asRelativePath(setup.file)} names the dataset ${setup.config.dataset}, but ${session.dataset.path} is open; open premem.json's dataset to score it.`,
      );
      return;
    }
    const origins = endpointOrigins(setup.scoring);
    const key = await this.keys.forOrigins(origins);
    if (!key.ok) {
      this.offerKeyCommand(`PreMem: ${key.reason}.`);
      return;
    }
    if (!(await confirmPlainHttp(origins, key.key !== undefined))) return;
    const choices = await askScoringChoices(this.services, session, setup.scoring.checkpoints, setup.config.output);
    if (!choices) return;
    if (!(await this.ensureLogIsRead(setup))) return;
    await this.execute({ setup, choices, apiKey: key.key });
  }

  dispose(): void {
    this.running?.controller.abort();
  }

  private async execute(job: Job): Promise<void> {
    const { setup, choices, apiKey } = job;
    const { run } = choices;
    const log = this.services.log;
    const controller = new AbortController();
    this.running = { run, controller };
    const following = this.showRunWhileScoring(run);
    const started = performance.now();
    log.info(`scoring ${run}: ${choices.examples.label} at ${choices.checkpoints.join(', ')} → ${setup.config.output}`);
    let summary: ScoringSummary | undefined;
    try {
      summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `PreMem: scoring ${run}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          progress.report({ message: 'opening the dataset…' });
          const dataset = await openDataset(setup.config.dataset, setup.config.profile, { signal: controller.signal });
          try {
            const examples = this.indicesIn(dataset, choices);
            progress.report({ message: `checking ${plural(endpointOrigins(setup.scoring).length, 'server')}…` });
            let shown = 0;
            return await runScoringJob({
              dataset,
              config: setup.scoring,
              logPath: setup.config.output,
              run,
              examples,
              checkpoints: choices.checkpoints,
              apiKey,
              signal: controller.signal,
              onProgress: (p) => {
                const fraction = p.total > 0 ? p.done / p.total : 1;
                progress.report({ message: formatProgress(p) + (p.skipped ? ` · ${p.skipped} already scored` : ''), increment: Math.max(0, fraction - shown) * 100 });
                shown = Math.max(shown, fraction);
              },
              onNote: (message) => log.warn(redact(message, apiKey)),
            });
          } finally {
            await dataset.close();
          }
        },
      );
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof ScoringRefused)) {
        log.info(`scoring ${run} cancelled before it started`);
        void vscode.window.showInformationMessage(`PreMem: scoring ${run} cancelled before any example was sent.`);
      } else if (err instanceof ScoringRefused) {
        await this.refused(job, err);
      } else {
        const message = redact((err as Error).message ?? String(err), apiKey);
        log.error(`scoring ${run} failed: ${message}`);
        this.showError(`PreMem: scoring ${run} failed: ${message}`);
      }
      return;
    } finally {
      following.dispose();
      this.running = undefined;
    }
    this.report(job, summary, (performance.now() - started) / 1000);
  }

  /** The job's dataset is its own (a re-opened session closes its dataset): examples are matched by key. */
  private indicesIn(dataset: Dataset, choices: ScoringChoices): 'all' | number[] {
    if (choices.examples.keys === 'all') return 'all';
    const out: number[] = [];
    let missing = 0;
    for (const key of choices.examples.keys) {
      const i = dataset.keyToIndex.get(key);
      if (i === undefined) missing++;
      else out.push(i);
    }
    if (missing) this.services.log.warn(`${plural(missing, 'selected example')} no longer in ${dataset.path} (edited on disk?) left out`);
    return out;
  }

  private report(job: Job, summary: ScoringSummary, seconds: number): void {
    const { run } = job.choices;
    const p = summary.progress;
    const out = vscode.workspace.asRelativePath(job.setup.config.output);
    const skipped = p.skipped ? `; ${p.skipped} were already in the log` : '';
    const line = `${p.done} of ${p.total} (checkpoint, example) records of ${run} written to ${out} in ${formatDuration(seconds)}${skipped}`;
    const log = this.services.log;
    if (summary.status === 'complete' && summary.refused.length > 0) {
      const first = summary.refused[0];
      const why = redact(first.reason, job.apiKey);
      log.warn(`scored: ${line}; ${summary.refused.length} refused by the server (each is in the log above)`);
      void vscode.window.showWarningMessage(
        `PreMem: ${line}. The server refused ${plural(summary.refused.length, '(checkpoint, example) pair')}, not scored; the first, example ${first.index} at ${first.checkpoint}: ${why}`,
      );
    } else if (summary.status === 'complete') {
      log.info(`scored: ${line}`);
      void vscode.window.showInformationMessage(`PreMem: scored ${job.choices.examples.label} at ${plural(job.choices.checkpoints.length, 'checkpoint')}: ${line}.`);
    } else if (summary.status === 'cancelled') {
      log.info(`cancelled: ${line}`);
      void vscode.window.showInformationMessage(`PreMem: scoring cancelled: ${line}. Score ${run} again to resume where it stopped.`);
    } else {
      const why = redact(summary.error?.message ?? 'failed', job.apiKey);
      log.error(`scoring ${run} failed: ${why}; ${line}`);
      this.showError(`PreMem: scoring ${run} failed: ${why}. ${line}; score ${run} again to resume.`);
    }
  }

  /** The probe refused: says precisely why, and offers accuracy alone when only the log-probs are missing. */
  private async refused(job: Job, err: ScoringRefused): Promise<void> {
    const message = redact(err.message, job.apiKey);
    this.services.log.error(`scoring refused: ${message}`);
    if (job.setup.scoring.perplexity && (await this.samplingWorks(job))) {
      const accuracyOnly = 'Score Accuracy Only';
      const choice = await vscode.window.showErrorMessage(
        `PreMem: ${message}`,
        { modal: false },
        accuracyOnly,
        'Show Log',
      );
      if (choice === accuracyOnly) {
        const scoring: ScoringConfig = { ...job.setup.scoring, perplexity: false };
        this.services.log.info(`scoring ${job.choices.run} for accuracy only (no target perplexity)`);
        await this.execute({ ...job, setup: { ...job.setup, scoring } });
      } else if (choice === 'Show Log') this.services.log.show(true);
      return;
    }
    if (/\b401\b|\b403\b|unauthori[sz]ed|forbidden|api key/i.test(message)) this.offerKeyCommand(`PreMem: ${message}`);
    else this.showError(`PreMem: ${message}`);
  }

  /** Whether the same servers pass the probe when no perplexity is asked for (one GET /v1/models each). */
  private async samplingWorks(job: Job): Promise<boolean> {
    const scoring: ScoringConfig = { ...job.setup.scoring, perplexity: false, checkpoints: job.setup.scoring.checkpoints.filter((c) => job.choices.checkpoints.includes(c.id)) };
    const client = new JsonClient({ apiKey: job.apiKey, timeoutMs: Math.min(scoring.timeoutMs, 30_000), retries: 1 });
    try {
      await probeEndpoints(createBackend(scoring, new ReplicaPool(client, new Limiter(4))), scoring);
      return true;
    } catch {
      return false;
    } finally {
      client.close();
    }
  }

  /**
   * Makes sure the session reads the output log, so records appear as they are appended: when no source of
   * premem.json covers it, it is created empty and added to "runs" (the session re-reads premem.json).
   */
  private async ensureLogIsRead(setup: ScoringSetup): Promise<boolean> {
    const { config, file } = setup;
    if (await sourcesRead(config.runs, config.output)) return true;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === path.resolve(file));
    if (open?.isDirty) {
      void vscode.window.showErrorMessage(`PreMem: save ${vscode.workspace.asRelativePath(file)} first: the scored log is added to its "runs".`);
      return false;
    }
    try {
      const updated = withRunSource(await readFile(file, 'utf8'), file, config.output);
      await mkdir(path.dirname(config.output), { recursive: true });
      await appendFile(config.output, '');
      await writeFileAtomic(file, updated);
    } catch (err) {
      this.showError(`PreMem: cannot add ${config.output} to the runs of ${file}: ${(err as Error).message}`);
      return false;
    }
    const rel = vscode.workspace.asRelativePath(config.output);
    this.services.log.info(`added ${rel} to "runs" in ${file}`);
    void vscode.window.showInformationMessage(`PreMem: added ${rel} to "runs" in premem.json, so the scored run shows with the others.`);
    return true;
  }

  /**
   * Shows the scored run in the marks once the session has it, at its last checkpoint as checkpoints appear,
   * until the user chooses another run or checkpoint. A replaced session (premem.json or a new log was read)
   * starts at its default selection, so the run is selected again there.
   */
  private showRunWhileScoring(run: string): vscode.Disposable {
    let shown: { session: AnalysisSession; run: number; checkpoint: number } | undefined;
    let userChose = false;
    const follow = () => {
      const session = this.services.session;
      if (!session || userChose) return;
      if (shown?.session === session && (session.selectedRun !== shown.run || session.selectedCheckpoint !== shown.checkpoint)) {
        userChose = true;
        return;
      }
      const index = session.runs.findIndex((r) => r.id === run);
      if (index < 0) return;
      const last = session.runs[index].checkpoints.length - 1;
      if (shown?.session === session && shown.checkpoint === last) return;
      shown = { session, run: index, checkpoint: last };
      session.select(index, last);
    };
    follow();
    return this.services.onDidChange(follow);
  }

  private offerKeyCommand(message: string): void {
    const set = 'Set Endpoint API Key';
    void vscode.window.showErrorMessage(message, set).then((choice) => {
      if (choice === set) void vscode.commands.executeCommand('premem.setApiKey');
    });
  }

  private showError(message: string): void {
    void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
      if (choice) this.services.log.show(true);
    });
  }
}
