import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/model';
import { fillTemplate, parseScoringConfig, perturbedPrompt, SCORING_KEYS } from '../../src/core/scoring/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/shared';
import { parseSelection } from '../../src/core/scoring/selection';
import type { Dataset } from '../../src/core/model';

const minimal = { endpoints: ['http://gpu-1:8000/v1/'], checkpoints: ['ep1', 'ep2'] };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err.field;
  }
  assert.fail('expected an error');
}

describe('scoring config', () => {
  test('defaults are those of the released runs, per task', () => {
    const g = parseScoringConfig(minimal, 'gsm8k');
    assert.equal(g.flavour, 'vllm');
    assert.equal(g.promptTemplate, '{question}\nAnswer:');
    assert.equal(g.targetTemplate, ' {answer}\nDone.');
    assert.deepEqual(g.stop, ['\nDone.']);
    assert.deepEqual([g.k, g.temperature, g.seed, g.topP, g.maxTokens], [5, 0.8, 2, 0.95, 512]);
    assert.deepEqual([g.concurrency, g.batchSize, g.timeoutMs, g.retries], [64, 16, 120000, 6]);
    assert.equal(g.logprobsMode, 'prompt_logprobs');
    assert.equal(g.perplexity, true);
    assert.deepEqual(g.perturbations, []);
    assert.equal(g.apiKeyEnv, 'PREMEM_API_KEY');
    const m = parseScoringConfig(minimal, 'math');
    assert.deepEqual([m.topP, m.maxTokens], [1, 1024]);
  });

  test('checkpoints: model defaults to the id, step to its trailing number, endpoints to the shared list', () => {
    const c = parseScoringConfig(
      {
        endpoints: ['http://a:8000', 'http://b:8000/'],
        checkpoints: ['ep3', { id: 'final', model: 'llama-ft', endpoint: 'https://c/v1', step: 900 }, { id: 'mid', loraPath: '/ckpt/mid' }],
      },
      'gsm8k',
    ).checkpoints;
    const ab = 'replicas http://a:8000 http://b:8000';
    assert.deepEqual(c[0], { id: 'ep3', step: 3, model: 'ep3', endpoints: ['http://a:8000', 'http://b:8000'], tokenizer: ab });
    assert.deepEqual(c[1], { id: 'final', step: 900, model: 'llama-ft', endpoints: ['https://c'], tokenizer: 'replicas https://c' });
    assert.deepEqual(c[2], { id: 'mid', step: 3, model: 'mid', endpoints: ['http://a:8000', 'http://b:8000'], loraPath: '/ckpt/mid', tokenizer: ab });
  });

  test('tokenizer: checkpoints on the same replicas share one unless the config names their own', () => {
    const c = parseScoringConfig({ endpoints: ['http://b:1', 'http://a:1'], checkpoints: ['ep1', { id: 'ep2', endpoint: ['http://a:1', 'http://b:1'] }, { id: 'ep3', tokenizer: 'llama-3' }] }, 'gsm8k').checkpoints;
    assert.equal(c[0].tokenizer, c[1].tokenizer);
    assert.equal(c[2].tokenizer, 'llama-3');
    assert.throws(() => parseScoringConfig({ ...minimal, checkpoints: [{ id: 'ep1', tokenizer: '' }] }, 'gsm8k'), /scoring\.checkpoints\[0\]\.tokenizer\): must be a non-empty name/);
  });

  test('perturbations: true means the paper probes', () => {
    assert.deepEqual(parseScoringConfig({ ...minimal, perturbations: true }, 'gsm8k').perturbations, ['First', 'We know that']);
    assert.deepEqual(parseScoringConfig({ ...minimal, perturbations: ['Let us see'] }, 'gsm8k').perturbations, ['Let us see']);
    assert.equal(perturbedPrompt(fillTemplate('{question}\nAnswer:', 'Q?', 'A'), 'First'), 'Q?\nAnswer: First');
  });

  test('templates fill {question} and {answer} without interpreting $ patterns', () => {
    assert.equal(fillTemplate(' {answer}\nDone.', 'q', 'costs $& and $1'), ' costs $& and $1\nDone.');
  });

  test('errors name the field', () => {
    assert.equal(fieldOf(() => parseScoringConfig(undefined, 'gsm8k')), 'scoring');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, flavour: 'tgi' }, 'gsm8k')), 'scoring.flavour');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, endpoints: ['gpu-1:8000'] }, 'gsm8k')), 'scoring.endpoints[0]');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, endpoints: ['http://user:secret@gpu'] }, 'gsm8k')), 'scoring.endpoints[0]');
    assert.equal(fieldOf(() => parseScoringConfig({ checkpoints: ['ep1'] }, 'gsm8k')), 'scoring.checkpoints[0].endpoint');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, checkpoints: [] }, 'gsm8k')), 'scoring.checkpoints');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, checkpoints: ['a', 'a'] }, 'gsm8k')), 'scoring.checkpoints[1].id');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, k: 0 }, 'gsm8k')), 'scoring.k');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, topP: 1.5 }, 'gsm8k')), 'scoring.topP');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, batchSize: 5000 }, 'gsm8k')), 'scoring.batchSize');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, promptTemplate: 'no placeholder' }, 'gsm8k')), 'scoring.promptTemplate');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, logprobsMode: 'top' }, 'gsm8k')), 'scoring.logprobsMode');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, perturbations: [''] }, 'gsm8k')), 'scoring.perturbations[0]');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, apiKeyEnv: 'not a name' }, 'gsm8k')), 'scoring.apiKeyEnv');
    assert.equal(fieldOf(() => parseScoringConfig({ ...minimal, stop: 'x' }, 'gsm8k')), 'scoring.stop');
  });
});

describe('example selection files', () => {
  const dataset = { path: 'train.jsonl', size: 5, keyToIndex: new Map([['h:aa', 0], ['17', 4]]) } as unknown as Dataset;

  test('keys win over indices, comments and blank lines are skipped', () => {
    assert.deepEqual(parseSelection('h:aa\n\n# a comment\n2  # inline\n17\n', 'sel.txt', dataset), [0, 2, 4]);
  });

  test('bad lines are reported with file and line', () => {
    assert.throws(() => parseSelection('1\nnope\n', 'sel.txt', dataset), /sel\.txt:2: 'nope' is neither an example key/);
    assert.throws(() => parseSelection('9\n', 'sel.txt', dataset), /sel\.txt:1: index 9 is beyond the dataset's 5 examples/);
  });
});

test('an unknown key in "scoring" is refused naming it, with the nearest known key', () => {
  const raw = { endpoints: ['http://127.0.0.1:8000'], checkpoints: ['checkpoint-58'], concurency: 8 };
  assert.throws(() => parseScoringConfig(raw, 'gsm8k'), (e: Error) => e instanceof InputError && e.field === 'scoring.concurency' && /did you mean "concurrency"\?/.test(e.message));
  assert.throws(() => parseScoringConfig({ ...minimal, wholly: 1 }, 'gsm8k'), /scoring\.wholly\): unknown setting \(known: flavour, /);
});

test('the known scoring keys are exactly those the JSON schema documents', () => {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/premem.schema.json'), 'utf8'));
  assert.deepEqual([...SCORING_KEYS].sort(), Object.keys(schema.properties.scoring.properties).sort());
});
