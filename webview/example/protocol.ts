// The example panel's messages, shared by the extension host and the webview. Every message is checked by a
// runtime guard on arrival, on both sides: the host trusts nothing a webview sends, and the webview renders only
// data of the declared shape. Dataset and sample text travel as plain strings and are rendered as text.
import type { SampleSummary, SampleView } from '../../src/core/diff/sample-view';
import type { DiffSegment } from '../../src/core/diff/trace-diff';
import { arrayOf, isBoolean, isCount, isFiniteNumber, isIndex, isNumberOrNull, isString, isStringOrNull, literal, type MessageChecks, messageGuard, nullable, oneOf, shape } from '../shared/guards';

export type { SampleSummary, SampleView, DiffSegment };

export const FLAG_REASON_NAMES = ['fragile', 'wrong-target', 'ambiguous-question', 'duplicate', 'keep', 'other'] as const;
export type FlagReasonName = (typeof FLAG_REASON_NAMES)[number];

/** Longest note accepted with a flag (characters). */
export const MAX_NOTE_LENGTH = 2_000;

export interface FlagView {
  reason: FlagReasonName;
  note: string;
  author: string;
  time: string;
}

/** One checkpoint's numbers for the example. */
export interface CheckpointNumbers {
  id: string;
  /** Training step; null when the log does not say. */
  step: number | null;
  accuracy: number | null;
  perplexity: number | null;
  maskedAccuracy: number | null;
  preMemAccuracy: number | null;
  /** Learning-progression category (incorrect, correct-not-memorized, memorized, …). */
  category: string;
  samples: number;
  /** Whether the log holds sample texts for this example at this checkpoint. */
  hasTexts: boolean;
}

export interface RunChoice {
  index: number;
  id: string;
  checkpoints: { id: string; step: number | null }[];
}

/** One training-dynamics signal of the example (docs/signals.md), as text the host formatted. */
export interface SignalLine {
  label: string;
  value: string;
}

export interface ExampleView {
  index: number;
  key: string;
  line: number;
  query: string;
  target: string;
  targetAnswer: string | null;
  task: string;
  /** The session's selected run, whose checkpoints the panel lists. */
  run: number;
  runId: string;
  /** The session's selected checkpoint (index into checkpoints). */
  selectedCheckpoint: number;
  preMemAccuracy: number | null;
  bucket: string;
  trajectory: string;
  firstMemorized: string | null;
  member: boolean;
  checkpoints: CheckpointNumbers[];
  /** The signals at the selected checkpoint; empty when the example does not count there. */
  signals: SignalLine[];
  runs: RunChoice[];
  flag: FlagView | null;
  /** False when the dataset has no flag store (flagging is then unavailable). */
  canFlag: boolean;
  p: number;
  t: number;
}

/** Samples taken with a perturbed prompt (a robustness probe), named as in the run log. */
export interface PerturbedSamples {
  name: string;
  samples: SampleView[];
  summary: SampleSummary;
}

export type SamplesPayload =
  /** `samples` may be empty when only the perturbed prompts' texts were logged. */
  | { status: 'ok'; samples: SampleView[]; summary: SampleSummary; perturbations: PerturbedSamples[] }
  | { status: 'no-texts' }
  | { status: 'error'; message: string };

export type HostMessage =
  | { type: 'example'; example: ExampleView }
  /** Nothing to show: no session, or no example chosen yet. */
  | { type: 'empty'; message: string; canOpen: boolean }
  | { type: 'samples'; index: number; run: number; checkpoint: number; payload: SamplesPayload }
  | { type: 'flag'; index: number; flag: FlagView | null }
  | { type: 'comparison'; index: number; run: number; checkpoint: number; numbers: CheckpointNumbers | null }
  | { type: 'error'; message: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'requestSamples'; index: number; run: number; checkpoint: number }
  | { type: 'flag'; index: number; reason: FlagReasonName; note: string }
  | { type: 'unflag'; index: number }
  | { type: 'compare'; index: number; run: number; checkpoint: number }
  | { type: 'reveal'; index: number }
  | { type: 'selectRun' }
  | { type: 'openDataset' }
  | { type: 'openSettings' };

// ---- guards ------------------------------------------------------------------------------------------------

const isFlagReasonName = oneOf(FLAG_REASON_NAMES);
const isFlagView = shape<FlagView>({ reason: isFlagReasonName, note: isString, author: isString, time: isString });
const isOutcome = oneOf(['correct', 'wrong', 'unparseable'] as const);
const isSegment = shape<DiffSegment>({ kind: oneOf(['same', 'added', 'removed'] as const), text: isString });

