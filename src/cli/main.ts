// `premem` command line: dispatches to one module per subcommand, all built on src/core.
import { InputError } from '../core/model';
import { UsageError } from './args';

type Command = { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  analyze: { summary: 'pre-memorization accuracy of runs, calibration of p, R² against test accuracy', load: () => import('./analyze') },
  grade: { summary: 'grade {target, sample} pairs: correct, wrong or unparseable', load: () => import('./grade') },
  synth: { summary: 'generate a GSM8K-like dataset and PreMem run log of any size (benchmarks, trying PreMem out)', load: () => import('./synth') },
  export: { summary: 'write the re-collection set: fragile and flagged examples as JSONL, CSV or Parquet', load: () => import('./export') },
  compare: { summary: 'two runs or two checkpoints example by example: what flipped, counts per transition', load: () => import('./compare') },
  'wrong-targets': { summary: 'suspected wrong targets: memorized without being solved, samples agreeing on another answer', load: () => import('./wrong-targets') },
  report: { summary: 'one self-contained HTML report to share: prediction, calibration, histogram, signals, examples', load: () => import('./report') },
  score: { summary: 'score examples at each checkpoint through vLLM/SGLang servers, appending to a PreMem run log', load: () => import('./score') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: premem <command> [options]\n\ncommands:\n${rows.join('\n')}\n\nRun 'premem <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`premem: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load()).main(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`premem ${name}: ${err.message}`);
      return 2;
    }
    if (err instanceof InputError) {
      console.error(`premem ${name}: ${err.message}`);
      return 1;
    }
    // A file or folder that cannot be read or written where a path was given: the path and why, not a stack.
    const fsError = err as NodeJS.ErrnoException;
    if (fsError?.code && fsError.path) {
      // Loaded here, not at start: the dataset readers (and node:crypto) are not needed by every command.
      const { describeOpenError } = await import('../core/dataset/jsonl');
      console.error(`premem ${name}: ${fsError.path}: ${describeOpenError(fsError)}`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
