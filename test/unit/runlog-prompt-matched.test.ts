// LLaMA-Factory predictions and TRL completion tables: logs without ids, placed on the dataset by prompt text.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDataset } from '../../src/core/dataset/open';
import { InputError, type Dataset } from '../../src/core/model';
import { detectRunFormat, loadRuns } from '../../src/core/runlog/load';
import { PromptMatcher } from '../../src/core/runlog/prompt-match';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const runlogs = path.join(fixtures, 'runlogs');
const layouts = path.join(fixtures, 'layouts');
const nanAsNull = (a: Float64Array) => [...a].map((x) => (Number.isNaN(x) ? null : x));

describe('LLaMA-Factory generated_predictions.jsonl', () => {
  let alpaca: Dataset;
  before(async () => {
    alpaca = await openDataset(path.join(layouts, 'alpaca.json'), 'auto');
  });
  after(() => alpaca.close());

  test('one checkpoint per folder, lines placed by prompt whatever their order, accuracy only', async () => {
    const dir = path.join(runlogs, 'llamafactory-run');
    assert.equal(await detectRunFormat(dir), 'llamafactory');
    const loaded = await loadRuns(dir, { dataset: alpaca });
    const [run] = loaded.runs;
    assert.equal(run.source.format, 'llamafactory');
    assert.deepEqual(run.checkpoints.map((c) => [c.id, c.step]), [['checkpoint-100', 100], ['checkpoint-200', 200]]);
    assert.deepEqual([...run.checkpoints[0].accuracy], [1, 0, 1, 0, 0, 0]);
    assert.deepEqual([...run.checkpoints[1].accuracy], [1, 1, 1, 1, 1, 0]);
    assert.deepEqual([...run.checkpoints[1].sampleCount], [1, 1, 1, 1, 1, 1]);
    assert.ok(run.checkpoints.every((c) => c.perplexity.every(Number.isNaN)));
    // The prompt from no dataset record is reported with its file and line, in each checkpoint.
    assert.deepEqual(loaded.problems.map((p) => [path.basename(path.dirname(p.file)), p.line, p.field]), [['checkpoint-100', 7, 'prompt'], ['checkpoint-200', 7, 'prompt']]);
    const samples = await run.samples!.read(0, 1);
    assert.equal(samples!.samples[0].outcome, 'wrong');
    assert.equal(samples!.samples[0].answer, '11'); // Weng earned $10; the prediction says 11
  });

  test('without the dataset there is nothing to place the lines on: one clear error', async () => {
    await assert.rejects(loadRuns(path.join(runlogs, 'llamafactory-run')), (e: unknown) => e instanceof InputError && /carry no example ids.*--dataset/.test(e.message));
  });
});

describe('TRL completion tables', () => {
  let prompts: Dataset;
  before(async () => {
    prompts = await openDataset(path.join(layouts, 'trl-prompt-completion.jsonl'), 'auto');
  });
  after(() => prompts.close());

  test('the CSV W&B exports: a checkpoint per step, every generation of a prompt a sample', async () => {
    const file = path.join(runlogs, 'trl-grpo', 'completions.csv');
    assert.equal(await detectRunFormat(file), 'trl-completions');
    const { runs, problems } = await loadRuns(file, { dataset: prompts });
    assert.deepEqual(problems, []);
    const [run] = runs;
    assert.equal(run.id, 'completions');
    assert.deepEqual(run.checkpoints.map((c) => [c.id, c.step]), [['step-10', 10], ['step-20', 20]]);
    assert.deepEqual(nanAsNull(run.checkpoints[0].accuracy), [0.5, 0, 0, null, null, null]);
    assert.deepEqual(nanAsNull(run.checkpoints[1].accuracy), [1, 1, 0.5, null, null, null]);
    assert.equal(run.checkpoints[0].sampleCount[0], 2);
    const samples = await run.samples!.read(0, 1);
    assert.match(samples!.samples[0].text, /^It is "20", I think\.\nThe answer is 20\.$/); // quotes and a line break inside a CSV field
  });

  test("W&B's table JSON (completions_<step>_<hash>.table.json) in a run's media folder", async () => {
    const dir = path.join(runlogs, 'trl-grpo-wandb');
    assert.equal(await detectRunFormat(dir), 'trl-completions');
    const [run] = (await loadRuns(dir, { dataset: prompts })).runs;
    assert.deepEqual(run.checkpoints.map((c) => c.id), ['step-20']);
    assert.deepEqual(nanAsNull(run.checkpoints[0].accuracy), [1, 1, 0.5, null, null, null]);
  });
});

describe('PromptMatcher', () => {
  test('the longest query a prompt holds wins; whitespace runs count as one space; a label narrows first', async () => {
    const dir = await tempDir('prompt-match-');
    const file = path.join(dir, 'short.jsonl');
    const rows = [
      { instruction: 'Add', input: '', output: 'ok' },
      { instruction: 'Add', input: '2 and 3', output: '5' },
      { instruction: 'Add 2', input: '', output: '2' },
      { instruction: 'Subtract', input: '', output: 'ok' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const ds = await openDataset(file, 'auto');
    const m = await PromptMatcher.of(ds);
    await ds.close();
    assert.equal(m.match('<|user|>\nAdd\n2 and 3<|end|>'), 1); // LLaMA-Factory joins with one line break
    assert.equal(m.match('Please: Add 2.'), 2);
    assert.equal(m.match('Add'), 0);
    assert.equal(m.match('Multiply'), undefined);
    assert.equal(m.match('Subtract or Add 2', 'ok'), 3); // the label's examples (0, 3) first, the longer of them
    assert.equal(m.match(undefined, '5'), 1);
    assert.equal(m.match(undefined, 'ok'), undefined); // two examples have that target
  });
});
