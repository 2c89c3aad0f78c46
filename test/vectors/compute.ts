// The inputs of the shared test vectors and how the TypeScript engine turns them into expected values.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExampleCollector } from '../../src/core/dataset/collect';
import { resolveProfile } from '../../src/core/dataset/profiles';
import { grade } from '../../src/core/grading';
import type { GradingTask } from '../../src/core/model';
import { keysDigest as keysDigestOf } from '../../src/core/runlog/premem/scores-record';

export interface DatasetVector { name: string; profile: 'gsm8k' | 'math'; idField?: string; records: unknown[]; keys: string[]; keysDigest: string }
export interface GradeVector { task: GradingTask; target: string; sample: string; outcome: 0 | 1 | 2; answer: string | null; targetAnswer: string | null }
export interface Vectors { note: string; datasets: DatasetVector[]; grades: GradeVector[] }

type DatasetInput = Omit<DatasetVector, 'keys' | 'keysDigest'>;
type GradeInput = Pick<GradeVector, 'task' | 'target' | 'sample'>;

const GSM8K_SAMPLES = [
  '#### 72', 'So 48 + 24 = 72.\n#### 72', '#### 1,080', '#### 1080.00', '#### -7', '#### −7', '#### $-5', '#### -$5',
  '####: **72**', '#### 72 clips\n#### 70', '#### \nThe answer is 72', 'The answer is 72.', 'The final ANSWER IS $1,000.50',
  'answer is x, answer is 9', 'I think 3 then 5', 'She had -4 left', 'x-4', 'a −4', 'It costs $-3', 'No number here',
  '', '.5 of it', 'was 0.50', '007', '-0', '#### 0.0', '1,2,3', '1,000,000', '12,34', '5.', 'answer is .75',
  '٣ Arabic-Indic digit then 4', 'ſanswer is 3 then 9', 'The answer is 7 and the answer is 8', '#### +12', '3.14159 then 2.0',
  '**The answer is: 42**', 'answer is\t-\t$ 5', 'Natalia sold 48/2 = <<48/2=24>>24 clips', '10\u00a0000', 'x 1,00 y',
];
const MATH_SAMPLES = [
  '\\boxed{5}', '\\boxed{\\frac{1}{2}}', '\\boxed{0.5}', '\\boxed{1/2}', '\\boxed{\\dfrac12}', '\\boxed{\\frac{1}{\\sqrt{2}}}',
  '\\boxed{\\frac{\\sqrt{3}}{2}}', '\\boxed{10\\text{ cm}}', '\\boxed{10\\text{ cm}\\text{ m}}', '\\boxed{90^\\circ}',
  '\\boxed{50\\%}', '\\boxed{x = 5}', '\\boxed{k=5}', '\\boxed{abc=5}', '\\boxed{a=b=5}', '\\boxed{\\left( 3, 4 \\right)}',
  '\\boxed {7}', '\\boxed 7$ and more', '\\boxed 7\nnext line', '\\boxedfoo', '\\boxed{', '\\boxed{}', '\\fbox{3}',
  '\\fbox{3} then \\boxed{4}', '\\boxed{3} then \\boxed{4}', '\\boxed{{a}{b}}', '\\boxed{\\frac{a}{b}}', '\\boxed{\\frac a}',
  '\\boxed{\\frac}', '\\boxed{\\sqrt}', '\\boxed{\\sqrt3}', '\\boxed{2.50}', '\\boxed{2.5}', '\\boxed{10,000}', '\\boxed{10000}',
  '\\boxed{0.25}', '\\boxed{-\\frac{3}{2}}', '\\boxed{-1.5}', '\\boxed{\\frac{1}{0}}', '\\boxed{.5}', '\\boxed{ .5}',
  '\\boxed{\\$5}', '\\boxed{\\tfrac{2}{3}}', '\\boxed{π}', '\\boxed{αβ=3}', '\\boxed{😀=3}', '\\boxed{\\frac😀2}',
  'no box at all', '$\\boxed{\\text{(B)}}$', '\\boxed{0.33}', '\\boxed{\\frac{1}{3}}', '\\boxed{3\\!\\,000}', '\\boxed{\\\\5}',
  '\\boxed 12 \u00a0', '\\boxed \ufeff5\ufeff$', '\\boxed{1,00}', '\\boxed{١٢}', '\\boxed{00012}', '\\boxed{12}',
];
const GSM8K_TARGETS = ['Natalia sold 48/2 = 24 clips in May.\n#### 72', 'It is 1,080 in all.\n#### 1,080', 'So -7.\n#### -7', '#### 0.5', 'no answer in this trace'];
const MATH_TARGETS = ['So $x=\\boxed{\\frac{1}{2}}$.', 'The answer is $\\boxed{5}$.', 'Hence \\boxed{10000}.', 'We get \\boxed{\\frac{1}{3}}.', 'Thus $\\boxed{(3,4)}$.', 'no box', 'Then \\boxed{\\frac{\\sqrt{3}}{2}}.', 'So \\boxed{12}.'];

