// "Open Dataset with Runs…" on a dataset in no layout PreMem knows and an lm-eval folder holding two tasks: the
// fields are offered with their values, the task is asked for, and premem.json keeps both choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO_ROOT, answerFileDialog, startOpenDatasetWithRuns, tempDir, waitForNotification, waitForStatusItem, waitForText, waitUntil, withVSCode,
} from './harness.mjs';

const FIXTURES = join(REPO_ROOT, 'test/fixtures');
const SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false, 'files.simpleDialog.enable': true };

test('an unknown layout: pick query and target from the fields shown; an lm-eval folder of two tasks: pick the task', { timeout: 240_000 }, async () => {
  const workspace = await tempDir('front-door');
  await mkdir(join(workspace, 'data'), { recursive: true });
  // The GSM8K head with its fields renamed: no rule detects {ask, work, n}.
  const records = (await readFile(join(FIXTURES, 'datasets/gsm8k-train-head.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  await writeFile(join(workspace, 'data/own.jsonl'), records.map((r, n) => JSON.stringify({ n, ask: r.question, work: r.answer })).join('\n') + '\n');
  await cp(join(FIXTURES, 'runlogs/lm-eval-two-tasks'), join(workspace, 'runs/two-tasks'), { recursive: true });

  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-front-door', settings: SETTINGS }, async (session) => {
    const { page } = session;
    await page.locator('.activitybar .action-item a[aria-label^="PreMem"]').first().waitFor({ timeout: 60_000 });
    await startOpenDatasetWithRuns(page);
    const title = (text) => page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor({ timeout: 20_000 });
    const row = (label) => page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();

    await answerFileDialog(page, 'the training dataset', join(workspace, 'data/own.jsonl'), 'Use as Dataset');
    // The fields of the first record, each with its value.
    await title('Which field is the question');
    await waitForText(page, 'Natalia sold clips to 48 of her friends');
    await row('ask').click();
    await title('which field is the target trace');
    await row('work').click();
    await title('which field holds the final answer');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'None: the target states its final answer' }).first().click();
    await answerFileDialog(page, 'the run logs', join(workspace, 'runs/two-tasks'), 'Use as Runs');
    await title('holds samples of several lm-eval tasks');
    await row('gsm8k_cot').click();

    await waitForStatusItem(page, 'premem.premem.premem.run', /ckpt 2\/2/);
    await waitForNotification(page, 'save the dataset and runs as premem.json');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'premem.json' }).getByRole('button', { name: 'Save premem.json' }).click();
    const configFile = join(workspace, 'premem.json');
    await waitUntil(() => existsSync(configFile), { timeout: 10_000, what: 'premem.json' });
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    assert.deepEqual(config.profile, { query: 'ask', target: 'work' });
    assert.deepEqual(config.runs, [{ path: 'runs/two-tasks', format: 'lm-eval', task: 'gsm8k_cot' }]);

    // The Runs view says the log has no perplexity.
    await page.locator('.activitybar .action-item a[aria-label^="PreMem"]').first().click({ force: true }); // the badge covers it
    await waitForText(page, 'accuracy only');
  });
});

test('a TRL conversational dataset with a GRPO completions CSV opens from premem.json, marked, accuracy only', { timeout: 240_000 }, async () => {
  const workspace = await tempDir('front-door-trl');
  await mkdir(join(workspace, 'data'), { recursive: true });
  await mkdir(join(workspace, 'runs'), { recursive: true });
  await cp(join(FIXTURES, 'layouts/trl-prompt-completion.jsonl'), join(workspace, 'data/prompts.jsonl'));
  await cp(join(FIXTURES, 'runlogs/trl-grpo/completions.csv'), join(workspace, 'runs/completions.csv'));
  await writeFile(join(workspace, 'premem.json'), JSON.stringify({ dataset: 'data/prompts.jsonl', runs: ['runs/completions.csv'], p: 1.1055, t: 0.75 }));
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-front-door-trl', settings: SETTINGS }, async (session) => {
    const { page } = session;
    // Every record is marked: the three prompts the table holds, and the three it does not (not scored).
    await page.waitForFunction(() => document.querySelectorAll('.editor-instance .glyph-margin-widgets .cgmr').length >= 6, undefined, { timeout: 90_000, polling: 100 });
    await waitForStatusItem(page, 'premem.premem.premem.run', /completions · ckpt 2\/2/, 30_000);
    await page.locator('.activitybar .action-item a[aria-label^="PreMem"]').first().click({ force: true }); // the badge covers it
    await waitForText(page, 'accuracy only');
  });
});

test('a Hugging Face dataset folder opens in the table, every train shard in it, scored by an lm-eval run', { timeout: 240_000 }, async () => {
  const workspace = await tempDir('front-door-hf');
  await cp(join(FIXTURES, 'layouts/hf-gsm8k'), join(workspace, 'gsm8k'), { recursive: true });
  await cp(join(FIXTURES, 'runlogs/lm-eval-run'), join(workspace, 'runs/lm-eval-run'), { recursive: true });
  await writeFile(join(workspace, 'premem.json'), JSON.stringify({ dataset: 'gsm8k', runs: ['runs/lm-eval-run'], p: 1.1055 }));
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-front-door-hf', settings: SETTINGS }, async (session) => {
    const { page } = session;
    let rows = [];
    // Five rows: three from train-00000-of-00002, two from train-00001-of-00002 (the test split left out).
    await waitUntil(async () => {
      rows = [];
      for (const frame of page.frames()) {
        const found = await frame.$$eval('.rows .row:not([hidden])', (els) => els.map((r) => [...r.children].map((c) => c.textContent))).catch(() => []);
        if (found.length) rows = found;
      }
      return rows.length === 5 && rows[3][2]?.startsWith('Julie is reading');
    }, { timeout: 120_000, what: () => `the five train rows in the table (last: ${JSON.stringify(rows.map((r) => r.slice(0, 3)))})` });
    assert.deepEqual(rows.map((r) => r[0]), ['1', '2', '3', '4', '5']);
    // The table is the session's: PreMemAcc of the four docs the run scored (the last checkpoint), the fifth not scored.
    assert.deepEqual(rows.map((r) => r[3]), ['1.00', '0.75', '1.00', '0.75', '–']);
  });
});
