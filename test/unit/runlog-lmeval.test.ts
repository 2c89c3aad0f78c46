import assert from 'node:assert/strict';
import { cp, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { exampleKey } from '../../src/core/dataset/keys';
import { GSM8K_PROFILE } from '../../src/core/dataset/profiles';
import type { Dataset, DatasetExample } from '../../src/core/model';
import { findLmEvalSampleFiles, readLmEvalRun, stepFromPath } from '../../src/core/runlog/lm-eval';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const runDir = path.join(fixtures, 'runlogs/lm-eval-run');
const ckpt200File = path.join(runDir, 'checkpoint-200/__ckpts__gsm8k-run__checkpoint-200/samples_gsm8k_2025-01-16T08-02-11.654321.jsonl');


/** The fixture's four GSM8K docs as a Dataset, in the given order of doc ids. */
async function datasetOf(order: number[]): Promise<Dataset> {
  const docs = new Map<number, { question: string; answer: string }>();
  for (const l of (await readFile(ckpt200File, 'utf8')).split('\n')) {
    if (!l.includes('"resps"')) continue;
    const r = JSON.parse(l);
    docs.set(r.doc_id, r.doc);
  }
  const records = order.map((id) => docs.get(id)!);
  const keys = records.map((r) => exampleKey(r.question, r.answer));
  return {
    path: 'gsm8k-head.jsonl',
    profile: GSM8K_PROFILE,
    size: records.length,
    keys,
    lines: Uint32Array.from(records, (_, i) => i + 1),
    keyToIndex: new Map(keys.map((k, i) => [k, i])),
    problems: [],
    get: async (index: number): Promise<DatasetExample> => ({ index, line: index + 1, key: keys[index], query: records[index].question, target: records[index].answer, record: records[index] }),
    close: async () => undefined,
  };
}

const nanAs = (a: ArrayLike<number>) => Array.from(a, (x) => (Number.isNaN(x) ? 'nan' : x));

test('reads an lm-eval run folder: one checkpoint per sub-folder, every response in resps re-graded', async () => {
  const { run, problems } = await readLmEvalRun(runDir);
  assert.equal(run.id, 'lm-eval-run');
  assert.deepEqual(run.source, { format: 'lm-eval', path: runDir });
  assert.equal(run.numExamples, 4);
  assert.deepEqual(run.checkpoints.map((c) => [c.id, c.step]), [['checkpoint-100', 100], ['checkpoint-200', 200]]);
  const [c100, c200] = run.checkpoints;
  // checkpoint-100, doc 0: 72 ✓, 72 ✓, 96 ✗, no answer → 0.5, although lm-eval's filtered_resps (first response) says 72.
  assert.deepEqual(nanAs(c100.accuracy), [0.5, 1, 0.5, 'nan']);
  assert.deepEqual([...c100.sampleCount], [4, 4, 4, 0]);
  assert.deepEqual([...c100.distinctAnswers!], [2, 1, 3, 0]);
  assert.deepEqual(nanAs(c200.accuracy), [1, 0.75, 1, 0.75]);
  assert.ok([...c100.perplexity, ...c200.perplexity].every(Number.isNaN), 'lm-eval samples hold no perplexity');
  // One problem: the last line of checkpoint-200 has no resps. The second line per doc (another filter) is no problem.
  assert.equal(problems.length, 1);
  assert.deepEqual({ ...problems[0], message: '' }, { file: ckpt200File, line: 9, field: 'resps', severity: 'error', message: '' });
  assert.match(problems[0].message, /missing field 'resps'/);
  // The trainer state of the latest checkpoint folder is attached, NaN loss included.
  assert.deepEqual(run.trainerLog!.map((e) => e.step), [50, 100, 100, 150, 200]);
  assert.ok(Number.isNaN(run.trainerLog![3].loss!));
});

test('lm-eval sample texts are read lazily and graded the same way', async () => {
  const { run } = await readLmEvalRun(runDir);
  const src = run.samples!;
  assert.ok(src.has(0, 2));
  assert.ok(!src.has(0, 3), 'doc 3 was not evaluated at checkpoint-100');
  assert.equal(await src.read(0, 3), undefined);
  const got = (await src.read(0, 2))!;
  assert.deepEqual(
    got.samples.map((s) => [s.answer, s.outcome]),
    [['5', 'correct'], ['15', 'wrong'], ['5', 'correct'], ['5000', 'wrong']],
  );
  assert.equal(got.samples[3].text, ' She needs $5,000.\n#### 5,000');
  const c0 = (await src.read(0, 0))!.samples;
  assert.equal(c0[3].outcome, 'unparseable');
  assert.equal(c0[3].answer, null);
  const target = (await src.read(1, 0))!.samples[0].text;
  assert.ok(target.startsWith(' Natalia sold 48/2 = <<48/2=24>>24 clips in May.'));
});

test('with a dataset: the run has its size, and docs that differ from the dataset at doc_id are reported', async () => {
  const same = await readLmEvalRun(runDir, { dataset: await datasetOf([0, 1, 2, 3]) });
  assert.equal(same.problems.length, 1, 'only the line without resps');
  const bigger = await readLmEvalRun(runDir, { numExamples: 10 });
  assert.equal(bigger.run.numExamples, 10);
  const shuffled = await readLmEvalRun(runDir, { dataset: await datasetOf([1, 0, 2, 3]) });
  const mismatches = shuffled.problems.filter((p) => p.field === 'doc');
  // Docs 0 and 1 at both checkpoints; doc_id stays the index (the problem says so, it does not move data).
  assert.equal(mismatches.length, 4);
  assert.match(mismatches[0].message, /doc_id 0: the doc differs from dataset example 0 \(line 1\)/);
  assert.equal(shuffled.run.checkpoints[0].accuracy[1], 1);
});

test('a single samples file is one checkpoint; the newest file of a task wins; several tasks need a choice', async () => {
  const single = await readLmEvalRun(ckpt200File);
  assert.equal(single.run.checkpoints.length, 1);
  assert.equal(single.run.checkpoints[0].id, '__ckpts__gsm8k-run__checkpoint-200');
  assert.equal(single.run.checkpoints[0].step, 200);

  const dir = await tempDir('premem-lmeval-');
  await cp(runDir, dir, { recursive: true });
  const ck = path.join(dir, 'checkpoint-100/__ckpts__gsm8k-run__checkpoint-100');
  const older = path.join(ck, 'samples_gsm8k_2024-12-01T00-00-00.000001.jsonl');
  await writeFile(older, JSON.stringify({ doc_id: 0, doc: {}, target: '#### 1', resps: [['#### 1']] }) + '\n');
  const { run, problems } = await readLmEvalRun(dir, { runId: 'copy' });
  assert.equal(run.id, 'copy');
  assert.equal(run.checkpoints[0].accuracy[0], 0.5, 'the newer file was read');
  assert.ok(problems.some((p) => p.file === older && /older samples file/.test(p.message)));

  await mkdir(path.join(dir, 'checkpoint-300'));
  await writeFile(path.join(dir, 'checkpoint-300/samples_gsm8k_cot_2025-02-01T00-00-00.000001.jsonl'), '');
  await assert.rejects(readLmEvalRun(dir), /several lm-eval tasks \(gsm8k, gsm8k_cot\)/);
  const onlyGsm8k = await readLmEvalRun(dir, { lmEvalTask: 'gsm8k' });
  assert.equal(onlyGsm8k.run.checkpoints.length, 2);
  await assert.rejects(readLmEvalRun(dir, { lmEvalTask: 'math' }), /no samples of lm-eval task 'math'; found tasks: gsm8k, gsm8k_cot/);
  await assert.rejects(readLmEvalRun(path.join(dir, 'nope')), /no such file or folder/);
});

test('checkpoint steps come from folder names', async () => {
  assert.equal(stepFromPath('checkpoint-500'), 500);
  assert.equal(stepFromPath('__runs__x__checkpoint-1200'), 1200);
  assert.equal(stepFromPath('ep3/global_step900'), 900);
  assert.equal(stepFromPath('epoch2'), 2);
  assert.ok(Number.isNaN(stepFromPath('final')));
  const files = await findLmEvalSampleFiles(runDir);
  assert.deepEqual(files.map((f) => [f.checkpoint, f.step, f.task, f.date]), [
    ['checkpoint-100', 100, 'gsm8k', '2025-01-15T10-20-30.123456'],
    ['checkpoint-200', 200, 'gsm8k', '2025-01-16T08-02-11.654321'],
  ]);
});
