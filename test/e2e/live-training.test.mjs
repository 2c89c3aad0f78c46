// A real training run watched in real VS Code: the tiny Llama of `premem-train-demo` trains on CPU while the
// dataset is open; PreMemCallback appends each checkpoint to the run log, and the marks and the status bar follow
// checkpoint by checkpoint. Afterwards the example panel shows the model's own samples turning into verbatim copies
// of the target. VS Code opened on the folder before training writes its first log picks the log up when it appears.
// Needs the Python venv that `npm test` sets up (scripts/setup-python.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, notifications, openFile, readStatusBar, runCommand, tempDir, waitForStatusItem, webviewFrame, withVSCode } from './harness.mjs';

const TRAIN = join(REPO_ROOT, '.venv/bin/premem-train-demo');
const SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false };
const STATUS_ID = 'premem.premem.premem.run';
const EPOCHS = 48;
const SAVE_EVERY = 8;
const CHECKPOINTS = EPOCHS / SAVE_EVERY;

const skip = existsSync(TRAIN) ? false : `the Python venv is not set up (${TRAIN} is missing): run 'bash scripts/setup-python.sh'`;
if (skip) console.log(`# SKIPPED live-training e2e: ${skip}`);

const readJsonl = async (file) => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** premem-train-demo running in the background, its output collected. */
function startTraining(args) {
  const training = spawn(TRAIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { output: '', running: true };
  training.stdout.on('data', (d) => (state.output += d));
  training.stderr.on('data', (d) => (state.output += d));
  state.exited = new Promise((resolve) => training.on('exit', (code) => resolve(code)));
  void state.exited.then(() => (state.running = false));
  state.stop = () => state.running && training.kill('SIGTERM');
  return state;
}

/**
 * Waits until the status bar counts `checkpoints` checkpoints, checking that the records' marks are drawn at each
 * new count; returns what was seen at each count (the status text, and whether training still ran).
 */
async function followCheckpoints(page, screenshot, training, checkpoints, timeoutMs) {
  const seen = new Map(); // checkpoint count -> status text, as observed while training ran
  for (const deadline = Date.now() + timeoutMs; ; ) {
    if (Date.now() > deadline) {
      await screenshot('live-training-stuck');
      throw new Error(`the status bar never reached ${checkpoints} checkpoints; seen: ${JSON.stringify([...seen])}\n${training.output}`);
    }
    const status = (await readStatusBar(page)).find((item) => item.id === STATUS_ID)?.text ?? '';
    const count = /ckpt \d+\/(\d+)/.exec(status)?.[1];
    if (count && !seen.has(Number(count))) {
      seen.set(Number(count), { status, running: training.running });
      // The marks of the records follow (they are drawn just after the status bar changes).
      await page.waitForFunction(() => document.querySelectorAll('.editor-instance .glyph-margin-widgets .cgmr').length > 5, undefined, { timeout: 60_000, polling: 100 });
    }
    if (Number(count) === checkpoints) return seen;
    if (!training.running && (await training.exited) !== 0) throw new Error(`premem-train-demo failed:\n${training.output}`);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the next look at the status bar
  }
}

// VS Code is opened on a folder that holds the dataset only (no premem.json, no run log, no file open): PreMem
// starts on the dataset's presence. The training script then writes premem.json (which cannot open yet: its runs
// are not there) and the run log; the session opens on the log's first record (the run, no checkpoint yet) and
// follows the checkpoints after it.
test('VS Code opened before training starts: the run log is read once it appears', { skip, timeout: 600_000 }, async () => {
  const workspace = await tempDir('live-training-early');
  const prepared = startTraining(['--out', workspace, '--fast', '--prepare']);
  assert.equal(await prepared.exited, 0, prepared.output);
  await rm(join(workspace, 'premem.json'));
  assert.deepEqual(readdirSync(workspace), ['data']);
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'live-training-early', settings: SETTINGS }, async ({ page, screenshot }) => {
    const training = startTraining(['--out', workspace, '--fast', '--epochs', '16', '--save-every', '8']);
    try {
      // The session opened with no editor open (only a started extension can see premem.json and the log appear);
      // a quiet open shows no editor, so the dataset is opened as a user would, to see its marks.
      await waitForStatusItem(page, STATUS_ID, /PreMem: tiny-lr/, 300_000);
      await openFile(page, 'data/train.jsonl');
      await followCheckpoints(page, screenshot, training, 2, 480_000);
      assert.equal(await training.exited, 0, training.output);
      // premem.json appeared before the runs it names: PreMem waited for them, it did not report an error.
      assert.deepEqual((await notifications(page)).filter((m) => /PreMem/.test(m)), []);
    } finally {
      training.stop();
    }
  });
});

