// The Fragile Examples view's groups (src/extension/trees/fragile-groups.ts) on the tiny demo: each trajectory
// group ranked by the chosen signal exactly as `premem export --rank-by` orders the re-collection set, and the
// group of suspected wrong targets, and the examples that differ from a compared run or checkpoint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseConfig, readConfig } from '../../src/core/config';
import { defaultRunIndex } from '../../src/core/default-run';
import { exportRecollection } from '../../src/core/export/recollection';
import { referenceAnswer } from '../../src/core/grading';
import { AnalysisSession } from '../../src/core/session';
import { SIGNAL_NAMES, type SignalName } from '../../src/core/signals/example-signals';
import { suspectedWrongTargets } from '../../src/core/signals/wrong-targets';
import { compareTargetText, differsFrom } from '../../src/extension/comparison';
import { selectedSignals } from '../../src/extension/selected-signals';
import { GROUP_ORDER, trajectoryGroups } from '../../src/extension/trees/fragile-groups';
import { selectedSuspects, wrongTargetNote } from '../../src/extension/trees/suspects';
import { fixtures, repoRoot } from '../support/shared';
import { tempDir } from '../support/temp-dir';

async function openDemo(): Promise<AnalysisSession> {
  const session = await AnalysisSession.open(await readConfig(path.join(repoRoot, 'demo/tiny/premem.json')));
  session.select(defaultRunIndex(session.runs));
  return session;
}

test('each group holds the fragile examples of one trajectory class, ordered as export --rank-by orders them', async () => {
  const session = await openDemo();
  const dir = await tempDir('premem-fragile-groups-');
  try {
    const fragile = session.fragileExamples();
    assert.ok(fragile.length > 20, 'the demo has fragile examples to rank');
    const trajectory = session.view()!.dynamics.trajectory;
    for (const rankBy of ['preMemAccuracy', 'forgetting', 'finalPerplexity', 'firstLearned', 'learnability'] as SignalName[]) {
      const groups = trajectoryGroups(session, fragile, rankBy);
      assert.deepEqual(groups.map((g) => g.trajectory), GROUP_ORDER.filter((t) => groups.some((g) => g.trajectory === t)));
      assert.deepEqual(groups.flatMap((g) => Array.from(g.indices)).sort((a, b) => a - b), Array.from(fragile).sort((a, b) => a - b));
      for (const g of groups) assert.ok(g.indices.every((i) => trajectory[i] === g.trajectory));
      // The export writes the same examples hardest first; within a group the view keeps that order.
      const out = path.join(dir, `${rankBy}.jsonl`);
      await exportRecollection({ dataset: session.dataset, runs: session.prepared, runId: session.runs[session.selectedRun].id, thr: session.thr, t: session.t, out, rankBy });
      const exported = readFileSync(out, 'utf8').trim().split('\n').map((l) => session.dataset.keyToIndex.get(JSON.parse(l).premem.key)!);
      for (const g of groups) {
        const members = new Set(g.indices);
        assert.deepEqual(Array.from(g.indices), exported.filter((i) => members.has(i)), `${rankBy}: group ${g.trajectory}`);
      }
    }
  } finally {
    await session.close();
  }
});

test('ranking by a signal moves the hardest by that signal first; ties stay in dataset order', async () => {
  const session = await openDemo();
  try {
    const signals = selectedSignals(session)!;
    for (const [rankBy, direction] of [['forgetting', -1], ['confidence', 1]] as const) {
      for (const g of trajectoryGroups(session, session.fragileExamples(), rankBy)) {
        const v = signals.values[rankBy];
        for (let k = 1; k < g.indices.length; k++) {
          const [a, b] = [g.indices[k - 1], g.indices[k]];
          if (Number.isNaN(v[b])) continue;
          assert.ok(!Number.isNaN(v[a]), 'unknown values come last');
          assert.ok(direction * (v[b] - v[a]) > 0 || (v[a] === v[b] && a < b), `${rankBy}: ${a} (${v[a]}) before ${b} (${v[b]})`);
        }
      }
    }
  } finally {
    await session.close();
  }
});

test('the premem.fragile.rankBy setting offers exactly the signals', () => {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const setting = manifest.contributes.configuration.properties['premem.fragile.rankBy'];
  assert.deepEqual(setting.enum, [...SIGNAL_NAMES]);
  assert.equal(setting.default, 'preMemAccuracy');
});

test('suspected wrong targets: the core judgement with the target\'s answer, judged once per view; none without samples', async () => {
  const session = await openDemo();
  try {
    const suspects = await selectedSuspects(session);
    const report = await suspectedWrongTargets(session.prepared[session.selectedRun], session.thr, session.selectedCheckpoint);
    assert.ok(suspects.length > 5, 'the demo has corrupted targets the samples disagree with');
    assert.deepEqual(suspects.map((s) => s.index), report.suspected.map((s) => s.index));
    for (const s of suspects.slice(0, 5)) {
      const record = await session.dataset.get(s.index);
      assert.equal(s.targetAnswer, referenceAnswer('gsm8k', record));
      assert.notEqual(s.agreedAnswer, s.targetAnswer);
      const note = wrongTargetNote(s);
      assert.ok(note.includes(`agree on ${s.agreedAnswer}`) && note.includes(`target's answer is ${s.targetAnswer}`), note);
      assert.ok(note.startsWith(`${s.agreeing} of ${s.samples} samples at ${s.evidenceCheckpoint}`), note);
    }
    assert.equal(selectedSuspects(session), selectedSuspects(session), 'judged once per view');
    const before = selectedSuspects(session);
    session.select(session.selectedRun, 0);
    assert.notEqual(selectedSuspects(session), before, 'another checkpoint is judged again');
    assert.deepEqual(await selectedSuspects(session), [], 'nothing is memorized at the first checkpoint with samples before it');
  } finally {
    await session.close();
  }
  const withoutSamples = await AnalysisSession.open(
    parseConfig(JSON.stringify({ dataset: path.join(fixtures, 'datasets/gsm8k-train-200.jsonl'), runs: [path.join(fixtures, 'paper-runs-mini')] }), path.join(fixtures, 'premem.json')),
  );
  try {
    assert.deepEqual(await selectedSuspects(withoutSamples), []);
  } finally {
    await withoutSamples.close();
  }
});

test('differs from B: the examples premem compare lists as flipped between the selection (A) and B', async () => {
  const session = await openDemo();
  try {
    const a = session.runs[session.selectedRun];
    const b = { run: a.id, checkpoint: a.checkpoints[a.checkpoints.length - 2].id };
    const differs = differsFrom(session, b)!;
    const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'compare', '--config', path.join(repoRoot, 'demo/tiny/premem.json'), '--a', a.id, '--b', compareTargetText(b), '--json'], { encoding: 'utf8', cwd: repoRoot });
    assert.equal(cli.status, 0, cli.stderr);
    const flippedIndices = (JSON.parse(cli.stdout).flipped as { index: number }[]).map((e) => e.index).sort((x, y) => x - y);
    assert.ok(flippedIndices.length > 0 && flippedIndices.length < session.dataset.size);
    assert.deepEqual(Array.from(differs.keys()).filter((i) => differs[i] === 1), flippedIndices);
    assert.equal(differsFrom(session, b), differs, 'computed once per view and B');
    assert.equal(differsFrom(session, { run: a.id, checkpoint: 'no-such-checkpoint' }), undefined);
    assert.equal(differsFrom(session, { run: 'no-such-run', checkpoint: b.checkpoint }), undefined);
  } finally {
    await session.close();
  }
});
