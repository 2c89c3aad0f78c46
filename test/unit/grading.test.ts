import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractAnswer, grade, gradeAgainst, graders, referenceAnswer, targetAnswer } from '../../src/core/grading';
import { stripString } from '../../src/core/grading/math-answer-normalise';
import { fixtures, repoRoot, sharedData, skipWithoutShared } from '../support/shared';
import { buildCliBundle } from '../support/cli-bundle';

function readJsonl(file: string): { question: string; answer: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** The paper's released rule for GSM8K targets: the text after "#### ", commas removed. */
function paperTargetAnswer(trace: string): string {
  return trace.split('#### ')[1].replaceAll(',', '').trim();
}

const MB = 1 << 20;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('GSM8K grading', () => {
  test('real targets: the final answers of the committed records, each correct against itself', () => {
    const records = readJsonl(path.join(fixtures, 'grading/gsm8k-sample.jsonl'));
    assert.equal(records.length, 10);
    assert.deepEqual(
      records.map((r) => targetAnswer('gsm8k', r.answer)),
      ['72', '10', '5', '42', '624', '35', '48', '16', '1080', '-7'],
    );
    for (const r of records) assert.equal(grade('gsm8k', r.answer, r.answer).outcome, 'correct');
  });

  for (const split of ['train.jsonl', 'test.jsonl']) {
    test(`every ${split} target: the paper's answer, correct against itself`, { skip: skipWithoutShared('gsm8k', split) }, () => {
      const records = readJsonl(sharedData('gsm8k', split)!);
      assert.ok(records.length > 1000);
      for (const [i, r] of records.entries()) {
        const expected = paperTargetAnswer(r.answer);
        assert.equal(targetAnswer('gsm8k', r.answer), expected, `line ${i + 1}`);
        assert.equal(gradeAgainst('gsm8k', expected, r.answer).outcome, 'correct', `line ${i + 1}`);
      }
    });
  }

  const cases: [sample: string, answer: string | null][] = [
    ['She has 1,000 apples.\n#### 1,000', '1000'],
    ['#### 1000', '1000'],
    ['#### -7', '-7'],
    ['The answer is \u22127.', '-7'],
    ['#### +12', '12'],
    ['#### $18', '18'],
    ['#### -$5', '-5'],
    ['#### $ -5', '-5'],
    ['She pays $18.00 in total.', '18'],
    ['#### 5.50', '5.5'],
    ['#### 0.50', '0.5'],
    ['#### 007', '7'],
    ['#### -0', '0'],
    ['#### 1,234,567.890', '1234567.89'],
    ['#### **42**', '42'],
    ['So 3 + 4 = 7.\nThe answer is 18.', '18'],
    ['So the final answer is: $25 each', '25'],
    ['12 + 6 = 18 apples, so she has 18 left.', '18'],
    ['Pages 10-12 are left', '12'],
    ['It drops to -4 degrees', '-4'],
    ['It costs .75 dollars', '0.75'],
    ['I don\u2019t know.', null],
    ['', null],
    ['#### \nno number follows', null],
  ];
  for (const [sample, answer] of cases) {
    test(`extracts ${JSON.stringify(answer)} from ${JSON.stringify(sample)}`, () => {
      assert.equal(extractAnswer('gsm8k', sample), answer);
    });
  }

  test('"####" beats "The answer is", which beats the last number', () => {
    assert.equal(extractAnswer('gsm8k', 'The answer is 3.\n#### 4\nthen 5'), '4');
    assert.equal(extractAnswer('gsm8k', 'The answer is 3. Then 5 more'), '3');
    assert.equal(extractAnswer('gsm8k', '#### 4\nQuestion: 9 apples?\n#### 9'), '4');
    assert.equal(extractAnswer('gsm8k', 'the answer is unclear. The answer is 6'), '6');
  });

  test('outcomes: correct, wrong, unparseable; a target without an answer makes any answer wrong', () => {
    const target = 'Natalia sold 48+24 = <<48+24=72>>72 clips.\n#### 72';
    assert.deepEqual(grade('gsm8k', target, 'She sold 72.00 clips.'), { outcome: 'correct', answer: '72', targetAnswer: '72' });
    assert.deepEqual(grade('gsm8k', target, '#### 71'), { outcome: 'wrong', answer: '71', targetAnswer: '72' });
    assert.deepEqual(grade('gsm8k', target, 'no idea'), { outcome: 'unparseable', answer: null, targetAnswer: '72' });
    assert.deepEqual(gradeAgainst('gsm8k', null, '#### 72'), { outcome: 'wrong', answer: '72', targetAnswer: null });
  });

  test('1 MB samples take one linear pass', () => {
    const inputs = ['7'.repeat(MB), '1,'.repeat(MB / 2), '#### '.repeat(MB / 5), 'answer is '.repeat(MB / 10), '-.$'.repeat(MB / 3), 'x'.repeat(MB)];
    for (const input of inputs) {
      const { ms } = timed(() => extractAnswer('gsm8k', input));
      assert.ok(ms < 1000, `${JSON.stringify(input.slice(0, 10))}… took ${ms.toFixed(0)} ms`);
    }
    assert.equal(extractAnswer('gsm8k', `${'word '.repeat(MB / 5)}#### 42`), '42');
  });
});

/** Hendrycks' is_equiv on raw (unboxed) strings, with this project's rational addition. */
function isEquiv(a: string, b: string): boolean {
  return graders.math.equivalent(stripString(a), stripString(b));
}

describe('MATH normalisation (the reference test suite of math_equivalence.py)', () => {
  const reference: [string, string, boolean][] = [
    ['\\tfrac{1}{2} + \\frac1{72}', '\\\\frac{1}{2} + 2/3', false],
    ['10, 4, -2', '4, 10, -2', false],
    ['10, 4, 2', '4, 12, 2', false],
    ['\\tfrac{1}{2} +\\! \\frac1{72}', '\\\\dfrac{1}{2} +\\frac{1}{72}', true],
    ['10\\text{ units}', '10 ', true],
    ['10\\text{ units}', '100 ', false],
    ['10', '\\$10', true],
    ['\\left(x-2\\right)\\left(x+2\\right)', '(x-2)(x+2)', true],
    ['0.1, 4, 2', '4, .1, 2', false],
    ['0.1', '.1', true],
    ['10\\%', '10', true],
    ['10\\sqrt{3} + \\sqrt4', '10\\sqrt3 + \\sqrt{4}', true],
    ['\\frac34i', '\\frac{3}{4}i', true],
    ['\\tfrac83', '\\frac{8}{3}', true],
    ['5x - 7y + 11z + 4 = 0', 'x + y - z + 2 = 0', false],
    ['1/2', '\\frac{1}{2}', true],
  ];
  for (const [a, b, equal] of reference) {
    test(`${JSON.stringify(a)} ${equal ? '==' : '!='} ${JSON.stringify(b)}`, () => assert.equal(isEquiv(a, b), equal));
  }

  test('normal forms', () => {
    assert.equal(stripString('\\dfrac{1}{2}'), '\\frac{1}{2}');
    assert.equal(stripString('0.5'), '\\frac{1}{2}');
    assert.equal(stripString('\\frac12'), '\\frac{1}{2}');
    assert.equal(stripString('x = 5'), '5');
    assert.equal(stripString('k = \\sqrt3'), '\\sqrt{3}');
    assert.equal(stripString('abc = 5'), 'abc=5'); // a long left-hand side stays
    assert.equal(stripString('90^\\circ'), '90');
    assert.equal(stripString('90^{\\circ}'), '90');
    assert.equal(stripString('50\\%'), '50');
    assert.equal(stripString('5\\text{ cm}^2'), '5');
    assert.equal(stripString('-3/4'), '\\frac{-3}{4}');
    assert.equal(stripString('03/4'), '03/4'); // not how Python writes an int
    assert.equal(stripString('\\text{(A)}'), '\\text{(A)}');
  });

  test('where the reference raises, its raw string is kept', () => {
    assert.equal(stripString('1\\text{ m} and 2\\text{ m}'), '1\\text{ m} and 2\\text{ m}');
    assert.equal(stripString('x\\sqrt'), 'x\\sqrt');
    assert.equal(stripString('\\frac'), '\\frac');
    assert.equal(stripString('\\frac1'), '\\frac1'); // a one-character argument: fix_fracs returns its input
  });
});

describe('MATH grading', () => {
  const cases: [target: string, sample: string, outcome: 'correct' | 'wrong' | 'unparseable'][] = [
    ['so $\\boxed{\\frac{1}{2}}$.', 'we get $\\boxed{\\dfrac{1}{2}}$', 'correct'],
    ['$\\boxed{\\frac{1}{2}}$', '$\\boxed{0.5}$', 'correct'],
    ['$\\boxed{\\frac12}$', '$\\boxed{1/2}$', 'correct'],
    ['$\\boxed{\\frac{1}{4}}$', '$\\boxed{0.25}$', 'correct'],
    ['$\\boxed{\\frac{3}{4}}$', '$\\boxed{3/4}$', 'correct'],
    ['$\\boxed{2}$', '$\\boxed{2.0}$', 'correct'],
    ['$\\boxed{10,080}$', '$\\boxed{10080}$', 'correct'],
    ['$\\boxed{\\frac{1}{3}}$', '$\\boxed{0.33}$', 'wrong'],
    ['$\\boxed{\\frac{1}{3}}$', '$\\boxed{0.333}$', 'wrong'],
    ['$\\boxed{-\\frac{1}{2}}$', '$\\boxed{\\frac{-1}{2}}$', 'correct'],
    ['$\\boxed{-\\frac{1}{2}}$', '$\\boxed{\\frac{1}{2}}$', 'wrong'],
    ['$\\boxed{-5}$', '$\\boxed{-5}$', 'correct'],
    ['$\\boxed{-5}$', '$\\boxed{5}$', 'wrong'],
    ['$\\boxed{12\\text{ cm}}$', '$\\boxed{12}$', 'correct'],
    ['$\\boxed{\\text{(C)}}$', '$\\boxed{\\text{(C)}}$', 'correct'],
    ['$\\boxed{\\text{(C)}}$', '$\\boxed{\\text{(D)}}$', 'wrong'],
    ['$\\boxed{\\frac{1}{\\sqrt{2}}}$', '$\\boxed{\\frac1{\\sqrt2}}$', 'correct'],
    ['$\\boxed{\\frac{\\sqrt{3}}{2}}$', '$\\boxed{\\frac{\\sqrt{2}}{2}}$', 'wrong'],
    ['$\\boxed{30^\\circ}$', '$\\boxed{30}$', 'correct'],
    ['$\\boxed{5}$', 'Hence $\\fbox{5}$', 'correct'],
    ['$\\boxed{5}$', 'so $x = \\boxed{x = 5}$', 'correct'],
    ['$\\boxed{5}$', 'so $\\boxed 5$', 'correct'],
    ['$\\boxed{5}$', 'so \\boxed 5\nand more text', 'correct'],
    ['$\\boxed{5}$', 'first \\boxed{4}, then \\boxed{5}', 'correct'],
    ['$\\boxed{5}$', '\\boxed{5} \\fbox{4}', 'correct'], // \fbox counts only without any \boxed, as in the reference
    ['$\\boxed{5}$', 'the answer is 5', 'unparseable'],
    ['$\\boxed{5}$', 'so \\boxed{5', 'unparseable'],
    ['$\\boxed{5}$', 'so \\boxed{}', 'unparseable'],
    ['$\\boxed{(1,2)}$', '$\\boxed{(1, 2)}$', 'correct'],
  ];
  for (const [target, sample, outcome] of cases) {
    test(`${JSON.stringify(sample)} against ${JSON.stringify(target)}: ${outcome}`, () => {
      assert.equal(grade('math', target, sample).outcome, outcome);
    });
  }

  test('the answers returned are the normalised box contents', () => {
    assert.deepEqual(grade('math', 'Thus $\\boxed{\\dfrac{1}{\\sqrt{2}}}$.', 'Hence $\\boxed{0.25}$'), {
      outcome: 'wrong',
      answer: '0.25',
      targetAnswer: '\\frac{1}{\\sqrt{2}}',
    });
    assert.equal(targetAnswer('math', 'no box here'), null);
  });

  test('1 MB samples take one linear pass', () => {
    const inputs = [
      '\\boxed{'.repeat(MB / 7),
      `\\boxed{${'{'.repeat(MB)}`,
      `\\boxed{${'\\frac12'.repeat(MB / 7)}}`,
      `\\boxed{${'\\sqrt2'.repeat(MB / 6)}}`,
      `\\boxed{${'\\text{ '.repeat(MB / 7)}}`,
      `\\boxed{${'='.repeat(MB)}}`,
      `\\boxed ${'x'.repeat(MB)}`,
      `${'text '.repeat(MB / 5)}\\boxed{7}`,
    ];
    for (const input of inputs) {
      const { ms } = timed(() => grade('math', '\\boxed{7}', input));
      assert.ok(ms < 1000, `${JSON.stringify(input.slice(0, 10))}… took ${ms.toFixed(0)} ms`);
    }
  });
});

describe('premem grade (built CLI)', () => {
  let dir: string;
  let launcher: string;

  before(async () => {
    ({ dir, launcher } = await buildCliBundle('grade'));
  });

  function premem(args: string[], stdin?: string) {
    const r = spawnSync(process.execPath, [launcher, ...args], { input: stdin, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
  }

  function pairsFile(name: string, lines: string[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  const target = 'She sold 1,000 clips.\n#### 1,000';
  const good = [
    JSON.stringify({ target, sample: 'So she sold 1000.\n#### 1000' }),
    JSON.stringify({ target, sample: 'The answer is 999.' }),
    '',
    JSON.stringify({ target, sample: 'I do not know' }),
  ];

  test('one output line per pair, in order; exit 0', () => {
    const r = premem(['grade', '--task', 'gsm8k', '--input', pairsFile('good.jsonl', good)]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.lines, [
      { outcome: 'correct', answer: '1000', targetAnswer: '1000' },
      { outcome: 'wrong', answer: '999', targetAnswer: '1000' },
      { outcome: 'unparseable', answer: null, targetAnswer: '1000' },
    ]);
  });

  test("--input - reads standard input; --task math grades boxes", () => {
    const pair = JSON.stringify({ target: 'so $\\boxed{\\frac{1}{2}}$', sample: 'thus $\\boxed{\\dfrac12}$' });
    const r = premem(['grade', '--task', 'math', '--input', '-'], `${pair}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.lines, [{ outcome: 'correct', answer: '\\frac{1}{2}', targetAnswer: '\\frac{1}{2}' }]);
  });

  test('a UTF-8 byte-order mark before the first line is read past, as datasets and logs do', () => {
    const file = path.join(dir, 'bom.jsonl');
    writeFileSync(file, `\uFEFF${good[0]}\n`);
    const r = premem(['grade', '--task', 'gsm8k', '--input', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.lines, [{ outcome: 'correct', answer: '1000', targetAnswer: '1000' }]);
  });

  test('a line that is not JSON stops the run with file:line on stderr, exit 1', () => {
    const file = pairsFile('bad-json.jsonl', [good[0], good[1], '{"target": "#### 1", "sample": ']);
    const r = premem(['grade', '--task', 'gsm8k', '--input', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${file.replaceAll('\\', '\\\\')}:3: not valid JSON`));
    assert.equal(r.lines.length, 2);
  });

  test('a missing or non-string field names its line and field, exit 1', () => {
    const missing = premem(['grade', '--task', 'gsm8k', '--input', pairsFile('missing.jsonl', [good[0], '{"target": "#### 1"}'])]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing\.jsonl:2 \(sample\): missing/);
    const wrongType = premem(['grade', '--task', 'gsm8k', '--input', pairsFile('number.jsonl', ['{"target": 5, "sample": "5"}'])]);
    assert.equal(wrongType.code, 1);
    assert.match(wrongType.stderr, /number\.jsonl:1 \(target\): must be a string, got number/);
    assert.equal(wrongType.lines.length, 0);
  });

  test('a missing file exits 1; bad usage exits 2', () => {
    const absent = premem(['grade', '--task', 'gsm8k', '--input', path.join(dir, 'absent.jsonl')]);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /absent\.jsonl: cannot read/);
    const folder = premem(['grade', '--task', 'gsm8k', '--input', dir]);
    assert.equal(folder.code, 1);
    assert.match(folder.stderr, /cannot read: EISDIR/);
    assert.equal(premem(['grade', '--input', '-'], '').code, 2);
    assert.equal(premem(['grade', '--task', 'sat', '--input', '-'], '').code, 2);
    assert.equal(premem(['grade', '--task', 'gsm8k']).code, 2);
    assert.equal(premem(['grade', '--task', 'gsm8k', '--input', '-', '--bogus'], '').code, 2);
  });
});

describe('general grader (chat, Alpaca, prompt/completion, verl, own mappings)', () => {
  const general = (target: string, sample: string, answer?: string) => gradeAgainst('general', referenceAnswer('general', { target, answer }), sample);

  test('the answer is the last box (nested braces), else after "####", else after the last "The answer is", else the last number', () => {
    assert.equal(extractAnswer('general', 'so x = \\boxed{\\frac{1}{\\sqrt{2}}} and \\boxed{3}'), '3');
    assert.equal(extractAnswer('general', 'then \\boxed{\\frac{1}{\\sqrt{2}}}.'), '\\frac{1}{\\sqrt{2}}');
    assert.equal(extractAnswer('general', '48+24 = 72\n#### 72\nmore 99'), '72');
    assert.equal(extractAnswer('general', 'First 5, then 7. The answer is 12. So done in 3 steps'), '12');
    assert.equal(extractAnswer('general', 'I think the answer is 4. No wait, the answer is $1,000.'), '1000');
    assert.equal(extractAnswer('general', 'roughly 3 then 8'), '8');
    assert.equal(extractAnswer('general', 'no numbers here'), null);
  });

  test('a separate answer field is the reference; numbers compare by value, units and separators dropped', () => {
    assert.equal(general('ignored trace 5', 'The answer is 72 clips.', '72').outcome, 'correct');
    assert.equal(general('', '#### 1,000', '1000').outcome, 'correct');
    assert.equal(general('', 'so it is \\boxed{0.5}', '\\frac{1}{2}').outcome, 'correct');
    assert.equal(general('', 'The answer is 1/2.', '\\frac12').outcome, 'correct');
    assert.equal(general('', 'The answer is \\(\\frac{5}{6}\\).', '\\frac{5}{6}').outcome, 'correct');
    assert.equal(general('', 'The answer is 10\\text{ cm}.', '10').outcome, 'correct');
    assert.equal(general('', 'The answer is 0.33', '\\frac{1}{3}').outcome, 'wrong');
    assert.equal(general('', 'nothing', '3').outcome, 'unparseable');
    // Without an answer field, the target trace's own final answer.
    assert.equal(general('She has 3 + 4 = 7 apples. The answer is 7.', '#### 7').outcome, 'correct');
  });

  test('answer fields under the GSM8K and MATH graders', () => {
    assert.equal(referenceAnswer('gsm8k', { target: 'x #### 5', answer: '$1,200' }), '1200');
    assert.equal(referenceAnswer('math', { target: '', answer: '\\dfrac{14}{3}' }), '\\frac{14}{3}');
    assert.equal(referenceAnswer('math', { target: '', answer: '\\boxed{7}' }), '7');
    assert.equal(referenceAnswer('math', { target: 'so \\boxed{7}' }), '7');
  });
});
