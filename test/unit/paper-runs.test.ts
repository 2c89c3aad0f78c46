import assert from 'node:assert/strict';
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis';
import { preMemAccuracy, prepareRun } from '../../src/core/metrics/premem';
import { pFromThreshold, thresholdFromP } from '../../src/core/metrics/threshold';
import { InputError, type InputProblem } from '../../src/core/model';
import { readNpy } from '../../src/core/npy';
import { pickAnswerFile, readPaperRun, readPaperRuns } from '../../src/core/runlog/paper';
import { fixtures, sharedData, skipWithoutShared } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const GOLDEN_RUN = 'gsm8k_orig_3epochs_full_lr2e-05_bs128';

async function assertGolden(runDir: string) {
  const golden = await readNpy(path.join(runDir, 'unmemorized_acc_cummax_all.npy'));
  const run = await readPaperRun(runDir);
  const [M, N] = golden.shape;
  assert.equal(run.checkpoints.length, M);
  assert.equal(run.numExamples, N);
  // The authors' arrays were made at thr = -2.5; the user-facing p = exp(exp(-2.5)) must land on the same values.
  const pre = preMemAccuracy(prepareRun(run), thresholdFromP(pFromThreshold(-2.5)));
  let mismatches = 0;
  for (let m = 0; m < M; m++) for (let i = 0; i < N; i++) if (pre[m][i] !== golden.data[m * N + i]) mismatches++;
  assert.equal(mismatches, 0, `${mismatches} of ${M * N} values differ from the authors' PreMemAcc`);
  // The values are not trivially constant: the comparison means something.
  assert.ok(new Set(golden.data).size > 10);
}

test('PreMemAcc equals the authors\' golden array exactly (committed slice)', async () => {
  await assertGolden(path.join(fixtures, 'paper-runs-mini', GOLDEN_RUN));
});

test('PreMemAcc equals the authors\' golden array exactly (all 7,473 examples)', { skip: skipWithoutShared('paper-runs', GOLDEN_RUN) }, async () => {
  await assertGolden(sharedData('paper-runs', GOLDEN_RUN)!);
});

test('a different threshold gives different values than the golden array', async () => {
  const dir = path.join(fixtures, 'paper-runs-mini', GOLDEN_RUN);
  const golden = await readNpy(path.join(dir, 'unmemorized_acc_cummax_all.npy'));
  const pre = preMemAccuracy(prepareRun(await readPaperRun(dir)), -2.0);
  assert.notDeepEqual(Array.from(pre[2]), Array.from(golden.data.subarray(2 * 200, 3 * 200)));
});

test('answer files are picked in the released order, or by most samples', () => {
  const files = ['train_answer_types50_seed2.npy', 'train_answer_types5_seed2.npy', 'train_answer_types10_seed2_temp0.8.npy'];
  assert.equal(pickAnswerFile(files, 'train', 'released'), 'train_answer_types5_seed2.npy');
  assert.equal(pickAnswerFile(files, 'train', 'most-samples'), 'train_answer_types50_seed2.npy');
  assert.equal(pickAnswerFile(['test_answer_types5_seed2.npy'], 'train', 'released'), undefined);
});

test('half runs keep their training subset; full runs use every example', async () => {
  const runs = await readPaperRuns(path.join(fixtures, 'paper-runs-mini'));
  const half = runs.find((r) => r.id.includes('_half_'))!;
  const full = runs.find((r) => r.id === GOLDEN_RUN)!;
  assert.ok(half.subset && half.subset.length > 0 && half.subset.length < 200);
  assert.equal(full.subset, undefined);
  assert.deepEqual(half.checkpoints.map((c) => c.step), [29, 58, 87, 116, 145, 174]);
});

