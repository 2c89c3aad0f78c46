// The training-dynamics signals of one example as short text, for the hover, the example panel and the Fragile
// Examples view's descriptions. No VS Code API: the same strings go to the webview, which shows them as text.
import type { Run } from '../core/model';
import type { ExampleSignals, SignalName } from '../core/signals/example-signals';
import type { SignalLine } from '../../webview/example/protocol';
import { fixed2, perplexityText } from './format';

export type { SignalLine };

/** One signal's value: a count for forgetting events, a perplexity with its digits, "never" for never learned. */
export function signalValueText(name: SignalName, value: number): string {
  if (Number.isNaN(value)) return '—';
  if (name === 'firstLearned') return Number.isFinite(value) ? `step ${value}` : 'never';
  if (name === 'forgetting') return String(value);
  if (name === 'finalPerplexity' || name === 'meanPerplexity') return perplexityText(value);
  return fixed2(value);
}

/**
 * The signals the hover and the example panel list, in reading order: data-map confidence and variability of
 * 1/perplexity, the share of checkpoints learned, forgetting events, the checkpoint first learned at, the target's
 * perplexity at the checkpoint and its mean, learnability Acc·(1−Acc). Empty when the example does not count at
 * the checkpoint (not trained on, or not scored there).
 */
export function signalLines(signals: ExampleSignals, run: Run, index: number): SignalLine[] {
  const v = (name: SignalName) => signals.values[name][index];
  if (Number.isNaN(v('preMemAccuracy'))) return [];
  const firstLearned = v('firstLearned');
  const learnedAt = run.checkpoints.find((c) => c.step === firstLearned);
  return [
    { label: 'confidence', value: signalValueText('confidence', v('confidence')) },
    { label: 'variability', value: signalValueText('variability', v('variability')) },
    { label: 'correctness', value: signalValueText('correctness', v('correctness')) },
    { label: 'forgetting events', value: signalValueText('forgetting', v('forgetting')) },
    { label: 'first learned', value: Number.isFinite(firstLearned) ? (learnedAt?.id ?? signalValueText('firstLearned', firstLearned)) : 'never' },
    { label: 'perplexity final / mean', value: `${signalValueText('finalPerplexity', v('finalPerplexity'))} / ${signalValueText('meanPerplexity', v('meanPerplexity'))}` },
    { label: 'learnability', value: signalValueText('learnability', v('learnability')) },
  ];
}
