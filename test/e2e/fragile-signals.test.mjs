// The training-dynamics signals in real VS Code, on a copy of the tiny demo (its samples make suspected wrong
// targets judgeable): the Fragile Examples view ranked by a signal, the group of suspected wrong targets checked
// against `premem wrong-targets`, flagging one from its context menu, the signals in the hover and the example
// panel, and Compare With… filtering the view and the dataset table as `premem compare` counts flips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_DIR, pickQuickItem, REPO_ROOT, runCommand, tempDir, waitForText, waitUntil, webviewFrame, withVSCode } from './harness.mjs';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const SETTINGS = { 'editor.wordWrap': 'off', 'editor.hover.delay': 200, 'editor.minimap.enabled': false };
const SIGNAL_LABELS = ['confidence', 'variability', 'correctness', 'first learned', 'perplexity final / mean', 'learnability'];

/** Rows of the Fragile Examples view in screen order: { label, description, level }. */
async function fragileRows(page) {
  return page.evaluate(() => {
    const pane = [...document.querySelectorAll('.pane')].find((p) => p.querySelector('.pane-header')?.textContent?.includes('Fragile Examples'));
    return [...(pane?.querySelectorAll('.monaco-list-row') ?? [])]
      .map((row) => ({
        label: row.querySelector('.label-name')?.textContent ?? '',
        description: row.querySelector('.label-description')?.textContent ?? '',
        level: Number(row.getAttribute('aria-level')),
        top: parseFloat(row.style.top),
      }))
      .sort((a, b) => a.top - b.top);
  });
}

const fragileRow = (page, label) =>
  page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Fragile Examples' }) }).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();

/** Runs a command whose title ends in "…" (the palette does not match a typed "…") and picks `item` in its quick pick. */
async function runEllipsisCommand(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget .quick-input-box input').fill(`>${title.replace(/…$/, '')}`);
  await page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: title }) }).first().click();
}


