import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffArrays, wordsWithSpaceDiff } from 'diff';
import { alignTokens, Op } from '../../src/core/diff/lcs';
import { DEFAULT_DIFF_LIMITS, type DiffSegment, diffTrace, verbatimShare } from '../../src/core/diff/trace-diff';
import { sampleText, sampleViews, summarizeSamples } from '../../src/core/diff/sample-view';
import type { SampleRecord } from '../../src/core/model';
import { fixtures, sharedData, skipWithoutShared } from '../support/shared';

function readTraces(file: string, limit = Infinity): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    out.push((JSON.parse(line) as { answer: string }).answer);
    if (out.length >= limit) break;
  }
  return out;
}

const traces = readTraces(path.join(fixtures, 'grading/gsm8k-sample.jsonl'));
const natalia = traces[0];

/** What the sample and the target were, read back from the segments. */
function sides(segments: DiffSegment[]): { sample: string; target: string } {
  let sample = '';
  let target = '';
  for (const s of segments) {
    if (s.kind !== 'removed') sample += s.text;
    if (s.kind !== 'added') target += s.text;
  }
  return { sample, target };
}

function diffed(target: string, sample: string) {
  const d = diffTrace(target, sample);
  assert.equal(d.diffed, true, 'expected a diff');
  if (!d.diffed) throw new Error('unreachable');
  return d;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('diffTrace on GSM8K traces', () => {
  test('an identical sample is one shared segment with share 1', () => {
    const d = diffed(natalia, natalia);
    assert.deepEqual(d.segments, [{ kind: 'same', text: natalia }]);
    assert.equal(d.verbatimShare, 1);
  });

  test('a paraphrase shares part of the target; the segments rebuild both texts', () => {
    const paraphrase = 'In May Natalia sold 48/2 = 24 clips.\nAltogether she sold 48+24 = 72 clips.\n#### 72';
    const d = diffed(natalia, paraphrase);
    assert.deepEqual(sides(d.segments), { sample: paraphrase, target: natalia });
    assert.ok(d.verbatimShare! > 0.3 && d.verbatimShare! < 0.7, `share ${d.verbatimShare}`);
    // Departures are where they are: the added opening, the dropped calculator annotation.
    assert.deepEqual(d.segments[0], { kind: 'added', text: 'In May ' });
    assert.ok(d.segments.some((s) => s.kind === 'removed' && s.text.includes('<<48/2=')));
    // Adjacent segments never share a kind (they are merged).
    for (let i = 1; i < d.segments.length; i++) assert.notEqual(d.segments[i].kind, d.segments[i - 1].kind);
  });

  test('a sample that changes only the final answer keeps almost all of the target', () => {
    const wrong = natalia.replace('#### 72', '#### 73');
    const d = diffed(natalia, wrong);
    assert.deepEqual(d.segments.slice(-2).map((s) => s.kind).sort(), ['added', 'removed']);
    assert.ok(d.segments.some((s) => s.kind === 'removed' && s.text === '72'));
    assert.ok(d.segments.some((s) => s.kind === 'added' && s.text === '73'));
    assert.ok(d.verbatimShare! > 0.97 && d.verbatimShare! < 1);
  });

  test('an empty sample skips the whole target (share 0); an empty target has no share', () => {
    const d = diffed(natalia, '');
    assert.deepEqual(d.segments, [{ kind: 'removed', text: natalia }]);
    assert.equal(d.verbatimShare, 0);
    const e = diffed('', 'some text');
    assert.deepEqual(e.segments, [{ kind: 'added', text: 'some text' }]);
    assert.equal(e.verbatimShare, null);
  });

  test('another example\'s trace shares little and still rebuilds both texts', () => {
    for (let i = 1; i < traces.length; i++) {
      const d = diffed(natalia, traces[i]);
      assert.deepEqual(sides(d.segments), { sample: traces[i], target: natalia });
      assert.ok(d.verbatimShare! < 0.5, `trace ${i}: share ${d.verbatimShare}`);
    }
  });

  test('whitespace does not count toward the share', () => {
    assert.equal(verbatimShare([{ kind: 'same', text: 'a b' }, { kind: 'removed', text: '\n\n\n   \n' }]), 1);
    assert.equal(verbatimShare([{ kind: 'same', text: 'ab' }, { kind: 'removed', text: ' cd' }]), 0.5);
    assert.equal(verbatimShare([{ kind: 'added', text: 'xyz' }]), null);
  });

  test('a 1 MB sample is refused at once as too long', () => {
    const huge = `${natalia}\n${'blah '.repeat(210_000)}`;
    const { value, ms } = timed(() => diffTrace(natalia, huge));
    assert.deepEqual(value, { diffed: false, reason: 'too-long', verbatimShare: null });
    assert.ok(ms < 50, `${ms} ms`);
  });

  test('with the length cap lifted, a 1 MB sample is still aligned in bounded time, or refused by the pair cap', () => {
    const huge = `${'zebra quartz '.repeat(40_000)}${natalia}${' zebra'.repeat(40_000)}`;
    const { value, ms } = timed(() => diffTrace(natalia, huge, { maxChars: 2_000_000 }));
    assert.ok(value.diffed);
    assert.deepEqual(sides(value.segments), { sample: huge, target: natalia });
    assert.equal(value.verbatimShare, 1);
    assert.ok(ms < 1_500, `${ms} ms`);
    const refused = timed(() => diffTrace(`x ${natalia}`, `y ${huge}`, { maxChars: 2_000_000, maxTokenPairs: 1_000_000 }));
    assert.deepEqual(refused.value, { diffed: false, reason: 'too-long', verbatimShare: null });
    assert.ok(refused.ms < 500, `${refused.ms} ms`);
  });

  test('two unrelated texts at the length cap align in bounded time', () => {
    const a = 'alpha beta gamma '.repeat(1_700).slice(0, DEFAULT_DIFF_LIMITS.maxChars);
    const b = 'one two three four '.repeat(1_600).slice(0, DEFAULT_DIFF_LIMITS.maxChars);
    const { value, ms } = timed(() => diffTrace(a, b));
    assert.ok(!value.diffed || sides(value.segments).sample === b);
    assert.ok(ms < 1_000, `${ms} ms`);
  });
});

describe('alignTokens', () => {
  /** jsdiff's Myers diff finds a shortest edit script, so its common token count is the LCS length too. */
  function jsdiffCommon(a: string[], b: string[]): number {
    return diffArrays(a, b).reduce((n, c) => n + (c.added || c.removed ? 0 : c.count ?? c.value.length), 0);
  }

  function check(a: string[], b: string[]): void {
    const ids = new Map<string, number>();
    const intern = (t: string[]) => Int32Array.from(t, (x) => ids.get(x) ?? (ids.set(x, ids.size), ids.size - 1));
    const ops = alignTokens(intern(a), intern(b));
    let i = 0;
    let j = 0;
    let same = 0;
    let lastChange = -1;
    for (const op of ops) {
      if (op === Op.Same) {
        assert.equal(a[i++], b[j++]);
        same++;
      } else if (op === Op.Removed) {
        assert.notEqual(lastChange, Op.Added, 'removals come before additions within a run of changes');
        i++;
      } else j++;
      lastChange = op === Op.Same ? -1 : op;
    }
    assert.deepEqual([i, j], [a.length, b.length], 'the ops consume both sequences');
    assert.equal(same, jsdiffCommon(a, b), `LCS of ${JSON.stringify(a).slice(0, 80)} / ${JSON.stringify(b).slice(0, 80)}`);
  }

  test('finds a longest common subsequence (the same length as jsdiff) on GSM8K traces', () => {
    const tok = (s: string) => wordsWithSpaceDiff.tokenize(s) as string[];
    for (const x of traces) for (const y of traces) check(tok(x), tok(y));
  });

  test('finds a longest common subsequence on random sequences across word boundaries', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 300; round++) {
      const alphabet = 1 + rand(6);
      const a = Array.from({ length: rand(140) }, () => String(rand(alphabet)));
      const b = Array.from({ length: rand(140) }, () => String(rand(alphabet)));
      check(a, b);
    }
    check([], []);
    check(['x'], []);
    check([], ['x']);
  });
});

