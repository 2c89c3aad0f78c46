// The example panel in real VS Code: a small workspace whose run log holds sample texts. The panel follows the
// cursor, shows each sample diffed against the target with its answer and outcome, loads other checkpoints'
// samples when they are opened, flags and unflags, and the re-collection export writes the flagged example.
// Samples with hostile text (markup, script URLs, bidi overrides, a 1 MB line) must show as text and run nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  REPO_ROOT, fillPath, makeWorkspace, openFile, runCommand, waitForNotification, waitForText, webviewFrame, withVSCode,
} from './harness.mjs';

const SETTINGS = { 'editor.wordWrap': 'off', 'workbench.colorTheme': 'Default Dark Modern' };

const records = (await readFile(join(REPO_ROOT, 'test/fixtures/grading/gsm8k-sample.jsonl'), 'utf8'))
  .split('\n').filter((l) => l.trim()).slice(0, 6).map((l) => JSON.parse(l));

/** The dataset's stable key of a record without an id field (src/core/dataset/keys.ts). */
const keyOf = (r) => `h:${createHash('sha256').update(`${r.question}\u0000${r.answer}`).digest('hex').slice(0, 16)}`;

const MB_LINE = `${'A'.repeat(1 << 20)} END-OF-MEGABYTE`;
const HOSTILE = [
  '<script>alert(1)</script> Weng earns 12/60 = $0.2 per minute.\n#### 10',
  '<img src=x onerror="window.__pwned=1;alert(2)"> #### 10',
  '[click](javascript:alert(3)) <a href="javascript:alert(4)">link</a> #### 9',
  'abc \u202Eevil\u202C def',
  MB_LINE,
];

const STEPS = Array.from({ length: 12 }, (_, m) => 100 * (m + 1));
const ckpt = (step) => `checkpoint-${step}`;
const FIRST = ckpt(STEPS[0]);
const LAST = ckpt(STEPS[STEPS.length - 1]);