export function vectorInputs(root: string): { datasets: DatasetInput[]; grades: GradeInput[] } {
  const train = fs.readFileSync(path.join(root, 'test', 'fixtures', 'datasets', 'gsm8k-train-200.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim()).slice(0, 20).map((l) => JSON.parse(l) as Record<string, unknown>);
  const q = (question: string, answer: string) => ({ question, answer });
  const datasets: DatasetInput[] = [
    { name: 'gsm8k-train-head-with-duplicates', profile: 'gsm8k', records: [...train.slice(0, 6), train[0], train[2], train[0]] },
    {
      name: 'unicode-and-edge-text', profile: 'gsm8k',
      records: [q('', ''), q('Ünïcödé 😀 — ∑', '#### −7'), q('a\u0000b', 'c'), q('a', '\u0000bc'), q('line\r\nbreak', '\ttab'), q('surrogate-free 𝔸', '##### 1,000'), q('', '')],
    },
    { name: 'math-profile', profile: 'math', records: [{ problem: 'Find x.', solution: '\\boxed{2}' }, { problem: 'Find y. 😀', solution: 'So \\boxed{\\frac{1}{2}}.' }, { problem: 'Find x.', solution: '\\boxed{2}' }] },
    {
      name: 'id-field', profile: 'gsm8k', idField: 'id',
      records: [{ id: 'a', ...q('x', 'y') }, { id: 7, ...q('x', 'y') }, { id: 'a', ...q('z', 'w') }, { id: 'a#2', ...q('z', 'w') }, { id: 'a', ...q('z', 'w') }, { id: 2.5, ...q('p', 'q') }],
    },
  ];
  const grades: GradeInput[] = [];
  for (const target of [...GSM8K_TARGETS, ...train.slice(0, 10).map((r) => r.answer as string)]) {
    for (const sample of GSM8K_SAMPLES) grades.push({ task: 'gsm8k', target, sample });
  }
  for (const target of MATH_TARGETS) for (const sample of MATH_SAMPLES) grades.push({ task: 'math', target, sample });
  // Each task's grader on the other's texts too: a sample is any text.
  for (const sample of MATH_SAMPLES) grades.push({ task: 'gsm8k', target: GSM8K_TARGETS[0], sample });
  for (const sample of GSM8K_SAMPLES) grades.push({ task: 'math', target: MATH_TARGETS[0], sample });
  return { datasets, grades };
}

/** The engine's keys of a dataset's records, through the same collector the dataset readers use. */
function collectRecords(records: unknown[], profile: 'gsm8k' | 'math', idField?: string): string[] {
  const collector = new ExampleCollector('<vectors>', idField ? { ...resolveProfile(profile), name: 'custom', id: idField } : resolveProfile(profile));
  records.forEach((record, i) => {
    if (!collector.accept(record, i + 1)) throw new Error(`vector record ${i} rejected`);
  });
  return collector.finish().keys;
}

export function computeVectors(inputs: { datasets: DatasetInput[]; grades: GradeInput[] }): Vectors {
  return {
    note: 'Generated by scripts/make-test-vectors.ts from the TypeScript engine; checked by test/unit/shared-vectors.test.ts and python/tests/test_vectors.py. Dataset rows: GSM8K (OpenAI, MIT).',
    datasets: inputs.datasets.map((d) => {
      const keys = collectRecords(d.records, d.profile, d.idField);
      return { ...d, keys, keysDigest: keysDigestOf(keys) };
    }),
    grades: inputs.grades.map((g) => {
      const r = grade(g.task, g.target, g.sample);
      const outcome = r.outcome === 'correct' ? 0 : r.outcome === 'wrong' ? 1 : 2;
      return { ...g, outcome, answer: r.answer, targetAnswer: r.targetAnswer };
    }),
  };
}