describe('sampleViews', () => {
  const records: SampleRecord[] = [
    { text: natalia, answer: '72', outcome: 'correct' },
    { text: natalia.replace('#### 72', '#### 73'), answer: '73', outcome: 'wrong' },
    { text: 'I do not know.', answer: null, outcome: 'unparseable' },
    { text: 'x'.repeat(1 << 20), answer: null, outcome: 'unparseable' },
  ];

  test('diffs each sample, keeps outcome and answer, and shows over-long samples undiffed', () => {
    const views = sampleViews(natalia, records);
    assert.deepEqual(views.map((v) => [v.outcome, v.answer, v.diffed]), [
      ['correct', '72', true],
      ['wrong', '73', true],
      ['unparseable', null, true],
      ['unparseable', null, false],
    ]);
    const last = views[3];
    assert.ok(!last.diffed && last.reason === 'too-long' && last.text.length === 1 << 20);
    views.forEach((v, i) => assert.equal(sampleText(v), records[i].text));
    const summary = summarizeSamples(views);
    assert.deepEqual({ ...summary, meanVerbatimShare: undefined }, { correct: 1, wrong: 1, unparseable: 2, meanVerbatimShare: undefined });
    const shares = views.flatMap((v) => (v.diffed && v.verbatimShare !== null ? [v.verbatimShare] : []));
    assert.equal(summary.meanVerbatimShare, shares.reduce((a, b) => a + b, 0) / shares.length);
  });

  test('once the time budget is spent the remaining samples are left undiffed', () => {
    let clock = 0;
    const now = () => (clock += 400);
    const views = sampleViews(natalia, records.slice(0, 3), { budgetMs: 700, now });
    assert.deepEqual(views.map((v) => (v.diffed ? 'diffed' : v.reason)), ['diffed', 'time-budget', 'time-budget']);
  });
});

describe('diffTrace on the shared GSM8K training set', () => {
  // Neighbouring traces are unrelated problems: the worst case for the diff's cost at this length.
  test('unrelated neighbouring traces diff in bounded time and rebuild exactly', { skip: skipWithoutShared('gsm8k', 'train.jsonl') }, () => {
    const all = readTraces(sharedData('gsm8k', 'train.jsonl')!, 201);
    const { ms } = timed(() => {
      for (let i = 0; i + 1 < all.length; i++) {
        const d = diffed(all[i], all[i + 1]);
        assert.deepEqual(sides(d.segments), { sample: all[i + 1], target: all[i] });
      }
    });
    assert.ok(ms < 5_000, `200 diffs took ${ms} ms`);
  });
});
