// The training-dynamics signals of one example as short text, for the hover, the example panel and the Fragile
// Examples view's descriptions. No VS Code API: the same strings go to the webview, which shows them as text.
import type { Run } from '../core/model';
import type { ExampleSignals, SignalName } from '../core/signals/example-signals';
import { fixed2, perplexityText } from './format';

export interface SignalLine {
  label: string;
  value: string;
}

/** One signal's value: a count for forgetting events, a perplexity with its digits, "never" for never learned. */
export function signalValueText(name: SignalName, value: number): string {
  if (Number.isNaN(value)) return '—';
  if (name === 'firstLearned') return Number.isFinite(value) ? `step ${value}` : 'never';
  if (name === 'forgetting') return String(value);
  if (name === 'finalPerplexity' || name === 'meanPerplexity') return perplexityText(value);
  return fixed2(value);
}

/**
 * The signals the hover and the example panel list, in reading order; the first-learned step is named by its
 * checkpoint. Empty when the example does not count at the checkpoint (not trained on, or not scored there).
 */
export function signalLines(signals: ExampleSignals, run: Run, index: number): SignalLine[] {
  const v = (name: SignalName) => signals.values[name][index];
  if (Number.isNaN(v('preMemAccuracy'))) return [];
  const firstLearned = v('firstLearned');
  const learnedAt = run.checkpoints.find((c) => c.step === firstLearned);
  const both = (q: SignalName, acc: SignalName) => `${signalValueText(q, v(q))} (1/perplexity) · ${signalValueText(acc, v(acc))} (accuracy)`;
  return [
    { label: 'confidence', value: both('confidence', 'confidenceAccuracy') },
    { label: 'variability', value: both('variability', 'variabilityAccuracy') },
    { label: 'correctness', value: `${signalValueText('correctness', v('correctness'))} of checkpoints learned` },
    { label: 'forgetting events', value: signalValueText('forgetting', v('forgetting')) },
    { label: 'first learned', value: Number.isFinite(firstLearned) ? (learnedAt?.id ?? signalValueText('firstLearned', firstLearned)) : 'never' },
    { label: 'target perplexity', value: `${signalValueText('finalPerplexity', v('finalPerplexity'))} final · ${signalValueText('meanPerplexity', v('meanPerplexity'))} mean` },
    { label: 'learnability', value: signalValueText('learnability', v('learnability')) },
  ];
}
