// The analysis session behind every view of the extension, on the committed slice of the paper's runs and the
// first 200 GSM8K training records: buckets, the fragile order, the per-example report, threshold and selection
// changes, and records appended to a PreMem log while the session is open.
import assert from 'node:assert/strict';
import { appendFile, copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parseConfig, type PreMemConfig } from '../../src/core/config';
import { TRAJECTORY_NAMES } from '../../src/core/metrics/dynamics';
import { pFromThreshold } from '../../src/core/metrics/threshold';
import { readNpy } from '../../src/core/npy';
import { keysDigest } from '../../src/core/runlog/premem/scores-record';
import { AT_RISK_MARGIN, AnalysisSession, Bucket, BUCKET_NAMES, bucketOf } from '../../src/core/session';
import { mismatchedRunsMessage } from '../../src/extension/format';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const DATASET = path.join(fixtures, 'datasets/gsm8k-train-200.jsonl');
const RUNS = path.join(fixtures, 'paper-runs-mini');
const GOLDEN_RUN = 'gsm8k_orig_3epochs_full_lr2e-05_bs128';
const HALF_RUN = 'gsm8k_orig_6epochs_half_lr2e-05_bs128';
/** The authors' golden arrays were made at thr = -2.5. */
const GOLDEN_P = pFromThreshold(-2.5);


function config(extra: Partial<PreMemConfig> = {}): PreMemConfig {
  return { ...parseConfig(JSON.stringify({ dataset: DATASET, runs: [RUNS], p: GOLDEN_P, t: 0.75 }), path.join(fixtures, 'premem.json')), ...extra };
}

async function openFixture(extra: Partial<PreMemConfig> = {}) {
  const session = await AnalysisSession.open(config(extra));
  const runIndex = (id: string) => session.runs.findIndex((r) => r.id === id);
  return { session, runIndex };
}

test('opens the 200-record dataset with the three runs; progress reaches the runs; no problems', async () => {
  const messages: string[] = [];
  const session = await AnalysisSession.open(config(), (m) => messages.push(m));
  try {
    assert.equal(session.dataset.size, 200);
    assert.deepEqual(session.runs.map((r) => r.id).sort(), [GOLDEN_RUN, 'gsm8k_orig_3epochs_full_lr0.0002_bs128', HALF_RUN].sort());
    assert.deepEqual(session.problems, []);
    assert.ok(messages.some((m) => m.startsWith('Indexing')) && messages.some((m) => m.startsWith('Reading runs')));
    assert.equal(session.dataset.lines[0], 1);
    assert.equal(session.dataset.lines[199], 200);
  } finally {
    await session.close();
  }
});

test('the selected run’s PreMemAcc is the authors’ golden array; buckets follow t and the at-risk margin', async () => {
  const { session, runIndex } = await openFixture();
  try {
    session.select(runIndex(GOLDEN_RUN), 2);
    const view = session.view()!;
    const golden = await readNpy(path.join(RUNS, GOLDEN_RUN, 'unmemorized_acc_cummax_all.npy'));
    const [M, N] = golden.shape;
    for (let m = 0; m < M; m++) assert.deepEqual(Array.from(view.preMem[m]), Array.from(golden.data.subarray(m * N, (m + 1) * N)), `checkpoint ${m}`);
    const last = view.preMem[2];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      counts[view.buckets[i]]++;
      const expected = last[i] <= 0.75 ? Bucket.Fragile : last[i] <= 0.75 + AT_RISK_MARGIN ? Bucket.AtRisk : Bucket.Robust;
      assert.equal(view.buckets[i], expected, `example ${i}: PreMemAcc ${last[i]}`);
    }
    // All three buckets occur on real data, so the checks above mean something.
    assert.ok(counts[Bucket.Fragile] > 0 && counts[Bucket.AtRisk] > 0 && counts[Bucket.Robust] > 0, `bucket counts ${counts}`);
    assert.equal(counts[Bucket.NotScored], 0);
    assert.equal(bucketOf(NaN, 0.75), Bucket.NotScored);

    // Raising t moves examples from at risk / robust into fragile, and says so once.
    let fired = 0;
    const sub = session.onDidChange(() => fired++);
    session.setT(0.9);
    session.setT(0.9);
    assert.equal(fired, 1);
    const raised = session.view()!.buckets.filter((b) => b === Bucket.Fragile).length;
    assert.ok(raised > counts[Bucket.Fragile]);
    sub.dispose();
  } finally {
    await session.close();
  }
});