const isCheckpointNumbers = shape<CheckpointNumbers>({
  id: isString,
  step: isNumberOrNull,
  accuracy: isNumberOrNull,
  perplexity: isNumberOrNull,
  maskedAccuracy: isNumberOrNull,
  preMemAccuracy: isNumberOrNull,
  category: isString,
  samples: isCount,
  hasTexts: isBoolean,
});

const isRunChoice = shape<RunChoice>({
  index: isIndex,
  id: isString,
  checkpoints: arrayOf(shape({ id: isString, step: isNumberOrNull })),
});

const isExampleView = shape<ExampleView>({
  index: isIndex,
  key: isString,
  line: isCount,
  query: isString,
  target: isString,
  targetAnswer: isStringOrNull,
  task: isString,
  run: isIndex,
  runId: isString,
  selectedCheckpoint: isIndex,
  preMemAccuracy: isNumberOrNull,
  bucket: isString,
  trajectory: isString,
  firstMemorized: isStringOrNull,
  member: isBoolean,
  checkpoints: arrayOf(isCheckpointNumbers),
  signals: arrayOf(shape<SignalLine>({ label: isString, value: isString })),
  runs: arrayOf(isRunChoice),
  flag: nullable(isFlagView),
  canFlag: isBoolean,
  p: isFiniteNumber,
  t: isFiniteNumber,
});

const isDiffedSample = shape<Extract<SampleView, { diffed: true }>>({
  outcome: isOutcome,
  answer: isStringOrNull,
  diffed: literal(true),
  segments: arrayOf(isSegment),
  verbatimShare: isNumberOrNull,
});
const isRawSample = shape<Extract<SampleView, { diffed: false }>>({
  outcome: isOutcome,
  answer: isStringOrNull,
  diffed: literal(false),
  reason: oneOf(['too-long', 'time-budget'] as const),
  text: isString,
});
const isSampleView = (v: unknown): v is SampleView => isDiffedSample(v) || isRawSample(v);

const isSummary = shape<SampleSummary>({ correct: isCount, wrong: isCount, unparseable: isCount, meanVerbatimShare: isNumberOrNull });

const isPerturbedSamples = shape<PerturbedSamples>({ name: isString, samples: arrayOf(isSampleView), summary: isSummary });

const isSamplesPayload = (v: unknown): v is SamplesPayload =>
  shape({ status: literal('ok'), samples: arrayOf(isSampleView), summary: isSummary, perturbations: arrayOf(isPerturbedSamples) })(v) ||
  shape({ status: literal('no-texts') })(v) ||
  shape({ status: literal('error'), message: isString })(v);

const hostMessageChecks: MessageChecks<HostMessage> = {
  example: shape({ type: literal('example'), example: isExampleView }),
  empty: shape({ type: literal('empty'), message: isString, canOpen: isBoolean }),
  samples: shape({ type: literal('samples'), index: isIndex, run: isIndex, checkpoint: isIndex, payload: isSamplesPayload }),
  flag: shape({ type: literal('flag'), index: isIndex, flag: nullable(isFlagView) }),
  comparison: shape({ type: literal('comparison'), index: isIndex, run: isIndex, checkpoint: isIndex, numbers: nullable(isCheckpointNumbers) }),
  error: shape({ type: literal('error'), message: isString }),
};

const isNote = (v: unknown): v is string => isString(v) && v.length <= MAX_NOTE_LENGTH;

const webviewMessageChecks: MessageChecks<WebviewMessage> = {
  ready: shape({ type: literal('ready') }),
  requestSamples: shape({ type: literal('requestSamples'), index: isIndex, run: isIndex, checkpoint: isIndex }),
  flag: shape({ type: literal('flag'), index: isIndex, reason: isFlagReasonName, note: isNote }),
  unflag: shape({ type: literal('unflag'), index: isIndex }),
  compare: shape({ type: literal('compare'), index: isIndex, run: isIndex, checkpoint: isIndex }),
  reveal: shape({ type: literal('reveal'), index: isIndex }),
  selectRun: shape({ type: literal('selectRun') }),
  openDataset: shape({ type: literal('openDataset') }),
  openSettings: shape({ type: literal('openSettings') }),
};

/** A message the host may send, of exactly the declared shape. */
export const isHostMessage = messageGuard<HostMessage>(hostMessageChecks);

/** A message a webview may send, of exactly the declared shape (indices are non-negative integers, notes bounded). */
export const isWebviewMessage = messageGuard<WebviewMessage>(webviewMessageChecks);