test('a tiny model training on CPU: marks follow each new checkpoint; the panel shows its samples becoming verbatim copies', { skip, timeout: 900_000 }, async () => {
  const workspace = await tempDir('live-training');
  const training = startTraining(['--out', workspace, '--fast', '--epochs', String(EPOCHS), '--save-every', String(SAVE_EVERY)]);
  try {
    // The script writes the data and premem.json first, then trains; VS Code opens once the run log holds its first
    // checkpoint, and the rest arrive while it watches.
    const runsDir = join(workspace, 'runs');
    const hasCheckpoint = () => existsSync(runsDir) && readdirSync(runsDir).some((f) => readFileSync(join(runsDir, f), 'utf8').includes('"type":"checkpoint"'));
    for (const deadline = Date.now() + 300_000; !existsSync(join(workspace, 'premem.json')) || !hasCheckpoint(); ) {
      if (!training.running || Date.now() > deadline) throw new Error(`premem-train-demo logged no checkpoint:\n${training.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'live-training', settings: SETTINGS }, async ({ page, screenshot }) => {
      // While training runs: the status bar's checkpoint count grows, with the dataset's records marked each time.
      const seen = await followCheckpoints(page, screenshot, training, CHECKPOINTS, 480_000);
      const counts = [...seen.keys()];
      const whileRunning = [...seen.values()].filter((s) => s.running).length;
      assert.ok(counts.length >= 2 && whileRunning >= 2, `marks updated at ${counts.join(', ')} checkpoints (${whileRunning} while training ran)`);
      assert.equal(await training.exited, 0, training.output);

      // The model's own samples: an example copied verbatim at the last checkpoint and not at the first.
      const train = await readJsonl(join(workspace, 'data/train.jsonl'));
      const log = (await readJsonl(join(workspace, 'runs', readdirSync(join(workspace, 'runs'))[0]))).filter((r) => !r.type || r.type === 'example');
      const steps = [...new Set(log.map((r) => r.step))].sort((a, b) => a - b);
      const at = (step, index) => log.find((r) => r.step === step && r.index === index);
      const verbatim = (r) => r.samples.some((s) => s.trim() === train[r.index].answer.trim());
      const copied = train.findIndex((_, i) => verbatim(at(steps.at(-1), i)) && !verbatim(at(steps[0], i)));
      assert.ok(copied >= 0, 'some example turns into a verbatim copy of its target');
      const first = at(steps[0], copied).checkpoint;
      const last = at(steps.at(-1), copied).checkpoint;

      await page.locator('.editor-instance .monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget .quick-input-box input').fill(`:${copied + 1}`);
      await page.keyboard.press('Enter');
      await runCommand(page, 'PreMem: Show Example Samples');
      const frame = await webviewFrame(page, async (f) => (await f.$('.example-header h2')) !== null, 60_000);
      await frame.waitForFunction((title) => document.querySelector('.example-header h2')?.textContent === title, `Example ${copied + 1}`, { timeout: 30_000 });
      const samplesAt = async (checkpoint) => {
        const items = frame.locator(`vscode-collapsible[data-checkpoint="${checkpoint}"] ol.samples:not(.perturbed-samples) > li.sample`);
        if ((await items.count()) === 0) await frame.locator(`vscode-collapsible[data-checkpoint="${checkpoint}"] .collapsible-header`).click();
        await items.first().waitFor({ timeout: 15_000 });
        return items.locator('.verbatim').allTextContents();
      };
      const lastShares = await samplesAt(last);
      assert.ok(lastShares.includes('100% of the target verbatim'), `${last}: ${lastShares.join(' | ')}`);
      const firstShares = await samplesAt(first);
      assert.ok(!firstShares.includes('100% of the target verbatim'), `${first}: ${firstShares.join(' | ')}`);
      await screenshot('live-training-example');
    });
  } finally {
    training.stop();
  }
});