test('fragile examples: exactly the trained-on examples at or under t, lowest PreMemAcc first', async () => {
  const { session, runIndex } = await openFixture();
  try {
    for (const id of [GOLDEN_RUN, HALF_RUN]) {
      session.select(runIndex(id));
      const view = session.view()!;
      const selected = view.preMem[session.selectedCheckpoint];
      const fragile = Array.from(session.fragileExamples());
      const expected = [];
      for (let i = 0; i < view.buckets.length; i++) if (view.member[i] && selected[i] <= session.t) expected.push(i);
      assert.deepEqual([...fragile].sort((a, b) => a - b), expected, id);
      for (let k = 1; k < fragile.length; k++) {
        const [a, b] = [selected[fragile[k - 1]], selected[fragile[k]]];
        assert.ok(a < b || (a === b && fragile[k - 1] < fragile[k]), `order at ${k}`);
      }
      assert.ok(fragile.length > 0);
    }
    // The half run trains on a subset: examples outside it are never fragile, whatever their numbers.
    session.select(runIndex(HALF_RUN));
    const view = session.view()!;
    const outside = view.member.filter((m) => m === 0).length;
    assert.ok(outside > 0 && outside < 200, `members of the half run: ${200 - outside}`);
    for (const i of session.fragileExamples()) assert.equal(view.member[i], 1);
  } finally {
    await session.close();
  }
});

test('the example report: masked accuracy, PreMemAcc, categories, trajectory and first memorized checkpoint agree', async () => {
  const { session, runIndex } = await openFixture();
  try {
    session.select(runIndex(GOLDEN_RUN), 2);
    const view = session.view()!;
    const run = view.run;
    let memorizedSeen = 0;
    for (let i = 0; i < 200; i++) {
      const report = session.example(i)!;
      assert.equal(report.run, GOLDEN_RUN);
      assert.equal(report.checkpoints.length, 3);
      assert.equal(report.preMemAccuracy, view.preMem[2][i]);
      assert.equal(report.bucket, BUCKET_NAMES[view.buckets[i]]);
      assert.equal(report.trajectory, TRAJECTORY_NAMES[view.dynamics.trajectory[i]]);
      let runningMax = -Infinity;
      report.checkpoints.forEach((c, m) => {
        const perplexity = run.checkpoints[m].perplexity[i];
        assert.equal(c.id, run.checkpoints[m].id);
        assert.equal(c.accuracy, run.checkpoints[m].accuracy[i]);
        assert.equal(c.perplexity, perplexity);
        const memorized = perplexity < GOLDEN_P;
        assert.equal(c.maskedAccuracy, memorized ? 0 : c.accuracy);
        assert.equal(c.category === 'memorized', memorized);
        runningMax = Math.max(runningMax, c.maskedAccuracy!);
        assert.equal(c.preMemAccuracy, Math.min(runningMax, c.accuracy!));
        assert.equal(c.samples, run.checkpoints[m].sampleCount[i]);
      });
      const first = report.checkpoints.findIndex((c) => c.category === 'memorized');
      assert.equal(report.firstMemorized, first >= 0 ? report.checkpoints[first].id : null);
      if (first >= 0) memorizedSeen++;
    }
    assert.ok(memorizedSeen > 0 && memorizedSeen < 200, `examples ever memorized: ${memorizedSeen}`);
    assert.equal(session.example(200), undefined);
    assert.equal(session.example(-1), undefined);
  } finally {
    await session.close();
  }
});

test('selection and p: select clamps the checkpoint, setP changes the values, summary has one row per checkpoint', async () => {
  const { session, runIndex } = await openFixture();
  try {
    const half = runIndex(HALF_RUN);
    session.select(half, 99);
    assert.equal(session.selectedRun, half);
    assert.equal(session.selectedCheckpoint, 5);
    session.select(99, 0);
    assert.equal(session.selectedRun, half, 'an unknown run is ignored');
    const before = Array.from(session.view()!.preMem[5]);
    session.setP(1.3);
    assert.ok(Math.abs(session.p - 1.3) < 1e-12);
    assert.notDeepEqual(Array.from(session.view()!.preMem[5]), before);
    const summary = session.summary();
    assert.deepEqual(
      summary.runs.map((r) => r.checkpoints.length),
      session.runs.map((r) => r.checkpoints.length),
    );
    assert.equal(summary.runs[half].members, 200 - session.view()!.member.filter((m) => m === 0).length);
  } finally {
    await session.close();
  }
});

