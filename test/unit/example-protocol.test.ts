import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FLAG_REASONS } from '../../src/core/flags/flag-events';
import { FlagStore } from '../../src/core/flags/flag-store';
import { contentKey } from '../../src/core/dataset/keys';
import { parseConfig } from '../../src/core/config';
import { AnalysisSession } from '../../src/core/session';
import { checkpointNumbers, exampleView } from '../../src/extension/example/example-data';
import { SampleLoader } from '../../src/extension/example/sample-loader';
import { FLAG_REASON_NAMES, type HostMessage, isHostMessage, isWebviewMessage, MAX_NOTE_LENGTH } from '../../webview/example/protocol';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

/** What crosses postMessage: JSON. */
const roundTrip = <T>(m: T): unknown => JSON.parse(JSON.stringify(m));

describe('webview → host messages', () => {
  const valid = [
    { type: 'ready' },
    { type: 'requestSamples', index: 3, run: 0, checkpoint: 2 },
    { type: 'flag', index: 0, reason: 'wrong-target', note: 'answer should be 18' },
    { type: 'unflag', index: 7 },
    { type: 'compare', index: 1, run: 1, checkpoint: 0 },
    { type: 'reveal', index: 12 },
    { type: 'selectRun' },
    { type: 'openDataset' },
    { type: 'openSettings' },
  ];

  test('accepts every message of the declared shapes', () => {
    for (const m of valid) assert.equal(isWebviewMessage(roundTrip(m)), true, JSON.stringify(m));
  });

  test('rejects malformed messages', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      42,
      [],
      [{ type: 'ready' }],
      {},
      { type: 'nonsense' },
      { type: 'toString' },
      { type: '__proto__' },
      { type: 'constructor' },
      { type: 'requestSamples', index: 3, run: 0 },
      { type: 'requestSamples', index: -1, run: 0, checkpoint: 0 },
      { type: 'requestSamples', index: 1.5, run: 0, checkpoint: 0 },
      { type: 'requestSamples', index: '3', run: 0, checkpoint: 0 },
      { type: 'requestSamples', index: Number.NaN, run: 0, checkpoint: 0 },
      { type: 'requestSamples', index: 2 ** 60, run: 0, checkpoint: 0 },
      { type: 'flag', index: 0, reason: 'because', note: '' },
      { type: 'flag', index: 0, reason: 'fragile' },
      { type: 'flag', index: 0, reason: 'fragile', note: 7 },
      { type: 'flag', index: 0, reason: 'fragile', note: 'x'.repeat(MAX_NOTE_LENGTH + 1) },
      { type: 'unflag' },
      { type: 'reveal', index: null },
      { type: 'ready', extra: '<script>' },
      { type: 'selectRun', command: 'workbench.action.terminal.new' },
    ];
    for (const m of bad) assert.equal(isWebviewMessage(m), false, JSON.stringify(m) ?? String(m));
  });

  test('a message with an inherited or prototype-polluting field is rejected', () => {
    const m = JSON.parse('{"type":"unflag","index":1,"__proto__":{"admin":true}}');
    assert.equal(isWebviewMessage(m), false);
  });

  test('the flag reasons are the flag store\'s', () => {
    assert.deepEqual([...FLAG_REASON_NAMES], [...FLAG_REASONS]);
  });
});

