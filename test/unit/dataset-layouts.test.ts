// Every dataset layout PreMem detects without help (README, Formats), opened from fixture files in that layout.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { extractFields } from '../../src/core/dataset/collect';
import { fieldText } from '../../src/core/dataset/field-text';
import { contentKey } from '../../src/core/dataset/keys';
import { openJsonlDataset } from '../../src/core/dataset/jsonl';
import { openDataset } from '../../src/core/dataset/open';
import { customProfile, detectProfile } from '../../src/core/dataset/profiles';
import { referenceAnswer } from '../../src/core/grading';
import { InputError, type Dataset } from '../../src/core/model';
import { tempDir } from '../support/temp-dir';

const fx = (name: string) => path.join(__dirname, '..', 'fixtures', 'layouts', name);
const NATALIA = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?';

async function first(file: string, profile: Parameters<typeof openDataset>[1] = 'auto'): Promise<{ ds: Dataset; ex: Awaited<ReturnType<Dataset['get']>> }> {
  const ds = await openDataset(file, profile);
  const ex = await ds.get(0);
  await ds.close();
  return { ds, ex };
}

describe('dataset layouts open without a mapping', () => {
  test('chat messages: the user turn is the query, the final assistant turn the target, system ignored', async () => {
    const { ds, ex } = await first(fx('chat-messages.jsonl'));
    assert.equal(ds.profile.name, 'chat');
    assert.equal(ds.size, 6);
    assert.equal(ex.query, NATALIA);
    assert.match(ex.target, /^Natalia sold 48\/2 = <<48\/2=24>>24 clips in May\.\n.*#### 72$/s);
    assert.equal(referenceAnswer(ds.profile.task, ex), '72');
  });

  test('TRL conversational prompt/completion', async () => {
    const { ds, ex } = await first(fx('trl-prompt-completion.jsonl'));
    assert.equal(ds.profile.name, 'prompt-completion');
    assert.equal(ex.query, NATALIA);
    assert.match(ex.target, /The answer is 72\.$/);
    assert.equal(referenceAnswer(ds.profile.task, ex), '72');
  });

  test('Alpaca: instruction, then input when there is one; output is the target', async () => {
    const ds = await openDataset(fx('alpaca.json'), 'auto');
    assert.equal(ds.profile.name, 'alpaca');
    assert.equal((await ds.get(0)).query, `Solve the math word problem.\n\n${NATALIA}`);
    assert.equal((await ds.get(2)).query.startsWith('Albert is wondering'), false);
    assert.doesNotMatch((await ds.get(2)).query, /\n$/);
    await ds.close();
  });

  test("a real Alpaca file (LLaMA-Factory's identity.json head)", async () => {
    const ds = await openDataset(fx('real/llamafactory-identity-head.json'), 'auto');
    assert.equal(ds.profile.name, 'alpaca');
    assert.equal(ds.size, 5);
    assert.deepEqual(ds.problems, []);
    const first = await ds.get(0);
    assert.equal(first.query, 'hi'); // the empty input leaves no blank line
    assert.equal(first.target, 'Hello! I am NAME, an AI assistant developed by AUTHOR. How can I assist you today?');
    assert.equal(first.line, 2);
    await ds.close();
  });

  test('SFT prompt/response/ground_truth: the ground truth is the answer field', async () => {
    const { ds, ex } = await first(fx('sft-ground-truth.jsonl'));
    assert.deepEqual([ds.profile.query, ds.profile.target, ds.profile.answer], ['prompt', 'response', 'ground_truth']);
    assert.equal(ex.answer, '72');
    assert.equal(referenceAnswer(ds.profile.task, ex), '72');
  });

  test('MATH-500 style problem/answer, graded by the MATH normalisation', async () => {
    const { ds, ex } = await first(fx('problem-answer.jsonl'));
    assert.equal(ds.profile.name, 'math-answer');
    assert.equal(ex.target, '\\frac{5}{6}');
    assert.equal(referenceAnswer('math', ex), '\\frac{5}{6}');
  });

  test('GSM8K as Parquet {question, chain, result}: chain is the trace, the integer result the answer', async () => {
    const { ds, ex } = await first(fx('gsm8k-chain-result.parquet'));
    assert.equal(ds.profile.name, 'question-trace');
    assert.deepEqual([ds.profile.query, ds.profile.target, ds.profile.answer], ['question', 'chain', 'result']);
    assert.equal(ex.query, NATALIA);
    assert.equal(ex.answer, '72');
    // The documented template joins them back into GSM8K's own trace, keyed as GSM8K's record.
    const joined = await first(fx('gsm8k-chain-result.parquet'), customProfile({ query: 'question', target: '{chain}\n#### {result}', task: 'gsm8k' }));
    assert.equal(joined.ex.key, contentKey(NATALIA, 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72'));
  });

  test('MATH with extra columns (level, type) as Parquet', async () => {
    const { ds, ex } = await first(fx('math-extras.parquet'));
    assert.equal(ds.profile.name, 'math');
    assert.equal(referenceAnswer('math', ex), '\\frac{5}{6}');
  });

  test('verl Parquet: prompt message list and reward_model.ground_truth', async () => {
    const { ds, ex } = await first(fx('verl-gsm8k.parquet'));
    assert.equal(ds.profile.name, 'verl');
    assert.match(ex.query, /^Natalia sold clips.*after "####"\.$/);
    assert.equal(ex.target, '72');
    assert.equal(referenceAnswer(ds.profile.task, ex), '72');
  });

  test('a Hugging Face dataset folder: the train shards in order, as one dataset; rows numbered across shards', async () => {
    const ds = await openDataset(fx('hf-gsm8k'), 'auto');
    assert.equal(ds.profile.name, 'gsm8k');
    assert.equal(ds.size, 5);
    assert.deepEqual([...ds.lines], [1, 2, 3, 4, 5]);
    assert.equal((await ds.get(0)).query, NATALIA);
    assert.match((await ds.get(3)).query, /^Julie is reading/); // the second shard's first row
    await ds.close();
  });

  test('GSM8K and MATH fields win over the other layouts, so records that carry both keep their keys', () => {
    const messages = [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }];
    assert.equal(detectProfile({ question: 'q', answer: 'a', messages }).name, 'gsm8k');
    assert.equal(detectProfile({ problem: 'p', solution: 's', answer: '3', messages }).name, 'math');
    assert.equal(detectProfile({ messages, prompt: 'p', completion: 'c' }).name, 'chat');
  });

  test('unsure: one line naming the fields with example values and the flags that map them', () => {
    assert.throws(
      () => detectProfile({ text: 'Natalia sold clips to 48 of her friends', score: 1 }, 'data.jsonl', 3),
      (err: unknown) =>
        err instanceof InputError &&
        err.line === 3 &&
        !err.message.includes('\n') &&
        err.message.includes('fields seen: text (text: "Natalia sold clips to 48…"), score (number: 1)') &&
        err.message.includes('Map them, e.g. --query text --target FIELD'),
    );
  });
});

describe('field mappings', () => {
  test('templates join fields, {x?} may be missing, {{ }} are literal; message lists follow the role rule', () => {
    const record = { q: 'Q', meta: { c: 'C', n: 4 }, turns: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U1' }, { role: 'assistant', content: 'A1' }, { role: 'user', content: [{ type: 'text', text: 'U2' }] }, { role: 'assistant', content: 'A2' }] };
    assert.equal(fieldText(record, '{meta.c}\n#### {meta.n}', 'target'), 'C\n#### 4');
    assert.equal(fieldText(record, '{q}\n\n{missing?}', 'query'), 'Q');
    assert.deepEqual(fieldText(record, '{q} {missing}', 'query'), { path: 'missing', value: undefined });
    assert.equal(fieldText(record, '{{{q}}}', 'query'), '{Q}');
    assert.equal(fieldText(record, 'turns', 'query'), 'U1\n\nU2');
    assert.equal(fieldText(record, 'turns', 'target'), 'A2');
    assert.deepEqual(fieldText(record, 'meta.n', 'target'), { path: 'meta.n', value: 4 });
    assert.equal(fieldText(record, 'meta.n', 'answer'), '4');
  });

  test('an answer field missing from a record leaves the record usable, graded from its target', () => {
    const profile = customProfile({ query: 'q', target: 't', answer: 'a' });
    assert.deepEqual(extractFields({ q: 'Q', t: 'so #### 5' }, profile), { query: 'Q', target: 'so #### 5' });
    assert.equal(referenceAnswer('general', { target: 'so #### 5' }), '5');
  });

  test('the worker-thread scan reads chat records exactly as the sequential one', async () => {
    const dir = await tempDir('layouts-');
    const file = path.join(dir, 'chat.jsonl');
    const line = (i: number) => JSON.stringify({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: `q${i}` }, { role: 'assistant', content: `a ${i}` }] });
    writeFileSync(file, Array.from({ length: 3000 }, (_, i) => (i === 7 ? '{"messages": [{"role": "user"}]}' : line(i % 2000))).join('\n') + '\n');
    const seq = await openJsonlDataset(file, 'auto', { workers: 0 });
    const par = await openJsonlDataset(file, 'auto', { workers: 2, parallelMinBytes: 0 });
    assert.deepEqual(par.keys, seq.keys);
    assert.deepEqual(par.problems, seq.problems);
    assert.equal(seq.problems[0].line, 8);
    await seq.close();
    await par.close();
  });
});