test('refresh picks up records appended to a PreMem log: new checkpoints, changed scores, new runs', async () => {
  const dir = await tempDir('premem-session-');
  const dataset = path.join(dir, 'train.jsonl');
  await copyFile(DATASET, dataset);
  const log = path.join(dir, 'runs.premem.jsonl');
  await writeFile(log, '');
  const session = await AnalysisSession.open({ ...config(), dataset, runs: [{ path: log, format: 'premem' }] });
  try {
    assert.equal(session.runs.length, 0);
    assert.equal(await session.refresh(), false, 'nothing appended yet');
    const keys = session.dataset.keys;
    const line = (r: object) => JSON.stringify(r) + '\n';
    let fired = 0;
    session.onDidChange(() => fired++);

    // A scoring job appends per-example records of a first checkpoint.
    await appendFile(log, keys.slice(0, 3).map((key, index) => line({ v: 1, run: 'live', checkpoint: 'c1', step: 10, key, index, outcomes: [0, 0, 1, 1], perplexity: 2 })).join(''));
    assert.equal(await session.refresh(), true);
    assert.equal(fired, 1);
    assert.equal(session.runs.length, 1);
    const [run] = session.runs;
    assert.equal(run.numExamples, 200);
    assert.equal(run.checkpoints[0].accuracy[1], 0.5);
    assert.ok(Number.isNaN(run.checkpoints[0].accuracy[3]), 'not scored yet');
    assert.equal(session.view()!.buckets[3], Bucket.NotScored);
    assert.equal(session.view()!.buckets[0], Bucket.Fragile);

    // Then a whole second checkpoint as one scores record, and a re-score of example 0 at c1.
    await appendFile(
      log,
      line({ v: 1, type: 'scores', run: 'live', checkpoint: 'c2', step: 20, keysDigest: keysDigest(keys), sampleCount: 5, accuracy: keys.map(() => 1), perplexity: keys.map(() => 3) }) +
        line({ v: 1, run: 'live', checkpoint: 'c1', key: keys[0], index: 0, outcomes: [0, 0, 0, 0], perplexity: 2 }),
    );
    assert.equal(await session.refresh(), true);
    const again = session.runs[0];
    assert.deepEqual(again.checkpoints.map((c) => c.id), ['c1', 'c2']);
    assert.equal(again.checkpoints[0].accuracy[0], 1);
    session.select(0, 1);
    assert.equal(session.view()!.preMem[1][199], 1);
    assert.equal(session.view()!.buckets[199], Bucket.Robust);

    // A record of another run adds that run; the untouched run is not prepared again.
    const live = session.prepared[0];
    await appendFile(log, line({ v: 1, run: 'second', checkpoint: 'c1', key: keys[5], index: 5, outcomes: [1], perplexity: 1.01 }));
    assert.equal(await session.refresh(), true);
    assert.deepEqual(session.runs.map((r) => r.id), ['live', 'second']);
    assert.ok(session.prepared[0] === live);
    assert.equal(await session.refresh(), false);

    // More records of the second run: only it is prepared again, and its new scores show.
    const second = session.prepared[1];
    await appendFile(log, line({ v: 1, run: 'second', checkpoint: 'c1', key: keys[6], index: 6, outcomes: [0, 1], perplexity: 1.5 }));
    assert.equal(await session.refresh(), true);
    assert.ok(session.prepared[0] === live && session.prepared[1] !== second);
    assert.equal(session.runs[1].checkpoints[0].accuracy[6], 0.5);
    assert.equal(session.prepared[1].logLogPerplexity[0][6], Math.log(Math.log(1.5)));
  } finally {
    await session.close();
  }
});

