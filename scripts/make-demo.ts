// Builds the demo workspace demo/ from the shared data: GSM8K train and test (copies), the paper's 13 runs as one
// compact PreMem run log (a "scores" record per checkpoint), premem.json, and the attribution files.
// Usage: node --import tsx scripts/make-demo.ts [--shared <folder with gsm8k/ and paper-runs/>]
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { analyze } from '../src/core/analysis';
import { openDataset } from '../src/core/dataset/open';
import { DEFAULT_FRAGILE_T } from '../src/core/metrics/dynamics';
import type { Run } from '../src/core/model';
import { readPaperRuns } from '../src/core/runlog/paper';
import { keysDigest, type ScoresRecord } from '../src/core/runlog/premem/scores-record';

const ROOT = path.resolve(__dirname, '..');
const DEMO = path.join(ROOT, 'demo');
/** Significant digits kept of each perplexity: 1e-6 relative is far below what moves an example across p. */
export const PERPLEXITY_DIGITS = 6;

function sharedFolder(argv: string[]): string {
  const i = argv.indexOf('--shared');
  return path.resolve(i >= 0 ? argv[i + 1] : (process.env.PREMEM_SHARED_DATA ?? path.join(ROOT, '../shared/data')));
}

const round = (x: number) => (Number.isNaN(x) ? null : Number(x.toPrecision(PERPLEXITY_DIGITS)));

/** The run log lines: per run a run record, per checkpoint a checkpoint record and a scores record. */
export function runLogLines(runs: Run[], digest: string, datasetName: string): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    const m = /^gsm8k_orig_(\d+)epochs_(full|half|quarter)_lr([^_]+)_bs(\d+)$/.exec(run.id);
    const meta = m ? { model: 'Llama3-8B', epochs: Number(m[1]), data: m[2], learningRate: Number(m[3]), batchSize: Number(m[4]) } : {};
    lines.push(JSON.stringify({ v: 1, type: 'run', run: run.id, dataset: datasetName, ...(run.subset ? { subset: Array.from(run.subset) } : {}), meta }));
    for (const c of run.checkpoints) {
      lines.push(JSON.stringify({ v: 1, type: 'checkpoint', run: run.id, checkpoint: c.id, step: c.step, epoch: c.epoch, testAccuracy: c.testAccuracy }));
      const k = c.sampleCount[0];
      const uniform = c.sampleCount.every((n) => n === k);
      const scores: ScoresRecord = {
        v: 1,
        type: 'scores',
        run: run.id,
        checkpoint: c.id,
        step: c.step,
        keysDigest: digest,
        sampleCount: uniform ? k : Array.from(c.sampleCount),
        accuracy: Array.from(c.accuracy, (a) => (Number.isNaN(a) ? null : a)),
        perplexity: Array.from(c.perplexity, round),
      };
      lines.push(JSON.stringify(scores));
    }
  }
  return lines;
}

