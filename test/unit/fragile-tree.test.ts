// The Fragile Examples view's groups (src/extension/trees/fragile-groups.ts) on the tiny demo: each trajectory
// group ranked by the chosen signal exactly as `premem export --rank-by` orders the re-collection set.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../../src/core/config';
import { defaultRunIndex } from '../../src/core/default-run';
import { exportRecollection } from '../../src/core/export/recollection';
import { AnalysisSession } from '../../src/core/session';
import { SIGNAL_NAMES, type SignalName } from '../../src/core/signals/example-signals';
import { selectedSignals } from '../../src/extension/selected-signals';
import { GROUP_ORDER, trajectoryGroups } from '../../src/extension/trees/fragile-groups';
import { repoRoot } from '../support/shared';
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
