import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixtures, repoRoot, sharedData, skipWithoutShared } from '../support/shared';
import { tempDirSync } from '../support/temp-dir';

function premem(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mini = path.join(fixtures, 'paper-runs-mini');

test('analyze --json reports runs, checkpoints and the fit', () => {
  const r = premem('analyze', '--runs', mini, '--p', '1.1055', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(Math.abs(out.p - 1.1055) < 1e-12);
  assert.equal(out.calibration, null);
  assert.equal(out.runs.length, 3);
  const golden = out.runs.find((x: { id: string }) => x.id === 'gsm8k_orig_3epochs_full_lr2e-05_bs128');
  assert.deepEqual(golden.checkpoints.map((c: { step: number }) => c.step), [58, 116, 174]);
  for (const c of golden.checkpoints) {
    assert.ok(c.preMemAccuracy >= 0 && c.preMemAccuracy <= c.trainAccuracy);
    assert.ok(c.testAccuracy > 0 && c.testAccuracy < 1);
  }
  assert.equal(out.fit.n, 12); // 3 + 6 + 3 checkpoints, all with test accuracy
  assert.equal(typeof out.fit.r2, 'number');
  assert.equal(typeof out.fit.trainAccuracyR2Linear, 'number');
});

test('analyze --calibrate includes the sweep and leave-one-run-out error', () => {
  const out = JSON.parse(premem('analyze', '--runs', mini, '--calibrate', '--json').stdout);
  assert.ok(out.calibration.sweep.length > 1000);
  assert.equal(out.calibration.p, out.p);
  assert.equal(typeof out.calibration.leaveOneRunOut.mae, 'number');
});

test('analyze --per-example writes one line per (run, checkpoint, trained example) with keys from the dataset', () => {
  // The mini runs hold the first 200 examples; a 200-line dataset gives them keys. The committed fixture holds the
  // same 200 lines as the shared GSM8K train file, so the test runs without the shared data too.
  const dir = tempDirSync('premem-cli-');
  const source = sharedData('gsm8k', 'train.jsonl') ?? path.join(fixtures, 'datasets/gsm8k-train-200.jsonl');
  const lines = readFileSync(source, 'utf8').split('\n').slice(0, 200);
  const dataset = path.join(dir, 'train200.jsonl');
  writeFileSync(dataset, lines.join('\n') + '\n');
  const out = path.join(dir, 'per-example.jsonl');
  const r = premem('analyze', '--runs', mini, '--dataset', dataset, '--per-example', out);
  assert.equal(r.code, 0, r.stderr);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const full = rows.filter((x) => x.run === 'gsm8k_orig_3epochs_full_lr2e-05_bs128');
  assert.equal(full.length, 3 * 200);
  assert.match(full[0].key, /^h:[0-9a-f]{16}$/);
  assert.ok(['incorrect', 'correct', 'memorized'].includes(full[0].category));
  // Half run: only its subset.
  const half = rows.filter((x) => x.run === 'gsm8k_orig_6epochs_half_lr2e-05_bs128');
  assert.ok(half.length > 0 && half.length < 6 * 200 && half.length % 6 === 0);
  // A dataset of another size is refused, naming the run.
  writeFileSync(dataset, lines.slice(0, 50).join('\n') + '\n');
  const bad = premem('analyze', '--runs', mini, '--dataset', dataset);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /has 200 examples but the dataset .* has 50/);
});

test('usage errors exit 2, bad input exits 1 naming the path', () => {
  assert.equal(premem('analyze').code, 2);
  assert.equal(premem('analyze', '--runs', mini, '--p', '0.5').code, 2);
  assert.equal(premem('analyze', '--runs', mini, '--p', '1.1', '--calibrate').code, 2);
  assert.equal(premem('nonsense').code, 2);
  const missing = premem('analyze', '--runs', path.join(mini, 'nope'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope: no such file or folder/);
});

test('analyze: --t out of range and negative --p/--t are usage errors naming the range (exit 2)', () => {
  for (const [args, message] of [[['--t', '1.5'], /--t must lie between 0 and 1/], [['--t', '-0.1'], /--t must lie between 0 and 1/], [['--p', '-3'], /--p must be greater than 1/]] as const) {
    const r = premem('analyze', '--runs', mini, ...args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('analyze: bad paths are one line and exit 1, never a stack trace', () => {
  const dir = tempDirSync('premem-cli-');
  const oneLine = (r: { code: number | null; stderr: string }, pattern: RegExp) => {
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  };
  oneLine(premem('analyze', '--runs', mini, '--per-example', path.join(dir, 'absent', 'x.jsonl')), /--per-example: the folder .*absent does not exist/);
  oneLine(premem('analyze', '--runs', mini, '--per-example', dir), /--per-example names a folder/);
  // A checkpoint folder without train_perplexities.npy (the first checkpoint has one, so the run is found).
  const run = path.join(dir, 'runs', 'gsm8k_orig_3epochs_full_lr2e-05_bs128');
  cpSync(path.join(mini, 'gsm8k_orig_3epochs_full_lr2e-05_bs128'), run, { recursive: true });
  rmSync(path.join(run, 'checkpoint-116', 'train_perplexities.npy'));
  oneLine(premem('analyze', '--runs', path.join(dir, 'runs')), /checkpoint-116: no train_perplexities\.npy in this checkpoint folder/);
  // A file that is no run log.
  const notLog = path.join(dir, 'data.jsonl');
  writeFileSync(notLog, '{"question":"q","answer":"#### 1"}\n');
  oneLine(premem('analyze', '--runs', notLog), /data\.jsonl: not a run log: no runs found; line 1: missing field 'v'/);
});

test('the 13 released runs through the CLI: calibrated p in [1.09, 1.12], R² >= 0.93', { skip: skipWithoutShared('paper-runs') }, () => {
  const out = JSON.parse(premem('analyze', '--runs', sharedData('paper-runs')!, '--calibrate', '--json').stdout);
  assert.ok(out.p >= 1.09 && out.p <= 1.12);
  assert.ok(out.fit.r2 >= 0.93);
  assert.ok(out.fit.trainAccuracyR2Linear < 0.45);
});