/** Fifty samples derived from a target: verbatim copies, wrong final answers and rewrites without the annotations. */
function fiftySamples(target, m) {
  const samples = [];
  const outcomes = [];
  for (let i = 0; i < 50; i++) {
    const kind = (i + m) % 3;
    samples.push(kind === 0 ? target : kind === 1 ? target.replace(/#### (.*)$/, `#### ${i}`) : target.replace(/<<[^>]*>>/g, '').replace(/^/, 'First, '));
    outcomes.push(kind === 1 ? 1 : 0);
  }
  return { samples, outcomes };
}

/**
 * Six GSM8K records; run "tiny" with sample texts at 12 checkpoints, run "numbers" with outcomes only.
 * Record 1: samples that copy, miss or rephrase the target; record 2: hostile text at the last checkpoint;
 * record 3: 50 samples per checkpoint.
 */
function workspaceFiles() {
  const natalia = records[0].answer;
  const lines = [{ v: 1, type: 'run', run: 'tiny' }, { v: 1, type: 'run', run: 'numbers' }];
  for (const step of STEPS) lines.push({ v: 1, type: 'checkpoint', run: 'tiny', checkpoint: ckpt(step), step });
  records.forEach((r, index) => {
    STEPS.forEach((step, m) => {
      const last = m === STEPS.length - 1;
      const rec = { v: 1, run: 'tiny', checkpoint: ckpt(step), step, key: keyOf(r), index, perplexity: last ? 1.4 : 1.6 };
      if (index === 0) {
        const paraphrase = last ? natalia : 'Natalia sold half of 48, which is 24 clips, in May.\nIn total she sold 48 + 24 = 72.\n#### 72';
        Object.assign(rec, { samples: [natalia, natalia.replace('#### 72', '#### 999'), paraphrase, 'I am not sure.'], outcomes: [0, 1, 0, 2], answers: ['72', '999', '72', null] });
        // A robustness probe at the last checkpoint: the question asked with another opening of the answer.
        if (last) rec.perturbations = { 'Answer: First': { samples: [`First, ${natalia}`, natalia.replace('#### 72', '#### 48')], outcomes: [0, 1], answers: ['72', '48'] } };
      } else if (index === 1 && last) {
        Object.assign(rec, { samples: HOSTILE, outcomes: [0, 0, 1, 2, 2], answers: ['10', '10', '9', null, null] });
      } else if (index === 2) {
        Object.assign(rec, fiftySamples(r.answer, m));
      } else {
        Object.assign(rec, { samples: [r.answer, r.answer], outcomes: [0, 0] });
      }
      lines.push(rec);
    });
    for (const step of [100, 200, 300]) lines.push({ v: 1, run: 'numbers', checkpoint: ckpt(step), step, key: keyOf(r), index, outcomes: [0, 1, 1, 1], perplexity: 1.3 });
  });
  return {
    'premem.json': JSON.stringify({ dataset: 'data/train.jsonl', profile: 'gsm8k', runs: ['runs'], p: 1.1, t: 0.75 }, null, 2),
    'data/train.jsonl': records.map((r) => JSON.stringify(r)).join('\n') + '\n',
    'runs/tiny.premem.jsonl': lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  };
}

/** The example panel's document, once it shows example `n` (1-based). */
async function panelShowing(page, n) {
  const frame = await webviewFrame(page, async (f) => (await f.$('.example-header h2')) !== null, 60_000);
  await frame.waitForFunction((title) => document.querySelector('.example-header h2')?.textContent === title, `Example ${n}`, { timeout: 30_000 });
  return frame;
}

/** Moves the cursor of the dataset editor to `line` (1-based) with Go to Line. */
async function goToLine(page, line) {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').fill(`:${line}`);
  await page.keyboard.press('Enter');
}

/** The samples of the training prompt at a checkpoint (not those of perturbed prompts). */
const samplesOf = (frame, checkpoint) => frame.locator(`vscode-collapsible[data-checkpoint="${checkpoint}"] ol.samples:not(.perturbed-samples) > li.sample`);

test('example panel: diffs, outcomes, lazy checkpoints, flag and export; hostile samples stay text', { timeout: 300_000 }, async (t) => {
  const workspace = await makeWorkspace(workspaceFiles(), 'example-panel');
  await withVSCode({ workspace, extensionDir: REPO_ROOT, settings: SETTINGS, label: 'example-panel' }, async ({ page, screenshot }) => {
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    // The workspace's premem.json opens the dataset with the panel beside it, on the record under the cursor.
    await waitForText(page, 'Natalia sold clips', 60_000);
    let frame = await panelShowing(page, 1).catch(async () => {
      await runCommand(page, 'PreMem: Show Example Samples');
      return panelShowing(page, 1);
    });

    await t.test('the last checkpoint: four samples diffed, with answers and outcomes; the probe collapsed, then diffed', async () => {
      // Only the last checkpoint is open: its four samples, diffed, with answers and outcomes.
      const last = samplesOf(frame, LAST);
      await last.first().waitFor({ timeout: 30_000 });
      assert.equal(await last.count(), 4);
      assert.deepEqual(await last.locator('.outcome').allTextContents(), ['correct', 'wrong', 'correct', 'unparseable']);
      assert.equal(await last.nth(0).locator('.verbatim').textContent(), '100% of the target verbatim');
      assert.equal(await last.nth(0).locator('ins, del').count(), 0, 'an identical sample has no departures');
      assert.deepEqual(await last.nth(1).locator('ins.added').allTextContents(), ['999']);
      assert.deepEqual(await last.nth(1).locator('del.removed').allTextContents(), ['72']);
      assert.match(await last.nth(1).locator('.answers').innerText(), /answer\s+999\s+vs target\s+72/);
      assert.match(await last.nth(3).locator('.answers').innerText(), /answer\s+none\s+vs target\s+72/);
      assert.equal(await frame.locator('.chart-box canvas').count(), 1);
      // The probe's samples are there, collapsed under its name; opened, they are diffed like the others.
      const probe = frame.locator(`vscode-collapsible[data-checkpoint="${LAST}"] details.perturbation`);
      assert.equal(await probe.count(), 1);
      assert.match(await probe.locator('.perturbation-head').innerText(), /^Perturbed prompt Answer: First · 2 samples: 1 correct, 1 wrong, 0 unparseable · on average \d+% of the target reproduced verbatim$/);
      assert.equal(await probe.locator('li.sample').first().isVisible(), false, 'collapsed');
      await probe.locator('summary').click();
      assert.deepEqual(await probe.locator('li.sample .outcome').allTextContents(), ['correct', 'wrong']);
      assert.deepEqual(await probe.locator('li.sample').nth(0).locator('ins.added').allTextContents(), ['First, ']);
      assert.deepEqual(await probe.locator('li.sample').nth(1).locator('ins.added').allTextContents(), ['48']);
    });

    await t.test("the first checkpoint's samples are read only when it is opened", async () => {
      // The first checkpoint is closed, and its samples are read only when it is opened.
      const first = samplesOf(frame, FIRST);
      assert.equal(await first.count(), 0);
      assert.equal(await frame.locator('vscode-collapsible.checkpoint').count(), STEPS.length);
      await frame.locator(`vscode-collapsible[data-checkpoint="${FIRST}"] .collapsible-header`).click();
      await first.first().waitFor({ timeout: 15_000 });
      assert.equal(await first.count(), 4);
      const paraphrase = first.nth(2);
      assert.ok((await paraphrase.locator('ins.added').count()) > 0 && (await paraphrase.locator('del.removed').count()) > 0);
      const share = Number(/(\d+)%/.exec(await paraphrase.locator('.verbatim').textContent())[1]);
      assert.ok(share > 0 && share < 100, `paraphrase share ${share}%`);
    });

    await t.test("flag from the panel: reason fragile, the note, the flag file and the editor's mark", async () => {
      // Flag from the panel: the reason defaults to "fragile" for a fragile example; the note goes with it.
      assert.match(await frame.locator('.flag-state').innerText(), /Not flagged/);
      await frame.locator('vscode-textfield.flag-note input').fill('needs rephrasings');
      await frame.locator('#flag-button').click();
      await frame.locator('.flag-state.flagged').waitFor({ timeout: 15_000 });
      assert.match(await frame.locator('.flag-state').innerText(), /Flagged fragile by .+: needs rephrasings/);
      const flagLines = (await readFile(join(workspace, 'data/train.jsonl.premem-flags.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(flagLines.map((f) => [f.op, f.key, f.reason, f.note, f.line]), [['flag', keyOf(records[0]), 'fragile', 'needs rephrasings', 1]]);
      // The editor's mark of the record changes to the flagged one.
      await page.waitForFunction(() => [...document.querySelectorAll('.glyph-margin-widgets .cgmr')]
        .some((el) => getComputedStyle(el).backgroundImage.includes('-flagged')), undefined, { timeout: 15_000 });
      await samplesOf(frame, FIRST).nth(0).evaluate((li) => li.scrollIntoView({ block: 'start' }));
      await screenshot('example-panel');
    });

    await t.test('the re-collection export holds the flagged example', async () => {
      // Export the re-collection set with flagged examples, and read it back.
      const out = join(workspace, 'recollection.jsonl');
      await runCommand(page, 'PreMem: Export Re-collection Set…');
      // The format is a choice of its own (the file name then gets its extension).
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'JSON Lines' }).click();
      const dialogInput = page.locator('.quick-input-widget .quick-input-box input');
      await dialogInput.waitFor({ state: 'visible' });
      await fillPath(dialogInput, out);
      await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).click();
      const include = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Fragile and flagged examples' });
      await include.waitFor({ state: 'visible', timeout: 15_000 });
      await include.click();
      const message = await waitForNotification(page, 'written to recollection.jsonl');
      const exported = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      assert.match(message, new RegExp(`^PreMem: ${exported.length} examples? \\(\\d+\\.\\d% of the dataset\\) written to recollection\\.jsonl`));
      const natalia = exported.find((r) => r.premem.key === keyOf(records[0]));
      assert.ok(natalia, 'the flagged example is exported');
      assert.equal(natalia.question, records[0].question);
      assert.deepEqual([natalia.premem.flag.reason, natalia.premem.flag.note], ['fragile', 'needs rephrasings']);
    });

    await t.test('hidden and shown again, the panel keeps the opened checkpoint', async () => {
      // Hidden and shown again, the panel is rebuilt from its saved state: the checkpoint opened above stays open.
      await page.keyboard.press('Control+2');
      await openFile(page, 'premem.json');
      await page.locator('.tabs-container .tab', { hasText: 'PreMem Example 1' }).click();
      frame = await panelShowing(page, 1);
      await samplesOf(frame, FIRST).first().waitFor({ timeout: 15_000 });
      assert.equal(await samplesOf(frame, FIRST).count(), 4);
    });

    await t.test('side by side with a run whose log has no sample texts', async () => {
      // Side by side: this run's last checkpoint against a run whose log has no sample texts.
      // Each side picks a run, then one of its checkpoints.
      const rightRun = frame.locator('.compare-point[data-side="right"] vscode-single-select').nth(0);
      await rightRun.click();
      await rightRun.locator('li[role="option"]', { hasText: 'numbers' }).click();
      const rightCheckpoint = frame.locator('.compare-point[data-side="right"] vscode-single-select').nth(1);
      await rightCheckpoint.click();
      await rightCheckpoint.locator('li[role="option"]', { hasText: 'checkpoint-300' }).click();
      const columns = frame.locator('.compare-column');
      await columns.nth(1).locator('.checkpoint-numbers').waitFor({ timeout: 15_000 });
      assert.match(await columns.nth(0).locator('h4').innerText(), new RegExp(`tiny · ${LAST}`));
      assert.match(await columns.nth(1).locator('.checkpoint-numbers').innerText(), /^accuracy 25% · perplexity 1\.3000 · masked accuracy 25% · PreMemAcc 25%/);
      await columns.nth(1).locator('.no-texts', { hasText: 'Sample texts are not in this run log.' }).waitFor();
      await columns.nth(0).locator('li.sample').nth(3).waitFor({ timeout: 15_000 });
    });

    await t.test('fifty samples at each of twelve checkpoints open at once', async () => {
      // Fifty samples at each of twelve checkpoints: all eleven closed ones opened at once.
      await goToLine(page, 3);
      frame = await panelShowing(page, 3);
      await samplesOf(frame, LAST).nth(49).waitFor({ timeout: 15_000 });
      const openAll = await frame.evaluate(async ({ last, total }) => {
        const started = performance.now();
        for (const c of document.querySelectorAll('vscode-collapsible.checkpoint')) {
          if (c.dataset.checkpoint !== last) c.shadowRoot.querySelector('.collapsible-header').click();
        }
        while (document.querySelectorAll('.checkpoints li.sample').length < total) await new Promise((r) => setTimeout(r, 5));
        return performance.now() - started;
      }, { last: LAST, total: 50 * STEPS.length });
      console.log(`example panel: 11 checkpoints x 50 samples read, diffed and rendered in ${openAll.toFixed(0)} ms`);
      assert.ok(openAll < 5_000, `${openAll} ms`);
    });

    await t.test('flag from the command palette with a reason and a note', async () => {
      // Flag from the command palette: a reason from the quick pick, a note from the input box.
      await runCommand(page, 'PreMem: Flag Example for Re-collection…');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'duplicate' }).click();
      const noteInput = page.locator('.quick-input-widget .quick-input-box input');
      await noteInput.waitFor({ state: 'visible' });
      await noteInput.fill('same as the wallet question');
      await page.keyboard.press('Enter');
      await frame.locator('.flag-state.flagged', { hasText: 'duplicate' }).waitFor({ timeout: 15_000 });
      assert.match(await frame.locator('.flag-state').innerText(), /: same as the wallet question$/);
    });

    await t.test('hostile samples show as text and run nothing', async () => {
      // Hostile samples: the panel follows the cursor to the second record.
      await goToLine(page, 2);
      frame = await panelShowing(page, 2);
      const hostile = samplesOf(frame, LAST);
      await hostile.first().waitFor({ timeout: 30_000 });
      assert.equal(await hostile.count(), HOSTILE.length);
      // Each sample's own text (what it shares with the target and what it adds; not the target text it skips).
      const shown = await hostile.evaluateAll((items) => items.map((li) => {
        const pre = li.querySelector('pre.sample-text').cloneNode(true);
        for (const del of pre.querySelectorAll('del')) del.remove();
        return pre.textContent;
      }));
      assert.deepEqual(shown, HOSTILE.map((s) => s.replace('\u202E', 'U+202E').replace('\u202C', 'U+202C')));
      assert.deepEqual(await hostile.nth(3).locator('.bidi-control').allTextContents(), ['U+202E', 'U+202C']);
      const megabyte = hostile.nth(4);
      assert.match(await megabyte.locator('.not-diffed').textContent(), /too long to diff/);
      assert.equal(await megabyte.locator('pre.sample-text.raw').evaluate((pre) => pre.textContent.length), MB_LINE.length);
      const dom = await frame.evaluate(() => ({
        images: document.querySelectorAll('img').length,
        // VS Code adds one inline script of its own (the webview API); nothing may carry sample text.
        scripts: [...document.scripts].filter((s) => s.src).map((s) => s.src.replace(/^.*\//, '')),
        scriptsWithSampleText: [...document.scripts].filter((s) => /alert|__pwned/.test(s.textContent)).length,
        links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => h !== '#'),
        handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        pwned: window.__pwned,
      }));
      assert.deepEqual(dom, { images: 0, scripts: ['example.js'], scriptsWithSampleText: 0, links: [], handlers: 0, pwned: undefined });
      assert.deepEqual(dialogs, [], 'no dialog was opened by sample text');
    });

    await t.test('unflag from the command palette', async () => {
      // Unflag from the command palette on the first record: the panel's flag state follows.
      await goToLine(page, 1);
      frame = await panelShowing(page, 1);
      await frame.locator('.flag-state.flagged').waitFor();
      await runCommand(page, 'PreMem: Unflag Example');
      await frame.locator('.flag-state.unflagged').waitFor({ timeout: 15_000 });
    });
  });
});
