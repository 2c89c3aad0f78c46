// The command line on the layouts and logs people have: the dataset mapping flags, --config, and lm-eval --task,
// run as a user would (the CLI through tsx), on the layout and run-log fixtures.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { contentKey } from '../../src/core/dataset/keys';
import { readLmEvalRun } from '../../src/core/runlog/lm-eval';
import { detectRunFormat } from '../../src/core/runlog/load';
import { readExamples, startReferenceServer } from '../support/reference-server';
import { fixtures, repoRoot } from '../support/shared';
import { tempDir } from '../support/temp-dir';

/** The CLI run without blocking this process (the scoring test's server answers from it). */
function prememAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function premem(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const runlogs = path.join(fixtures, 'runlogs');
const layouts = path.join(fixtures, 'layouts');
const head = path.join(fixtures, 'datasets', 'gsm8k-train-head.jsonl');

describe('lm-eval folders', () => {
  test('two tasks in one folder: one line naming them and the flag; --task reads the one chosen', () => {
    const refused = premem('analyze', '--runs', path.join(runlogs, 'lm-eval-two-tasks'));
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /several lm-eval tasks \(gsm8k, gsm8k_cot\); choose one with --task gsm8k/);
    const chosen = premem('analyze', '--runs', path.join(runlogs, 'lm-eval-two-tasks'), '--task', 'gsm8k_cot', '--dataset', head, '--json');
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.deepEqual(JSON.parse(chosen.stdout).runs[0].checkpoints.map((c: { step: number }) => c.step), [100, 200]);
    const unknown = premem('analyze', '--runs', path.join(runlogs, 'lm-eval-two-tasks'), '--task', 'math');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no samples of lm-eval task 'math'; found tasks: gsm8k, gsm8k_cot/);
  });

  test('lm-eval 0.4.0-0.4.2 arrays ("<model>_<task>.jsonl", samples_<task>_<date>.json) read as the JSON Lines run, repeats and all', async () => {
    const current = await readLmEvalRun(path.join(runlogs, 'lm-eval-run'));
    const old = await readLmEvalRun(path.join(runlogs, 'lm-eval-0.4.0'));
    assert.deepEqual(old.run.checkpoints.map((c) => c.id), ['checkpoint-100', 'checkpoint-200']);
    for (let m = 0; m < 2; m++) {
      assert.deepEqual([...old.run.checkpoints[m].accuracy], [...current.run.checkpoints[m].accuracy]);
      assert.deepEqual([...old.run.checkpoints[m].sampleCount], [...current.run.checkpoints[m].sampleCount]);
    }
    assert.equal(old.run.checkpoints[0].sampleCount[0], 4); // repeats: 4 responses per doc
    const samples = await old.run.samples!.read(0, 0);
    assert.deepEqual(samples, await current.run.samples!.read(0, 0));
  });

  test('a small array file alone is recognised by its content; a PreMem log named *completions* stays a PreMem log', async () => {
    const dir = await tempDir('front-door-old-');
    const file = path.join(dir, 'pretrained__m_gsm8k.jsonl');
    writeFileSync(file, JSON.stringify([{ doc_id: 0, doc: { question: 'q', answer: '#### 3' }, resps: [['#### 3', '#### 4']] }], null, 2));
    assert.equal(await detectRunFormat(file), 'lm-eval');
    const { run } = await readLmEvalRun(file);
    assert.deepEqual([...run.checkpoints[0].accuracy], [0.5]);
    const premem = path.join(dir, 'completions.premem.jsonl');
    writeFileSync(premem, '');
    assert.equal(await detectRunFormat(premem), 'premem');
  });
});

describe('logs without ids on the command line', () => {
  test('LLaMA-Factory predictions and a TRL completions CSV open with --dataset and no other flag', () => {
    const lf = premem('analyze', '--runs', path.join(runlogs, 'llamafactory-run'), '--dataset', path.join(layouts, 'alpaca.json'), '--json');
    assert.equal(lf.code, 0, lf.stderr);
    assert.deepEqual(JSON.parse(lf.stdout).runs[0].checkpoints.map((c: { trainAccuracy: number }) => c.trainAccuracy), [2 / 6, 5 / 6]);
    assert.match(lf.stderr, /checkpoint-100\/generated_predictions\.jsonl:7: error: prompt: no dataset example's query appears in this prompt/);
    const trl = premem('analyze', '--runs', path.join(runlogs, 'trl-grpo', 'completions.csv'), '--dataset', path.join(layouts, 'trl-prompt-completion.jsonl'), '--json');
    assert.equal(trl.code, 0, trl.stderr);
    assert.deepEqual(JSON.parse(trl.stdout).runs[0].checkpoints.map((c: { step: number }) => c.step), [10, 20]);
    const alone = premem('analyze', '--runs', path.join(runlogs, 'llamafactory-run'));
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /carry no example ids/);
  });
});