async function main(): Promise<number> {
  const shared = sharedFolder(process.argv.slice(2));
  const train = path.join(shared, 'gsm8k/train.jsonl');
  const test = path.join(shared, 'gsm8k/test.jsonl');
  const paperRuns = path.join(shared, 'paper-runs');
  for (const p of [train, test, paperRuns]) {
    if (!existsSync(p)) {
      console.error(`make-demo: ${p} not found (pass --shared <folder> or set PREMEM_SHARED_DATA)`);
      return 1;
    }
  }
  await mkdir(path.join(DEMO, 'data'), { recursive: true });
  await mkdir(path.join(DEMO, 'runs'), { recursive: true });
  const demoTrain = path.join(DEMO, 'data/gsm8k-train.jsonl');
  await copyFile(train, demoTrain);
  await copyFile(test, path.join(DEMO, 'data/gsm8k-test.jsonl'));
  // The shared copies are read-only; the demo's dataset is meant to be edited (marks follow the edits).
  for (const f of ['gsm8k-train.jsonl', 'gsm8k-test.jsonl']) await chmod(path.join(DEMO, 'data', f), 0o644);

  const dataset = await openDataset(demoTrain, 'gsm8k');
  const digest = keysDigest(dataset.keys);
  await dataset.close();
  const runs = await readPaperRuns(paperRuns);
  const log = path.join(DEMO, 'runs/paper-gsm8k.premem.jsonl');
  await writeFile(log, runLogLines(runs, digest, 'data/gsm8k-train.jsonl').join('\n') + '\n');

  // The rounding of perplexities must not move the published numbers: compare the analysis both ways.
  const exact = analyze(runs, { calibrate: true });
  const { PreMemLogReader } = await import('../src/core/runlog/premem/log-reader');
  const reader = new PreMemLogReader([log], { numExamples: dataset.size });
  await reader.readMore();
  if (reader.problems.length) throw new Error(`the demo log does not read back cleanly: ${reader.problems[0].message}`);
  const compact = analyze(reader.runs(), { calibrate: true });
  console.log(
    `calibrated p ${exact.p.toFixed(5)} vs ${compact.p.toFixed(5)}; R² ${exact.fit.r2.toFixed(4)} vs ${compact.fit.r2.toFixed(4)} (exact vs demo log)`,
  );

  await writeFile(
    path.join(DEMO, 'premem.json'),
    JSON.stringify(
      { dataset: 'data/gsm8k-train.jsonl', profile: 'gsm8k', testDataset: 'data/gsm8k-test.jsonl', runs: ['runs'], p: 'calibrate', t: DEFAULT_FRAGILE_T },
      null,
      2,
    ) + '\n',
  );
  const licenses = [
    '# Licences of the demo data\n',
    '## GSM8K (data/gsm8k-train.jsonl, data/gsm8k-test.jsonl)\n',
    '```\n' + (await readFile(path.join(shared, 'gsm8k/LICENSE'), 'utf8')).trim() + '\n```\n',
    '## Learning dynamics of the paper\'s runs (runs/paper-gsm8k.premem.jsonl, converted)\n',
    '```\n' + (await readFile(path.join(paperRuns, 'LICENSE'), 'utf8')).trim() + '\n```\n',
  ];
  await writeFile(path.join(DEMO, 'LICENSES.md'), licenses.join('\n'));
  await writeFile(path.join(DEMO, 'README.md'), readme(runs) + (await otherReadmeSections(path.join(DEMO, 'README.md'))));
  console.log(`demo written to ${path.relative(process.cwd(), DEMO) || '.'}`);
  return 0;
}

/** Sections other scripts added to the demo's README (e.g. make-demo-scored.ts), kept when it is rebuilt. */
async function otherReadmeSections(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const sections = text.split(/^(?=## )/m).slice(1);
  const kept = sections.filter((section) => !section.startsWith('## Contents'));
  return kept.length ? '\n' + kept.join('').trimEnd() + '\n' : '';
}

function readme(runs: Run[]): string {
  const checkpoints = runs.reduce((s, r) => s + r.checkpoints.length, 0);
  return `# PreMem demo workspace

Open this folder in VS Code with the PreMem extension (\`npm run demo\` from the repository does that). It opens
\`premem.json\` by itself: the GSM8K training set with the learning dynamics of ${runs.length} Llama3-8B fine-tuning
runs (${checkpoints} checkpoints), p calibrated against the runs' test accuracy.

## Contents

- \`data/gsm8k-train.jsonl\`, \`data/gsm8k-test.jsonl\` — GSM8K (Cobbe et al., 2021), unchanged copies.
  © OpenAI, MIT licence.
- \`runs/paper-gsm8k.premem.jsonl\` — per-checkpoint accuracy (share of correct samples) and target-trace perplexity
  of every training example, and test accuracy per checkpoint, for the ${runs.length} runs released with "What Do
  Learning Dynamics Reveal About Generalization in LLM Reasoning?" (Kang et al., 2024), © katiekang1998, MIT
  licence. Converted from the released NumPy arrays to PreMem's run-log format (one \`scores\` record per
  checkpoint; perplexities rounded to ${PERPLEXITY_DIGITS} significant digits). Sample texts were not released, so the
  example panel shows numbers but no samples for these runs.
- \`premem.json\` — which dataset and runs to open, p and t.

The full licence texts are in [LICENSES.md](LICENSES.md). Rebuild with \`node --import tsx scripts/make-demo.ts\`.
`;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
