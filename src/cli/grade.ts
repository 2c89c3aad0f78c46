// `premem grade`: grades {target, sample} pairs, one JSON line out per pair, streaming both ways.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { gradeAgainst, targetAnswer } from '../core/grading';
import { InputError, type GradingTask } from '../core/model';
import { parse, UsageError } from './args';

const TASKS: readonly GradingTask[] = ['gsm8k', 'math', 'general'];

const HELP = `usage: premem grade --task gsm8k|math|general --input PAIRS.jsonl

Grades model samples against target traces. Each input line is {"target": str, "sample": str};
each output line (stdout, same order) is {"outcome": "correct"|"wrong"|"unparseable", "answer", "targetAnswer"}.
Blank lines are skipped. At the first malformed line it reports file:line on stderr and exits 1.

options:
  --task T      gsm8k (#### N, "The answer is N", last number), math (last \\boxed{}, standard MATH normalisation)
                or general (a box, "####", "The answer is", else the last number; numbers or MATH-normalised)
  --input FILE  the pairs, JSON Lines; '-' reads standard input
  -h, --help    this text`;

/** Flushes output in blocks, waiting for the consumer when it falls behind. */
class LineWriter {
  private buffered: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      // A consumer such as `head` closing the pipe ends the run, not as a failure.
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  async write(line: string): Promise<void> {
    this.buffered.push(line);
    this.size += line.length + 1;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffered.length === 0 || this.closed) return;
    const block = `${this.buffered.join('\n')}\n`;
    this.buffered = [];
    this.size = 0;
    if (!this.out.write(block)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
  }
}

function parsePair(line: string, file: string, lineNumber: number): { target: string; sample: string } {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    throw new InputError(file, `not valid JSON (${(err as Error).message})`, lineNumber);
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new InputError(file, 'expected an object {"target": str, "sample": str}', lineNumber);
  }
  const { target, sample } = record as Record<string, unknown>;
  for (const [field, value] of [['target', target], ['sample', sample]] as const) {
    if (typeof value !== 'string') {
      const problem = value === undefined ? 'missing' : `must be a string, got ${value === null ? 'null' : typeof value}`;
      throw new InputError(file, problem, lineNumber, field);
    }
  }
  return { target: target as string, sample: sample as string };
}

export async function main(argv: string[]): Promise<number> {
  const options = parse(argv, { task: { type: 'string' }, input: { type: 'string' } }, HELP);
  const task = options.task as GradingTask | undefined;
  if (!task) throw new UsageError(`--task is required\n\n${HELP}`);
  if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got '${task}'`);
  if (!options.input) throw new UsageError(`--input is required\n\n${HELP}`);
  const file = options.input === '-' ? '<stdin>' : options.input;

  const input: Readable = options.input === '-' ? process.stdin : createReadStream(options.input);
  const opened = new Promise<void>((resolve, reject) => {
    if (input === process.stdin) resolve();
    input.once('open', () => resolve());
    input.once('error', (err) => reject(new InputError(file, `cannot read: ${err.message}`)));
  });
  await opened;

  const lines = createInterface({ input, crlfDelay: Infinity });
  const out = new LineWriter(process.stdout);
  let lineNumber = 0;
  let missingTargets = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      // A byte-order mark opens files from some Windows editors; datasets and logs accept it too.
      const pair = parsePair(lineNumber === 1 && line.startsWith('\uFEFF') ? line.slice(1) : line, file, lineNumber);
      const result = gradeAgainst(task, targetAnswer(task, pair.target), pair.sample);
      if (result.targetAnswer === null && ++missingTargets <= 10) {
        console.error(`premem grade: ${file}:${lineNumber}: the target states no final answer; graded 'wrong'`);
      }
      await out.write(JSON.stringify(result));
      if (out.closed) break;
    }
  } catch (err) {
    await out.flush();
    if (err instanceof InputError) throw err;
    // A read failing midway (a directory, a vanished file) is a problem with the input, not a crash.
    if ((err as NodeJS.ErrnoException).code) throw new InputError(file, `cannot read: ${(err as Error).message}`);
    throw err;
  } finally {
    lines.close();
    if (input !== process.stdin) input.destroy();
  }
  await out.flush();
  if (missingTargets > 10) console.error(`premem grade: ${missingTargets} targets in all state no final answer`);
  return 0;
}