test('tiny demo: rank by a signal, suspected wrong targets flagged from the view, signals in hover and panel, compare with B', { timeout: 300_000 }, async () => {
  const workspace = await tempDir('tiny-signals');
  await cp(join(DEMO_DIR, 'tiny'), workspace, { recursive: true });
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'wrong-targets', '--config', join(workspace, 'premem.json'), '--json'], { maxBuffer: 16 * 1024 * 1024 });
  const expected = JSON.parse(stdout);
  assert.ok(expected.suspected.length > 5, 'the tiny demo has suspected wrong targets');

  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-tiny-signals', settings: SETTINGS }, async (session) => {
    const { page } = session;
    await page.locator('.activitybar .action-item a[aria-label^="PreMem"]').first().click({ force: true });
    await page.locator('.pane-header', { hasText: 'Fragile Examples' }).first().waitFor({ timeout: 30_000 });
    // Room for the rows' descriptions.
    const box = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 640, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();

    // The suspects, judged in the background: as many as the CLI finds, in its order, with both answers.
    await waitForText(page, `Suspected wrong targets (${expected.suspected.length})`, 60_000);

    // Rank By… forgetting events: the view says so, and each row of the first group shows its count, highest first.
    await runEllipsisCommand(page, 'PreMem: Rank By…');
    await pickQuickItem(page, 'forgetting events');
    await waitForText(page, 'by forgetting', 20_000);
    const firstGroup = (await fragileRows(page)).find((r) => r.level === 1 && !r.label.startsWith('Suspected'));
    await fragileRow(page, firstGroup.label).click();
    let last = [];
    const counts = await waitUntil(async () => {
      const rows = await fragileRows(page);
      const start = rows.findIndex((r) => r.label === firstGroup.label);
      const children = [];
      for (const r of rows.slice(start + 1)) {
        if (r.level !== 2) break;
        const m = /· forgetting (\d+) ·/.exec(r.description);
        if (m) children.push(Number(m[1]));
      }
      // The tree re-renders its rows in steps: wait for the whole group, in the new order.
      const ordered = children.every((c, i) => i === 0 || children[i - 1] >= c);
      last = children;
      return children.length > 1 && ordered && children;
    }, { timeout: 15_000, what: () => `the rows of the first group ordered by forgetting events (seen: ${last})` });
    assert.ok(counts.length > 1);
    await fragileRow(page, firstGroup.label).click();

    await fragileRow(page, 'Suspected wrong targets (').click();
    const first = expected.suspected[0];
    const firstRow = await waitUntil(async () => (await fragileRows(page)).find((r) => r.level === 2 && r.description.startsWith('samples say')), {
      timeout: 15_000, what: 'the first suspect row',
    });
    assert.equal(firstRow.description, `samples say ${first.agreedAnswer} (${first.agreeing}/${first.samples}) · target ${first.targetAnswer} · line ${first.line}`);

    // Selecting it shows the example panel, with the signals as a list of text.
    await fragileRow(page, firstRow.label).click();
    const frame = await webviewFrame(page, async (f) => (await f.$('.example-header dl.signals')) !== null, 60_000);
    await waitForText(frame, `Example ${first.index + 1}`, 20_000);
    const signalTerms = await frame.$$eval('.example-header dl.signals dt', (dts) => dts.map((dt) => dt.textContent));
    assert.deepEqual(signalTerms, ['confidence', 'variability', 'correctness', 'forgetting events', 'first learned', 'perplexity final / mean', 'learnability']);

    // Flag as Wrong Target… from its context menu: reason wrong-target first, the note names both answers.
    await fragileRow(page, firstRow.label).click({ button: 'right' });
    // The menu ignores a click that comes too soon after it opened: click until it has closed.
    const menuItem = page.locator('.monaco-menu .action-label', { hasText: 'Flag as Wrong Target…' }).first();
    await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
    await waitUntil(async () => {
      if (await menuItem.isVisible()) await menuItem.click({ timeout: 2_000 }).catch(() => {});
      return !(await menuItem.isVisible());
    }, { timeout: 10_000, what: 'the context menu item to run' });
    const quickRows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row >> visible=true');
    await quickRows.first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await quickRows.first().innerText(), /^wrong-target/);
    await page.keyboard.press('Enter');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const note = `${first.agreeing} of ${first.samples} samples at ${first.evidenceCheckpoint} (before memorization at ${first.firstMemorizedCheckpoint}) agree on ${first.agreedAnswer}; the target's answer is ${first.targetAnswer}`;
    await waitUntil(async () => (await input.inputValue()) === note, { timeout: 10_000, what: async () => `the note "${note}" (it is "${await input.inputValue()}")` });
    await page.keyboard.press('Enter');
    const flagsFile = join(workspace, 'data/train.jsonl.premem-flags.jsonl');
    const flag = await waitUntil(async () => {
      const text = await readFile(flagsFile, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.reason === 'wrong-target');
    }, { timeout: 10_000, what: 'the wrong-target flag in the flags file' });
    assert.equal(flag.note, note);
    assert.equal(flag.key, first.key);

    // The hover of the suspect's record (the cursor is on it since it was selected) lists the signals in one line.
    await runCommand(page, 'View: Focus Active Editor Group');
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'PreMem' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const hoverText = (await hover.innerText()).replace(/\u00a0/g, ' ');
    for (const label of SIGNAL_LABELS) assert.ok(hoverText.includes(label), `hover shows "${label}":\n${hoverText}`);
    await page.keyboard.press('Escape');

    // Compare With… an earlier checkpoint of the same run: the groups hold only the fragile examples that
    // premem compare lists as flipped.
    const bSpec = `${expected.run}:checkpoint-1900`;
    const compared = JSON.parse((await promisify(execFile)(process.execPath, [CLI, 'compare', '--config', join(workspace, 'premem.json'), '--a', expected.run, '--b', bSpec, '--json'], { maxBuffer: 16 * 1024 * 1024 })).stdout);
    const differing = compared.flipped.filter((e) => e.bucketA === 'fragile').length;
    assert.ok(differing > 0, 'some fragile examples differ from the earlier checkpoint');
    await runEllipsisCommand(page, 'PreMem: Compare With…');
    await page.locator('.quick-input-widget .quick-input-box input').fill('checkpoint-1900');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: expected.run }).first().click();
    await waitForText(page, `differs from ${bSpec}`, 20_000);
    const groupTotal = async () => (await fragileRows(page))
      .filter((r) => r.level === 1 && !r.label.startsWith('Suspected'))
      .reduce((sum, r) => sum + Number(/\(([\d,]+)\)$/.exec(r.label)?.[1].replace(/,/g, '') ?? 0), 0);
    await waitUntil(async () => (await groupTotal()) === differing, { timeout: 15_000, what: async () => `${differing} differing fragile examples in the groups (they hold ${await groupTotal()})` });

    // The dataset table follows B: "Differs from B" keeps the records premem compare lists as flipped, any bucket.
    await runCommand(page, 'PreMem: Open Dataset in Table View');
    const table = await webviewFrame(page, '.table-app', 60_000);
    const differsBox = table.locator('vscode-checkbox', { hasText: `Differs from ${bSpec}` });
    await differsBox.waitFor({ timeout: 30_000 });
    await differsBox.click();
    await waitForText(table, `${compared.flipped.length} of 300 records`, 20_000);
  });
});
