// `premem synth`: a GSM8K-like training set and the PreMem run log of one fine-tuning run over it, of any size,
// the same bytes for the same seed. Examples follow the paper's trajectories; samples copy, paraphrase or diverge
// from the target by the example's state; each checkpoint's test accuracy is the mean PreMemAcc it implies
// (plus a little noise), so calibration on the output finds p near GSM8K's 1.1055.
//
// Layout of DIR: train.jsonl, runs/<run>/checkpoint-<step>.premem.jsonl (one log per checkpoint, as one scoring
// job per checkpoint writes them; the first also holds the run record), premem.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { contentKey } from '../dataset/keys';
import { DEFAULT_FRAGILE_T } from '../metrics/dynamics';
import { BlockWriter } from './block-writer';
import { copySample, divergentSample, makeProblem, paraphraseSample, type SampleText, truncatedSample } from './problems';
import { mixSeed, Random } from './random';
import { drawOutcomes, drawPerplexity, State, SYNTH_P, trajectoryStates } from './trajectories';

export interface SynthOptions {
  examples: number;
  checkpoints: number;
  samples: number;
  out: string;
  seed?: number;
  run?: string;
  /** Examples written so far, every few thousand. */
  onProgress?: (done: number, total: number) => void;
}

export interface SynthResult {
  dataset: string;
  logs: string[];
  config: string;
  datasetBytes: number;
  logBytes: number;
  /** The test accuracy written for each checkpoint. */
  testAccuracy: number[];
}

/** The training batch size the checkpoint steps assume (the released runs used 128). */
const BATCH_SIZE = 128;
/** Sub-stream of the seed for the numbers (states, outcomes, perplexities); texts use the example's own stream. */
const SCORE_STREAM = 0x5bd1e995;

interface Scores {
  states: Uint8Array;
  outcomes: Uint8Array;
  perplexity: Float64Array;
}

export function checkSynthOptions(o: SynthOptions): void {
  const whole = (v: number, lo: number, hi: number, name: string) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`--${name} must be a whole number from ${lo} to ${hi}, got ${v}`);
  };
  whole(o.examples, 1, 50_000_000, 'examples');
  whole(o.checkpoints, 1, 1000, 'checkpoints');
  whole(o.samples, 1, 1000, 'samples');
  if (o.seed !== undefined) whole(o.seed, 0, 2 ** 32 - 1, 'seed');
  if (o.run !== undefined && !/^[A-Za-z0-9._-]+$/.test(o.run)) throw new RangeError(`--run must be a plain name (letters, digits, '.', '_', '-'), got '${o.run}'`);
}

function drawScores(o: Required<Pick<SynthOptions, 'examples' | 'checkpoints' | 'samples' | 'seed'>>): Scores {
  const { examples: n, checkpoints: c, samples: k } = o;
  const states = new Uint8Array(n * c);
  const outcomes = new Uint8Array(n * c * k);
  const perplexity = new Float64Array(n * c);
  const row = new Uint8Array(c);
  for (let i = 0; i < n; i++) {
    const r = new Random(mixSeed(o.seed ^ SCORE_STREAM, i));
    trajectoryStates(r, c, row);
    for (let m = 0; m < c; m++) {
      const at = i * c + m;
      states[at] = row[m];
      drawOutcomes(r, row[m], outcomes, at * k, k);
      perplexity[at] = drawPerplexity(r, row[m]);
    }
  }
  return { states, outcomes, perplexity };
}

/** Mean PreMemAcc per checkpoint at SYNTH_P, plus noise of at most ±0.01: what the test set would show. */
function testAccuracies(s: Scores, n: number, c: number, k: number, seed: number): number[] {
  const sums = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let m = 0; m < c; m++) {
      const at = i * c + m;
      let correct = 0;
      for (let j = 0; j < k; j++) if (s.outcomes[at * k + j] === 0) correct++;
      const acc = correct / k;
      if (s.perplexity[at] >= SYNTH_P && acc > best) best = acc;
      sums[m] += Math.min(best, acc);
    }
  }
  const r = new Random(mixSeed(seed, 0xfeed));
  return Array.from(sums, (sum) => Math.round(Math.min(1, Math.max(0, sum / n + (r.next() - 0.5) * 0.02)) * 1e4) / 1e4);
}

/** A handful of sample texts per example, JSON-encoded once and reused across checkpoints. */
class SampleTexts {
  private readonly json = new Map<SampleText, string>();
  constructor(readonly variants: { copy: SampleText; paraphrase: SampleText[]; divergent: SampleText[]; truncated: SampleText }) {}

