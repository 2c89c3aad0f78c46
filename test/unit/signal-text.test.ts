// The signals as the hover and the example panel print them (src/extension/signal-text.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareRun } from '../../src/core/metrics/premem';
import { thresholdFromP } from '../../src/core/metrics/threshold';
import { exampleSignals } from '../../src/core/signals/example-signals';
import { signalLines, signalValueText } from '../../src/extension/signal-text';
import { makeRun } from '../support/runs';

test('signalValueText: counts, perplexities with their digits, first learned as a step or never, unknown as a dash', () => {
  assert.equal(signalValueText('forgetting', 2), '2');
  assert.equal(signalValueText('firstLearned', 20), 'step 20');
  assert.equal(signalValueText('firstLearned', Infinity), 'never');
  assert.equal(signalValueText('finalPerplexity', 1.05), '1.0500');
  assert.equal(signalValueText('confidence', 0.456), '0.46');
  assert.equal(signalValueText('variability', NaN), '—');
});

test('signalLines: one example\'s signals, the first-learned step named by its checkpoint; nothing for an example that does not count', () => {
  // Example 0: accuracy 0.5, 0, 1 at c0..c2 (steps 10, 20, 30), perplexity 2, 4, 1.05. Example 1 is not trained on.
  const run = makeRun('r', [[[0.5, 1], [2, 2]], [[0, 1], [4, 2]], [[1, 1], [1.05, 2]]], [], [0]);
  const signals = exampleSignals(prepareRun(run), thresholdFromP(1.1));
  const lines = Object.fromEntries(signalLines(signals, run, 0).map((l) => [l.label, l.value]));
  assert.deepEqual(lines, {
    confidence: ((0.5 + 0.25 + 1 / 1.05) / 3).toFixed(2),
    variability: signalValueText('variability', signals.values.variability[0]),
    correctness: '0.67',
    'forgetting events': '1',
    'first learned': 'c0',
    'perplexity final / mean': `1.0500 / ${((2 + 4 + 1.05) / 3).toFixed(4)}`,
    learnability: '0.00',
  });
  assert.deepEqual(signalLines(signals, run, 1), []);
});