test('the 13 released GSM8K runs: calibrated p in [1.09, 1.12], R²(y = x) >= 0.93, train accuracy a poor predictor', { skip: skipWithoutShared('paper-runs') }, async () => {
  const runs = await readPaperRuns(sharedData('paper-runs')!);
  assert.equal(runs.length, 13);
  assert.equal(runs.reduce((s, r) => s + r.checkpoints.length, 0), 51);
  const result = analyze(runs, { calibrate: true });
  assert.ok(result.calibration);
  assert.ok(result.p >= 1.09 && result.p <= 1.12, `p = ${result.p}`);
  assert.ok(result.fit.r2 >= 0.93, `R² = ${result.fit.r2}`);
  assert.ok(Math.abs(result.fit.trainAccuracyR2Linear - 0.40) < 0.02, `train R² = ${result.fit.trainAccuracyR2Linear}`);
  const loo = result.calibration.leaveOneRunOut!;
  assert.ok(loo.mae > 0.02 && loo.mae < 0.04, `LOO MAE = ${loo.mae}`);
  // The paper's own p for GSM8K (thr = -2.3): R² 0.935 with the released answer files.
  const atPaperP = analyze(runs, { thr: -2.3 });
  assert.ok(Math.abs(atPaperP.fit.r2 - 0.935) < 0.001, `R² at thr -2.3 = ${atPaperP.fit.r2}`);
  const mostSamples = analyze(await readPaperRuns(sharedData('paper-runs')!, { answerFiles: 'most-samples' }), { thr: -2.3 });
  assert.ok(Math.abs(mostSamples.fit.r2 - 0.938) < 0.001, `R² with most samples = ${mostSamples.fit.r2}`);
});

test('bad .npy input is an error naming the file', async () => {
  const { parseNpy } = await import('../../src/core/npy');
  assert.throws(() => parseNpy(Buffer.from('not numpy at all'), 'x.npy'), /x\.npy: not a NumPy/);
});

/** A copy of one committed mini run under a new name, so a test can break it. */
async function copyMiniRun(name: string, newName = name): Promise<string> {
  const dir = path.join(await tempDir('premem-paper-'), newName);
  await cp(path.join(fixtures, 'paper-runs-mini', name), dir, { recursive: true });
  return dir;
}

/** A .npy file (format 1.0) of the given type and shape holding the bytes of `values`. */
async function writeNpy(file: string, descr: string, shape: number[], values: ArrayBufferView) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  await writeFile(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]));
}

/** A float64 .npy file (format 1.0) with the given values. */
const writeFloat64Npy = (file: string, values: Float64Array) => writeNpy(file, '<f8', [values.length], values);

const HALF_RUN = 'gsm8k_orig_6epochs_half_lr2e-05_bs128';

test('a half run without subsample_idxs.npy is refused rather than averaged over the whole dataset', async () => {
  const dir = await copyMiniRun(HALF_RUN);
  await rm(path.join(dir, 'subsample_idxs.npy'));
  await assert.rejects(readPaperRun(dir), (e: Error) => e instanceof InputError && /half of the data, but subsample_idxs\.npy is missing/.test(e.message));
});

test('a run whose steps per epoch imply a subset, without subsample_idxs.npy, is refused', async () => {
  // 174 steps x batch 4 / 6 epochs = 116 examples per epoch of the 200 in the arrays.
  const dir = await copyMiniRun(HALF_RUN, 'gsm8k_orig_6epochs_lr2e-05_bs4');
  await rm(path.join(dir, 'subsample_idxs.npy'));
  await assert.rejects(readPaperRun(dir), /about 116 examples per epoch of 200/);
});

test('a full run without subsample_idxs.npy is averaged over all examples, and says so', async () => {
  const dir = await copyMiniRun(GOLDEN_RUN);
  await rm(path.join(dir, 'subsample_idxs.npy'));
  const problems: InputProblem[] = [];
  const run = await readPaperRun(dir, { problems });
  assert.equal(run.subset, undefined);
  assert.deepEqual(problems.map((p) => p.message), ['no subsample_idxs.npy: the run is averaged over all 200 examples']);
});

