// The shared test vectors (test/vectors/keys-and-grades.json) hold what the engine computed when they were
// written; the Python package checks the same file. This test fails when the engine's keys or grades change,
// so a change on one side cannot silently leave the other behind: regenerate with scripts/make-test-vectors.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeVectors, vectorInputs, type Vectors } from '../vectors/compute';

const root = path.join(import.meta.dirname, '..', '..');
const stored = JSON.parse(fs.readFileSync(path.join(root, 'test', 'vectors', 'keys-and-grades.json'), 'utf8')) as Vectors;

test('shared vectors: the stored inputs are the ones the generator builds', () => {
  const inputs = vectorInputs(root);
  assert.deepEqual(stored.datasets.map((d) => d.records), inputs.datasets.map((d) => d.records));
  assert.deepEqual(stored.grades.map((g) => [g.task, g.target, g.sample]), inputs.grades.map((g) => [g.task, g.target, g.sample]));
  assert.ok(stored.grades.length > 1000);
});

test('shared vectors: the engine still computes every stored key and grade', () => {
  const now = computeVectors(vectorInputs(root));
  assert.deepEqual(now.datasets, stored.datasets);
  for (let i = 0; i < stored.grades.length; i++) assert.deepEqual(now.grades[i], stored.grades[i], `grade vector ${i}`);
});

test('shared vectors: duplicates get #2, #3 and every outcome code occurs', () => {
  assert.ok(stored.datasets[0].keys.includes(`${stored.datasets[0].keys[0]}#3`));
  for (const code of [0, 1, 2]) assert.ok(stored.grades.some((g) => g.outcome === code && g.task === 'math'));
  for (const code of [0, 1, 2]) assert.ok(stored.grades.some((g) => g.outcome === code && g.task === 'gsm8k'));
});