  pick(r: Random, outcome: number, state: State): SampleText {
    const v = this.variants;
    if (outcome === 2) return v.truncated;
    if (outcome === 1) return r.pick(v.divergent);
    return state === State.Memorized && r.next() < 0.9 ? v.copy : r.pick(v.paraphrase);
  }

  encoded(s: SampleText): string {
    let j = this.json.get(s);
    if (j === undefined) this.json.set(s, (j = JSON.stringify(s.text)));
    return j;
  }
}

export function synthesize(options: SynthOptions): SynthResult {
  checkSynthOptions(options);
  const o = { ...options, seed: options.seed ?? 1, run: options.run ?? 'synth' };
  const { examples: n, checkpoints: c, samples: k } = o;
  const scores = drawScores(o);
  const testAccuracy = testAccuracies(scores, n, c, k, o.seed);
  const stepsPerEpoch = Math.ceil(n / BATCH_SIZE);

  const runDir = path.join(o.out, 'runs', o.run);
  mkdirSync(runDir, { recursive: true });
  const datasetFile = path.join(o.out, 'train.jsonl');
  const dataset = new BlockWriter(datasetFile);
  const runJson = JSON.stringify(o.run);
  const logs = testAccuracy.map((acc, m) => {
    const step = (m + 1) * stepsPerEpoch;
    const w = new BlockWriter(path.join(runDir, `checkpoint-${step}.premem.jsonl`));
    if (m === 0) {
      const meta = { generator: 'premem synth', seed: o.seed, examples: n, checkpoints: c, samples: k };
      w.write(JSON.stringify({ v: 1, type: 'run', run: o.run, dataset: '../../train.jsonl', meta }) + '\n');
    }
    w.write(JSON.stringify({ v: 1, type: 'checkpoint', run: o.run, checkpoint: `checkpoint-${step}`, step, epoch: m + 1, testAccuracy: acc }) + '\n');
    return { w, head: `{"v":1,"run":${runJson},"checkpoint":"checkpoint-${step}","step":${step},"key":` };
  });

  const seen = new Map<string, number>();
  const sampleJson: string[] = new Array(k);
  const answerJson: string[] = new Array(k);
  const outcomeText: string[] = new Array(k);
  for (let i = 0; i < n; i++) {
    const r = new Random(mixSeed(o.seed, i));
    const p = makeProblem(r);
    // A repeated record is keyed "#2", "#3", ... as the dataset reader keys it.
    const base = contentKey(p.question, p.target);
    const before = seen.get(base) ?? 0;
    seen.set(base, before + 1);
    const key = before === 0 ? base : `${base}#${before + 1}`;
    dataset.write(JSON.stringify({ question: p.question, answer: p.target }) + '\n');
    const texts = new SampleTexts({
      copy: copySample(p),
      paraphrase: [paraphraseSample(p, r), paraphraseSample(p, r)],
      divergent: [divergentSample(p, r), divergentSample(p, r)],
      truncated: truncatedSample(p, r),
    });
    const tokens = Math.round(p.target.length / 3.6);
    for (let m = 0; m < c; m++) {
      const at = i * c + m;
      const state = scores.states[at] as State;
      for (let j = 0; j < k; j++) {
        const outcome = scores.outcomes[at * k + j];
        const s = texts.pick(r, outcome, state);
        outcomeText[j] = String(outcome);
        answerJson[j] = s.answer === null ? 'null' : `"${s.answer}"`;
        sampleJson[j] = texts.encoded(s);
      }
      logs[m].w.write(
        `${logs[m].head}"${key}","index":${i},"outcomes":[${outcomeText.join(',')}],"answers":[${answerJson.join(',')}],"samples":[${sampleJson.join(',')}],"perplexity":${scores.perplexity[at]},"tokens":${tokens}}\n`,
      );
    }
    if (o.onProgress && (i + 1) % 16384 === 0) o.onProgress(i + 1, n);
  }
  dataset.close();
  for (const { w } of logs) w.close();
  o.onProgress?.(n, n);

  const config = path.join(o.out, 'premem.json');
  writeFileSync(config, JSON.stringify({ dataset: 'train.jsonl', profile: 'gsm8k', runs: [`runs/${o.run}`], p: SYNTH_P, t: DEFAULT_FRAGILE_T }, null, 2) + '\n');
  return {
    dataset: datasetFile,
    logs: logs.map(({ w }) => w.file),
    config,
    datasetBytes: dataset.bytes,
    logBytes: logs.reduce((sum, { w }) => sum + w.bytes, 0),
    testAccuracy,
  };
}
