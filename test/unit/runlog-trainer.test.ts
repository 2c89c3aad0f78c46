import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/model';
import { findTrainerState, parseTrainerState, readTrainerState } from '../../src/core/runlog/trainer-state';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const fixtureState = path.join(fixtures, 'runlogs/lm-eval-run/checkpoint-200/trainer_state.json');

test('reads log_history: training and eval entries, NaN as Python writes it, summary entry left out', async () => {
  const log = await readTrainerState(fixtureState);
  assert.deepEqual(log.slice(0, 3), [
    { step: 50, epoch: 0.5, loss: 1.2034, learningRate: 2e-5 },
    { step: 100, epoch: 1, loss: 0.8123, learningRate: 1.5e-5 },
    { step: 100, epoch: 1, evalLoss: 0.9001 },
  ]);
  assert.equal(log.length, 5);
  assert.ok(Number.isNaN(log[3].loss!));
  assert.equal(log[3].learningRate, 1e-5);
});

test('Infinity, -Infinity and NaN inside strings are left alone', () => {
  const log = parseTrainerState('{"note": "NaN Infinity", "log_history": [{"step": 1, "loss": Infinity, "eval_loss": -Infinity, "tag": "a\\"NaN"}]}', 'x.json');
  assert.equal(log.length, 1);
  assert.ok(Number.isNaN(log[0].loss!) && Number.isNaN(log[0].evalLoss!));
});

test('errors name the file and the field', async () => {
  const cases: [string, RegExp, string | undefined][] = [
    ['{"log_history": [{"loss": 1}]}', /missing field 'step'/, 'log_history[0].step'],
    ['{"log_history": [{"step": 1}, {"step": "2", "loss": 1}]}', /expected an integer step/, 'log_history[1].step'],
    ['{"log_history": [{"step": 1, "loss": "high"}]}', /expected a number, found "high"/, 'log_history[0].loss'],
    ['{"log_history": {}}', /expected an array/, 'log_history'],
    ['{"global_step": 3}', /missing field 'log_history'/, 'log_history'],
    ['[1]', /expected a JSON object/, undefined],
    ['{"log_history": [', /not valid JSON/, undefined],
  ];
  for (const [text, message, field] of cases) {
    assert.throws(
      () => parseTrainerState(text, 'run/trainer_state.json'),
      (err: unknown) => err instanceof InputError && err.file === 'run/trainer_state.json' && message.test(err.message) && err.field === field,
      text,
    );
  }
  await assert.rejects(readTrainerState(path.join(os.tmpdir(), 'no-such-premem-dir', 'trainer_state.json')), /cannot read/);
});

test('findTrainerState: the folder own file, else the latest checkpoint folder that has one', async () => {
  const dir = await tempDir('premem-trainer-');
  assert.equal(await findTrainerState(dir), undefined);
  for (const step of [500, 1000, 1500]) await mkdir(path.join(dir, `checkpoint-${step}`));
  await writeFile(path.join(dir, 'checkpoint-500/trainer_state.json'), '{"log_history": []}');
  await writeFile(path.join(dir, 'checkpoint-1000/trainer_state.json'), '{"log_history": []}');
  assert.equal(await findTrainerState(dir), path.join(dir, 'checkpoint-1000/trainer_state.json'));
  assert.equal(await findTrainerState(path.join(dir, 'checkpoint-500')), path.join(dir, 'checkpoint-500/trainer_state.json'));
  await writeFile(path.join(dir, 'trainer_state.json'), '{"log_history": []}');
  assert.equal(await findTrainerState(dir), path.join(dir, 'trainer_state.json'));
});