test('a run opened before its first checkpoint: the selection follows each new checkpoint until the user picks one', async () => {
  const dir = await tempDir('premem-session-');
  const dataset = path.join(dir, 'train.jsonl');
  await copyFile(DATASET, dataset);
  const log = path.join(dir, 'live.premem.jsonl');
  const line = (r: object) => JSON.stringify(r) + '\n';
  // What a training callback writes before its first save: the run's own record only.
  await writeFile(log, line({ v: 1, type: 'run', run: 'live', meta: { producer: 'test' } }));
  const session = await AnalysisSession.open({ ...config(), dataset, runs: [{ path: log, format: 'premem' }] });
  try {
    const keys = session.dataset.keys;
    const checkpoint = (id: string, step: number, outcomes: number[]) =>
      keys.map((key, index) => line({ v: 1, run: 'live', checkpoint: id, step, key, index, outcomes, perplexity: 3 })).join('') + line({ v: 1, type: 'checkpoint', run: 'live', checkpoint: id, step });
    assert.deepEqual(session.runs.map((r) => r.checkpoints.length), [0]);
    // The run's record again (a restarted job): still no checkpoint, and nothing selects a checkpoint below 0.
    await appendFile(log, line({ v: 1, type: 'run', run: 'live', meta: { producer: 'test', restarted: true } }));
    await session.refresh();
    assert.equal(session.selectedCheckpoint, 0);

    await appendFile(log, checkpoint('c1', 10, [1, 1]));
    assert.equal(await session.refresh(), true);
    assert.equal(session.selectedCheckpoint, 0);
    assert.equal(session.view()!.buckets[0], Bucket.Fragile);

    await appendFile(log, checkpoint('c2', 20, [0, 0]));
    assert.equal(await session.refresh(), true);
    assert.equal(session.selectedCheckpoint, 1, 'the newest checkpoint is shown');
    assert.equal(session.view()!.buckets[0], Bucket.Robust, 'the marks change with it');

    // The user goes back to c1: a new checkpoint no longer moves the selection.
    session.select(0, 0);
    await appendFile(log, checkpoint('c3', 30, [0, 1]));
    assert.equal(await session.refresh(), true);
    assert.equal(session.selectedCheckpoint, 0);
    // Choosing the newest again follows again.
    session.select(0, 2);
    await appendFile(log, checkpoint('c4', 40, [0, 0]));
    await session.refresh();
    assert.equal(session.selectedCheckpoint, 3);
  } finally {
    await session.close();
  }
});

test('a stray keystroke saved into the dataset: the run scored on it is named as no longer matching, with why', async () => {
  const dir = await tempDir('premem-session-');
  const dataset = path.join(dir, 'train.jsonl');
  await copyFile(DATASET, dataset);
  const log = path.join(dir, 'runs.premem.jsonl');
  const text = (await readFile(dataset, 'utf8')).split('\n');
  const unscored = await AnalysisSession.open({ ...config(), dataset, runs: [] });
  const keys = unscored.dataset.keys;
  await unscored.close();
  const scores = (checkpoint: string) => JSON.stringify({ v: 1, type: 'scores', run: 'paper', checkpoint, step: 1, keysDigest: keysDigest(keys), sampleCount: 5, accuracy: keys.map(() => 1), perplexity: keys.map(() => 3) });
  await writeFile(log, `${scores('c1')}\n${scores('c2')}\n`);
  const open = () => AnalysisSession.open({ ...config(), dataset, runs: [{ path: log, format: 'premem' }] });
  const before = await open();
  try {
    assert.deepEqual(before.mismatchedRuns(), []);
    assert.equal(before.runs[0].checkpoints[1].accuracy[0], 1);
  } finally {
    await before.close();
  }
  // One character typed into line 12 makes it invalid JSON: the dataset's keys change, and the scores no longer fit.
  text[11] = `x${text[11]}`;
  await writeFile(dataset, text.join('\n'));
  const after = await open();
  try {
    assert.deepEqual(after.mismatchedRuns(), [{ run: 'paper', refused: 2 }]);
    assert.equal(
      mismatchedRunsMessage('train.jsonl', after.mismatchedRuns(), after.dataset.problems).replace(/: Unexpected token.*\), so/, ': …), so'),
      'Run paper no longer matches the dataset: train.jsonl changed since they were scored (line 12 is skipped now: invalid JSON: …), ' +
        'so 2 scores records are not shown. Undo the change, or score the runs again.',
    );
  } finally {
    await after.close();
  }
});