describe('host messages built from a real session', () => {
  let dir: string;
  let session: AnalysisSession;
  let flags: FlagStore;
  const records = readFileSync(path.join(fixtures, 'grading/gsm8k-sample.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 4)
    .map((l) => JSON.parse(l) as { question: string; answer: string });
  const hostile = '<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) \u202Eevil\u202C';

  before(async () => {
    dir = await tempDir('premem-example-');
    writeFileSync(path.join(dir, 'train.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    mkdirSync(path.join(dir, 'runs'));
    const lines: object[] = [{ v: 1, type: 'run', run: 'with-texts' }, { v: 1, type: 'run', run: 'numbers-only' }];
    records.forEach((r, index) => {
      const key = contentKey(r.question, r.answer);
      for (const [checkpoint, step] of [['checkpoint-1', 100], ['checkpoint-2', 200]] as const) {
        const samples = [r.answer, r.answer.replace(/#### .*$/, '#### 999'), hostile];
        const record: Record<string, unknown> = { v: 1, run: 'with-texts', checkpoint, step, key, index, outcomes: [0, 1, 2], answers: [null, '999', null], samples, perplexity: step === 100 ? 1.5 : 1.01 };
        // Robustness probes: example 0 at checkpoint-2 with texts (and one probe without); example 3 at
        // checkpoint-1 has texts only under its probe.
        if (index === 0 && step === 200) {
          record.perturbations = {
            'Answer: First': { outcomes: [1, 0], answers: ['5', null], samples: [r.answer.replace(/#### .*$/, '#### 5'), r.answer] },
            'no texts': { outcomes: [0] },
          };
        }
        if (index === 3 && step === 100) {
          delete record.samples;
          record.perturbations = { 'Answer: We know that': { outcomes: [0], samples: [r.answer] } };
        }
        lines.push(record);
        lines.push({ v: 1, run: 'numbers-only', checkpoint, step, key, index, outcomes: [0, 0, 1, 1], perplexity: 1.3 });
      }
    });
    writeFileSync(path.join(dir, 'runs/log.premem.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const configFile = path.join(dir, 'premem.json');
    session = await AnalysisSession.open(parseConfig(JSON.stringify({ dataset: 'train.jsonl', profile: 'gsm8k', runs: ['runs/log.premem.jsonl'], p: 1.1, t: 0.75 }), configFile));
    flags = await FlagStore.open(session.dataset.path);
  });

  after(async () => {
    await session?.close();
  });

  test('the example view passes the guard after a JSON round trip and carries the record and numbers', async () => {
    assert.equal(session.runs.length, 2, JSON.stringify(session.problems));
    const runIndex = session.runs.findIndex((r) => r.id === 'with-texts');
    session.select(runIndex);
    await flags.flag(session.dataset.keys[1], { reason: 'fragile', note: hostile, author: 'tester' });
    const view = await exampleView(session, flags, 1);
    assert.ok(view);
    const message: HostMessage = { type: 'example', example: view };
    assert.equal(isHostMessage(roundTrip(message)), true);
    assert.equal(view.query, records[1].question);
    assert.equal(view.targetAnswer, '10');
    assert.deepEqual(view.checkpoints.map((c) => [c.id, c.accuracy, c.samples, c.hasTexts]), [
      ['checkpoint-1', 1 / 3, 3, true],
      ['checkpoint-2', 1 / 3, 3, true],
    ]);
    // Perplexity 1.01 < p = 1.1 at the second checkpoint: memorized, so masked accuracy is 0 there.
    assert.equal(view.checkpoints[1].category, 'memorized');
    assert.equal(view.checkpoints[1].maskedAccuracy, 0);
    assert.deepEqual(view.flag && { reason: view.flag.reason, note: view.flag.note }, { reason: 'fragile', note: hostile });
    // Signals at checkpoint-2 over both checkpoints: 1/perplexity 1/1.5 and 1/1.01; accuracy 1/3 (never learned).
    const q = [1 / 1.5, 1 / 1.01];
    const mean = (q[0] + q[1]) / 2;
    assert.deepEqual(view.signals, [
      { label: 'confidence', value: mean.toFixed(2) },
      { label: 'variability', value: Math.sqrt(((q[0] - mean) ** 2 + (q[1] - mean) ** 2) / 2).toFixed(2) },
      { label: 'correctness', value: '0.00' },
      { label: 'forgetting events', value: '0' },
      { label: 'first learned', value: 'never' },
      { label: 'perplexity final / mean', value: '1.0100 / 1.2550' },
      { label: 'learnability', value: ((1 / 3) * (2 / 3)).toFixed(2) },
    ]);
  });

  test('comparison numbers of another run match what that run shows when selected', async () => {
    const other = session.runs.findIndex((r) => r.id === 'numbers-only');
    const numbers = checkpointNumbers(session, other, 1, 2);
    assert.ok(numbers);
    assert.equal(isHostMessage(roundTrip({ type: 'comparison', index: 2, run: other, checkpoint: 1, numbers })), true);
    const before = session.selectedRun;
    session.select(other, 1);
    const reference = (await exampleView(session, flags, 2))!.checkpoints[1];
    session.select(before);
    assert.deepEqual(numbers, reference);
    assert.equal(numbers.hasTexts, false);
    assert.equal(checkpointNumbers(session, other, 9, 2), null);
  });

  test('samples are diffed against the target; a run without texts says so', async () => {
    const loader = new SampleLoader();
    const withTexts = session.runs.findIndex((r) => r.id === 'with-texts');
    const payload = await loader.load(session, withTexts, 1, 0);
    assert.equal(payload.status, 'ok');
    if (payload.status !== 'ok') return;
    assert.equal(isHostMessage(roundTrip({ type: 'samples', index: 0, run: withTexts, checkpoint: 1, payload })), true);
    const [same, wrong, evil] = payload.samples;
    assert.ok(same.diffed && same.verbatimShare === 1);
    assert.ok(wrong.diffed && wrong.segments.some((s) => s.kind === 'added' && s.text === '999'));
    assert.equal(wrong.answer, '999');
    assert.ok(evil.diffed && evil.segments.map((s) => (s.kind === 'removed' ? '' : s.text)).join('') === hostile);
    assert.deepEqual({ ...payload.summary, meanVerbatimShare: null }, { correct: 1, wrong: 1, unparseable: 1, meanVerbatimShare: null });

    // The samples of perturbed prompts come with the checkpoint's, diffed against the same target; a probe
    // without texts is left out.
    assert.deepEqual(payload.perturbations.map((p) => [p.name, p.samples.length, p.summary.correct, p.summary.wrong]), [['Answer: First', 2, 1, 1]]);
    const [five, copy] = payload.perturbations[0].samples;
    assert.ok(five.diffed && five.answer === '5' && five.segments.some((s) => s.kind === 'added' && s.text === '5'));
    assert.ok(copy.diffed && copy.verbatimShare === 1);
    const onlyProbe = await loader.load(session, withTexts, 0, 3);
    assert.ok(onlyProbe.status === 'ok' && onlyProbe.samples.length === 0, 'no texts of the training prompt');
    assert.deepEqual(onlyProbe.perturbations.map((p) => [p.name, p.samples.length, p.summary.meanVerbatimShare]), [['Answer: We know that', 1, 1]]);

    const numbersOnly = await loader.load(session, session.runs.findIndex((r) => r.id === 'numbers-only'), 0, 0);
    assert.deepEqual(numbersOnly, { status: 'no-texts' });
    assert.equal((await loader.load(session, withTexts, 5, 0)).status, 'error');
  });

  test('the guard rejects host messages of the wrong shape', async () => {
    const view = (await exampleView(session, flags, 0))!;
    const payload = await new SampleLoader().load(session, 0, 0, 0);
    const bad: unknown[] = [
      { type: 'example', example: { ...view, query: 42 } },
      { type: 'example', example: { ...view, checkpoints: [{ ...view.checkpoints[0], accuracy: 'high' }] } },
      { type: 'example', example: { ...view, flag: { reason: 'whatever', note: '', author: '', time: '' } } },
      { type: 'example', example: { ...view, html: '<b>x</b>' } },
      { type: 'example', example: { ...view, signals: undefined } },
      { type: 'example', example: { ...view, signals: [{ label: 'confidence', value: 0.5 }] } },
      { type: 'example', example: { ...view, signals: [{ label: 'confidence', value: '0.50', html: '<b>x</b>' }] } },
      { type: 'samples', index: 0, run: 0, checkpoint: 0, payload: { status: 'ok', samples: [{ outcome: 'correct', answer: null, diffed: true, segments: [{ kind: 'script', text: 'x' }], verbatimShare: 1 }], summary: { correct: 1, wrong: 0, unparseable: 0, meanVerbatimShare: 1 } } },
      { type: 'samples', index: 0, run: 0, checkpoint: 0, payload: { status: 'ok', samples: [{ outcome: 'correct', answer: null, diffed: false, reason: 'too-long', text: { toString: 1 } }], summary: { correct: 1, wrong: 0, unparseable: 0, meanVerbatimShare: null } } },
      { type: 'samples', index: 0, run: 0, checkpoint: 0, payload: { status: 'maybe' } },
      { type: 'samples', index: 0, run: 0, checkpoint: 0, payload: { ...payload, perturbations: undefined } },
      { type: 'samples', index: 0, run: 0, checkpoint: 0, payload: { ...payload, perturbations: [{ name: 5, samples: [], summary: { correct: 0, wrong: 0, unparseable: 0, meanVerbatimShare: null } }] } },
      { type: 'empty', message: 'x' },
      { type: 'error' },
    ];
    for (const m of bad) assert.equal(isHostMessage(m), false, JSON.stringify(m).slice(0, 200));
    assert.equal(isHostMessage({ type: 'samples', index: 0, run: 0, checkpoint: 0, payload }), true);
  });
});