test('NaN, infinite, zero and negative perplexities are reported with file and row and taken as unknown', async () => {
  const dir = await copyMiniRun(GOLDEN_RUN);
  const file = path.join(dir, 'checkpoint-58', 'train_perplexities.npy');
  const perplexity = (await readNpy(file)).data;
  const bad = [NaN, Infinity, -Infinity, 0, -1];
  bad.forEach((v, i) => (perplexity[i] = v));
  perplexity[10] = -2; // a sixth bad row: counted, not listed
  await writeFloat64Npy(file, perplexity);
  const problems: InputProblem[] = [];
  const run = await readPaperRun(dir, { problems });
  assert.deepEqual(problems.map((p) => [p.file, p.field]), [...bad.map((_, i) => [file, `row ${i}`]), [file, undefined]]);
  assert.match(problems[5].message, /^1 more rows/);
  const first = run.checkpoints[0];
  for (const i of [0, 1, 2, 3, 4, 10]) assert.ok(Number.isNaN(first.perplexity[i]), `row ${i}`);
  // Unknown perplexity is never masked: PreMemAcc at the first checkpoint equals accuracy, never 0 by "memorized".
  const pre = preMemAccuracy(prepareRun(run), thresholdFromP(1.1));
  for (const i of [0, 1, 2, 3, 4, 10]) assert.equal(pre[0][i], first.accuracy[i]);
});

test('outcome codes read the same from int64 and int32 arrays; a code other than 0, 1 or 2 names its row and sample', async () => {
  const dir = await copyMiniRun(GOLDEN_RUN);
  const file = path.join(dir, 'checkpoint-58', 'train_answer_types50_seed2_temp0.8.npy');
  const int64 = await readNpy(file);
  const before = (await readPaperRun(dir)).checkpoints[0];
  // int64 is counted on the file's bytes, other types through float64: both give the same accuracies.
  await writeNpy(file, '<i4', int64.shape, Int32Array.from(int64.data));
  const asInt32 = (await readPaperRun(dir)).checkpoints[0];
  assert.deepEqual(asInt32.accuracy, before.accuracy);
  assert.equal(asInt32.testAccuracy, before.testAccuracy);
  assert.ok(new Set(before.accuracy).size > 5, 'accuracies vary, so the comparison means something');
  // Row 4, sample 1 (n = 50): code 3, a value in the high 32 bits, a negative value.
  for (const [code, shown] of [[3n, '3'], [1n << 32n, '4294967296'], [-1n, '-1']] as const) {
    const codes = BigInt64Array.from(int64.data, (v) => BigInt(v));
    codes[4 * 50 + 1] = code;
    await writeNpy(file, '<i8', int64.shape, codes);
    await assert.rejects(readPaperRun(dir), (e: Error) => e instanceof InputError && e.message.includes(file) && e.message.includes(`outcome code ${shown} at row 4, sample 1`));
  }
});

test('the reused read buffer reads files larger than itself whole, and a short file after a long one', async () => {
  const { ReusedReadBuffer } = await import('../../src/core/npy');
  const dir = await tempDir('premem-npy-');
  const large = Buffer.alloc(9 << 20);
  for (let i = 0; i < large.length; i += 4096) large[i] = (i / 4096) & 255;
  large[large.length - 1] = 7;
  await writeFile(path.join(dir, 'large'), large);
  await writeFile(path.join(dir, 'small'), 'abc');
  const reader = new ReusedReadBuffer();
  assert.ok(reader.read(path.join(dir, 'large')).equals(large));
  assert.equal(reader.read(path.join(dir, 'small')).toString(), 'abc');
  assert.equal(reader.read(path.join(dir, 'large')).length, large.length);
});

test('subsample indices: duplicates count once, in int64 or int32; an index outside the examples names its value', async () => {
  const dir = await copyMiniRun(HALF_RUN);
  const file = path.join(dir, 'subsample_idxs.npy');
  const listed = (await readNpy(file)).data;
  const expected = (await readPaperRun(dir)).subset!;
  // Repeated indices (a sampler that draws with replacement) and int32 storage give the same subset.
  const repeated = Float64Array.from([...listed, ...listed.subarray(0, 10)]);
  await writeNpy(file, '<i4', [repeated.length], Int32Array.from(repeated));
  assert.deepEqual((await readPaperRun(dir)).subset, expected);
  for (const [bad, shown] of [[200n, '200'], [-1n, '-1'], [1n << 32n, '4294967296']] as const) {
    const indices = BigInt64Array.from(listed, (v) => BigInt(v));
    indices[3] = bad;
    await writeNpy(file, '<i8', [indices.length], indices);
    await assert.rejects(readPaperRun(dir), (e: Error) => e instanceof InputError && e.message.includes(file) && e.message.includes(`index ${shown} outside 0..199`));
  }
});