describe('dataset mapping on the command line', () => {
  test('an undetected layout: exit 1 with the fields and the flags; with the flags it suggests, it opens', async () => {
    const dir = await tempDir('front-door-');
    const data = path.join(dir, 'own.jsonl');
    const gsm = readFileSync(head, 'utf8').trim().split('\n').slice(0, 4).map((l) => JSON.parse(l));
    writeFileSync(data, gsm.map((r) => JSON.stringify({ ask: r.question, work: r.answer })).join('\n') + '\n');
    const run = path.join(runlogs, 'lm-eval-run');
    const refused = premem('analyze', '--runs', run, '--dataset', data);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /fields seen: ask \(text: .*\), work \(text: .*\)\. Map them, e\.g\. --query ask --target work /);
    const mapped = premem('analyze', '--runs', run, '--dataset', data, '--query', 'ask', '--target', 'work', '--json');
    assert.equal(mapped.code, 0, mapped.stderr);
    // The docs are GSM8K's own {question, answer}: read in their own layout, they are these examples.
    assert.doesNotMatch(mapped.stderr, /docs lack|differs from dataset example/);
    assert.equal(premem('analyze', '--runs', run, '--dataset', data, '--query', 'ask').code, 2);
    // --answer alone adds to premem.json's profile; a broken one there is named with its file and field.
    const config = path.join(dir, 'premem.json');
    writeFileSync(config, JSON.stringify({ dataset: data, profile: { query: '', target: 'work' }, runs: [run] }));
    const broken = premem('analyze', '--config', config, '--answer', 'n');
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /premem\.json \(profile\): custom dataset profile: 'query' must name a field/);
    assert.match(premem('analyze', '--runs', run, '--profile', 'sharegpt').stderr, /--profile: unknown dataset profile 'sharegpt'/);
  });

  test('a template target joins {question, chain, result} back into GSM8K traces: lm-eval\'s GSM8K docs match by key', () => {
    const run = path.join(runlogs, 'lm-eval-run');
    const data = path.join(layouts, 'gsm8k-chain-result.parquet');
    const r = premem('analyze', '--runs', run, '--dataset', data, '--query', 'question', '--target', '{chain}\\n#### {result}', '--json');
    assert.equal(r.code, 0, r.stderr);
    // Each doc's key (question + GSM8K answer) equals the example's key built from the template: nothing to warn of.
    assert.doesNotMatch(r.stderr, /docs lack|differs from dataset example/);
    // Detected as question/chain/result, the traces lack GSM8K's "#### 72" line: each doc is told apart.
    const plain = premem('analyze', '--runs', run, '--dataset', data, '--json');
    assert.match(plain.stderr, /doc_id 0: the doc differs from dataset example 0/);
  });

  test('--config takes dataset, profile, runs (with their lm-eval task), p and t from premem.json', async () => {
    const dir = await tempDir('front-door-config-');
    const config = path.join(dir, 'premem.json');
    writeFileSync(
      config,
      JSON.stringify({ dataset: head, profile: 'gsm8k', runs: [{ path: path.join(runlogs, 'lm-eval-two-tasks'), task: 'gsm8k_cot' }], p: 1.2, t: 0.5 }),
    );
    const r = premem('analyze', '--config', config, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(Math.abs(out.p - 1.2) < 1e-12);
    assert.equal(out.t, 0.5);
    const exported = path.join(dir, 'fragile.jsonl');
    const e = premem('export', '--config', config, '--out', exported);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /with PreMemAcc <= 0.5 at lm-eval-two-tasks \/ checkpoint-200/);
  });
});

describe('premem score with a mapping', () => {
  test('a dataset in no known layout is refused without flags and scored with --query and --target', async () => {
    const dir = await tempDir('front-door-score-');
    const gsm = readExamples(head).slice(0, 6);
    writeFileSync(path.join(dir, 'own.jsonl'), gsm.map((e) => JSON.stringify({ ask: e.query, work: e.target })).join('\n') + '\n');
    const server = await startReferenceServer({ examples: gsm });
    try {
      const config = path.join(dir, 'premem.json');
      writeFileSync(config, JSON.stringify({ dataset: 'own.jsonl', runs: [], p: 1.1055, scoring: { endpoints: [server.url], checkpoints: ['ep1'], k: 2, maxTokens: 64 } }));
      const refused = await prememAsync('score', '--config', config, '--quiet');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /cannot detect the dataset profile; fields seen: ask .*Map them, e\.g\. --query ask --target work /);
      const scored = await prememAsync('score', '--config', config, '--quiet', '--query', 'ask', '--target', 'work');
      assert.equal(scored.code, 0, scored.stderr);
      const keys = readFileSync(path.join(dir, 'runs/scored.premem.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"example"')).map((l) => JSON.parse(l).key);
      assert.deepEqual(keys.sort(), gsm.map((e) => contentKey(e.query, e.target)).sort());
    } finally {
      await server.close();
    }
  });
});
