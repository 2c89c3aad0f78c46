// PreMem in real VS Code (code-server + Chromium), on a copy of the demo workspace: what a person sees.
// Expected numbers come from the CLI (`premem analyze --per-example`) on the same files, so the marks, the
// status bar and the views are checked against an independent path through the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { answerFileDialog, DEMO_DIR, demoWorkspace, pickQuickItem, readStatusBar, REPO_ROOT, runCommand, startOpenDatasetWithRuns, tempDir, waitForNotification, waitForStatusItem, waitForText, waitUntil, withVSCode } from './harness.mjs';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const DEFAULT_RUN = 'gsm8k_orig_3epochs_full_lr2e-05_bs128';
const T = 0.75;
const AT_RISK_MARGIN = 0.15;
const SETTINGS = { 'editor.wordWrap': 'off', 'workbench.colorTheme': 'Default Dark Modern', 'editor.hover.delay': 200, 'editor.minimap.enabled': false };
const STATUS_ID = 'premem.premem.premem.run';
const TRAJECTORY_LABELS = ['Never learned', 'Memorized directly', 'Generalized, then memorized', 'Generalized'];


/** The CLI's analysis of a workspace: summary means and per-example values by run and checkpoint. */
async function expectedAnalysis(workspace) {
  const perExample = join(await tempDir('expected'), 'per-example.jsonl');
  const { stdout } = await promisify(execFile)(process.execPath, [
    CLI, 'analyze', '--runs', join(workspace, 'runs'), '--dataset', join(workspace, 'data/gsm8k-train.jsonl'),
    '--calibrate', '--t', String(T), '--json', '--per-example', perExample,
  ], { maxBuffer: 64 * 1024 * 1024 });
  const summary = JSON.parse(stdout);
  const rows = new Map();
  for (const line of (await readFile(perExample, 'utf8')).split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    const key = `${r.run}\u0000${r.checkpoint}`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key).set(r.index, r);
  }
  return {
    summary,
    /** Per-example row of a run at a checkpoint (undefined for examples outside a subset run). */
    at: (run, checkpoint, index) => rows.get(`${run}\u0000${checkpoint}`)?.get(index),
    checkpoints: (run) => summary.runs.find((r) => r.id === run).checkpoints,
  };
}

const bucketOf = (preMem) => (preMem === null || preMem === undefined ? 'not-scored'
  : preMem <= T ? 'fragile' : preMem <= T + AT_RISK_MARGIN ? 'at-risk' : 'robust');

/** The paper's trajectory classes from the per-checkpoint categories (see src/core/metrics/dynamics.ts). */
function trajectoryOf(categories) {
  const first = categories.indexOf('memorized');
  if (first >= 0) return categories.slice(0, first).includes('correct') ? 'Generalized, then memorized' : 'Memorized directly';
  return categories.includes('correct') ? 'Generalized' : 'Never learned';
}

/** Gutter marks and end-of-line annotations the dataset editor shows now, by 1-based line. */
async function visibleMarks(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return [];
    const lineAtTop = new Map();
    for (const el of editor.querySelectorAll('.margin-view-overlays .line-numbers')) lineAtTop.set(el.parentElement.style.top, Number(el.textContent));
    const marks = new Map();
    for (const el of editor.querySelectorAll('.glyph-margin-widgets .cgmr')) {
      const m = /icons%2F([a-z-]+?)(-flagged)?-(light|dark)\.svg/.exec(getComputedStyle(el).backgroundImage);
      const line = lineAtTop.get(el.style.top);
      if (m && line) marks.set(line, { line, bucket: m[1], flagged: Boolean(m[2]), annotation: null });
    }
    for (const span of editor.querySelectorAll('.view-lines .view-line span span')) {
      const content = getComputedStyle(span, '::after').content;
      if (!content || content === 'none' || !/premem|flagged|subset/.test(content)) continue;
      const line = lineAtTop.get(span.closest('.view-line').style.top);
      const entry = marks.get(line) ?? { line, bucket: null, flagged: false };
      entry.annotation = JSON.parse(content);
      marks.set(line, entry);
    }
    return [...marks.values()].sort((a, b) => a.line - b.line);
  });
}

async function waitForMarks(page, timeout = 90_000) {
  await page.waitForFunction(() => document.querySelectorAll('.editor-instance .glyph-margin-widgets .cgmr').length > 5, undefined, { timeout, polling: 100 });
}

const waitForStatus = (page, pattern, timeout) => waitForStatusItem(page, STATUS_ID, pattern, timeout);

async function cursorLine(page) {
  const text = (await readStatusBar(page)).find((item) => item.id === 'status.editor.selection')?.text ?? '';
  return Number(/Ln (\d+)/.exec(text)?.[1]);
}

async function waitForCursorLine(page, line, timeout = 10_000) {
  await waitUntil(async () => (await cursorLine(page)) === line, { timeout, what: async () => `cursor on line ${line} (it is on ${await cursorLine(page)})` });
}

/** Waits until the dataset editor shows end-of-line annotations. */
async function waitForAnnotations(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-lines span span')]
    .some((s) => /premem \d/.test(getComputedStyle(s, '::after').content)), undefined, { timeout: 10_000 });
}

/** Waits until the dataset editor's long lines are wrapped (or no longer are): wrapped parts have no line number. */
async function waitForWrap(page, wrapped) {
  await page.waitForFunction((on) => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    const viewLines = editor?.querySelectorAll('.view-lines .view-line').length ?? 0;
    const numbered = editor?.querySelectorAll('.margin-view-overlays .line-numbers').length ?? 0;
    return viewLines > 0 && (viewLines > numbered) === on;
  }, wrapped, { timeout: 10_000 });
}

/** Rows of one view in the PreMem side bar: { label, description, level, expanded }. */
async function viewRows(page, title) {
  return page.evaluate((wanted) => {
    const pane = [...document.querySelectorAll('.pane')].find((p) => p.querySelector('.pane-header')?.textContent?.includes(wanted));
    if (!pane) return [];
    return [...pane.querySelectorAll('.monaco-list-row')].map((row) => ({
      label: row.querySelector('.label-name')?.textContent ?? '',
      description: row.querySelector('.label-description')?.textContent ?? '',
      level: Number(row.getAttribute('aria-level')),
      expanded: row.getAttribute('aria-expanded') === 'true',
      top: parseFloat(row.style.top),
    })).sort((a, b) => a.top - b.top);
  }, title);
}

async function showPreMemSideBar(page) {
  await page.locator('.activitybar .action-item a[aria-label^="PreMem"]').first().click({ force: true }); // the badge covers it
  await page.locator('.pane-header', { hasText: 'Fragile Examples' }).first().waitFor({ timeout: 15_000 });
}

/** Drags the side bar's edge, as a person would, so view rows show their descriptions. */
async function widenSideBar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  const x = box.x + box.width - 1;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + width - box.width, y, { steps: 8 });
  await page.mouse.up();
}

function viewRow(page, title, label) {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) })
    .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
}


/** runCommand for titles ending in "…", which the palette does not match when typed. */
async function runEllipsisCommand(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget .quick-input-box input').fill(`>${title.replace(/…$/, '')}`);
  await page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: title }) }).first().click();
}

/** The PreMem output channel's log file (exthost logs of the session's user data folder). */
async function preMemLog(userDataDir) {
  const found = [];
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (/PreMem\.log$/.test(entry.name)) found.push(p);
    }
  };
  await walk(join(userDataDir, 'logs'));
  return found.length ? readFile(found[0], 'utf8') : '';
}

test('demo: marks match the analysis, hover, status bar, annotations toggle, next/previous fragile, run selection', { timeout: 300_000 }, async () => {
  const workspace = await demoWorkspace('demo-marks');
  const expected = await expectedAnalysis(workspace);
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-marks', settings: SETTINGS }, async (session) => {
    const { page } = session;
    // The workspace has premem.json: the extension opens it, and the dataset, by itself.
    await waitForMarks(page);
    const last = expected.checkpoints(DEFAULT_RUN).at(-1);
    const status = await waitForStatus(page, /PreMem: .* mean/);
    assert.equal(status, `PreMem: 3epochs_full_lr2e-05 · ckpt 3/3 · mean ${last.preMemAccuracy.toFixed(2)} · pred. test ${Math.round(last.preMemAccuracy * 100)}%`);

    // Every visible record has the mark of its bucket, and its annotation says its numbers.
    const checkMarks = async (run, checkpoint, checkpointIds) => {
      const marks = await visibleMarks(page);
      assert.ok(marks.length >= 20, `only ${marks.length} records marked`);
      for (const mark of marks) {
        const row = expected.at(run, checkpoint, mark.line - 1);
        assert.equal(mark.bucket, bucketOf(row?.preMemAccuracy), `line ${mark.line}`);
        if (mark.annotation === null) continue;
        const categories = checkpointIds.map((c) => expected.at(run, c, mark.line - 1)?.category);
        const first = categories.indexOf('memorized');
        const selected = checkpointIds.indexOf(checkpoint);
        const memorized = first >= 0 && first <= selected ? `memorized at ${checkpointIds[first]}` : 'not memorized';
        assert.equal(mark.annotation, `premem ${row.preMemAccuracy.toFixed(2)} · acc ${row.accuracy.toFixed(2)} · ${memorized}`, `line ${mark.line}`);
      }
      return marks;
    };
    const ids = expected.checkpoints(DEFAULT_RUN).map((c) => c.id);
    const marks = await checkMarks(DEFAULT_RUN, last.id, ids);
    assert.ok(new Set(marks.map((m) => m.bucket)).size >= 3, 'fragile, at-risk and robust records are all on screen');
    assert.ok(marks.every((m) => m.annotation !== null), 'annotations are on by default');

    // Hover over the first record: the trajectory table, its class and the command links.
    await page.keyboard.press('Control+Home');
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'PreMem' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const hoverText = (await hover.innerText()).replace(/\u00a0/g, ' ');
    for (const id of ids) assert.ok(hoverText.includes(id), `hover lists ${id}`);
    for (const word of ['accuracy', 'perplexity', 'masked acc.', 'PreMemAcc', 'category', 'Show samples diff', 'Flag for re-collection']) {
      assert.ok(hoverText.includes(word), `hover shows "${word}":\n${hoverText}`);
    }
    const row0 = expected.at(DEFAULT_RUN, last.id, 0);
    assert.ok(hoverText.includes(row0.perplexity.toFixed(4)), `hover shows the perplexity ${row0.perplexity.toFixed(4)}`);
    // The screenshot once the hover has faded in.
    await hover.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    await session.screenshot('premem-hover');
    await page.keyboard.press('Escape');

    // Next / previous fragile example, wrapping at the ends.
    const fragileLines = [];
    for (let i = 0; i < 7473; i++) if (bucketOf(expected.at(DEFAULT_RUN, last.id, i)?.preMemAccuracy) === 'fragile') fragileLines.push(i + 1);
    await page.keyboard.press('Control+Home');
    await runCommand(page, 'PreMem: Next Fragile Example');
    await waitForCursorLine(page, fragileLines.find((l) => l > 1));
    await runCommand(page, 'PreMem: Next Fragile Example');
    await waitForCursorLine(page, fragileLines.filter((l) => l > 1)[1]);
    await page.keyboard.press('Control+Home');
    await runCommand(page, 'PreMem: Previous Fragile Example');
    await waitForCursorLine(page, fragileLines.at(-1));
    await page.keyboard.press('Control+Home');

    // Annotations off and on again through the palette.
    await runCommand(page, 'PreMem: Toggle End-of-Line Annotations');
    await page.waitForFunction(() => ![...document.querySelectorAll('.editor-instance .view-lines span span')]
      .some((s) => /premem \d/.test(getComputedStyle(s, '::after').content)), undefined, { timeout: 10_000 });
    assert.ok((await visibleMarks(page)).every((m) => m.annotation === null && m.bucket), 'gutter marks stay');
    await runCommand(page, 'PreMem: Toggle End-of-Line Annotations');
    await waitForAnnotations(page);
    // Wrapped, every record shows its annotation on screen: the picture for the README.
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await runCommand(page, 'View: Toggle Word Wrap');
    await waitForWrap(page, true);
    await waitForAnnotations(page);
    await session.screenshot('premem-marked-dataset');
    await runCommand(page, 'View: Toggle Word Wrap');
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await waitForWrap(page, false);
    await page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: 10_000 });

    // Another run and checkpoint from the status bar: the marks and the status follow.
    await page.locator(`[id="${STATUS_ID}"]`).click();
    await pickQuickItem(page, '6epochs_full_lr2e-05');
    await pickQuickItem(page, 'checkpoint-58');
    const other = 'gsm8k_orig_6epochs_full_lr2e-05_bs128';
    const first = expected.checkpoints(other)[0];
    await waitForStatus(page, new RegExp(`6epochs_full_lr2e-05 · ckpt 1/6 · mean ${first.preMemAccuracy.toFixed(2)}`));
    // The marks follow the status bar; until they do, checkMarks fails and is tried again.
    await waitUntil(() => checkMarks(other, 'checkpoint-58', expected.checkpoints(other).map((c) => c.id)), { timeout: 10_000 });

    // p by hand (validated), then calibrated again: the status bar follows the CLI's numbers at each p.
    const atP = JSON.parse((await promisify(execFile)(process.execPath, [CLI, 'analyze', '--runs', join(workspace, 'runs'),
      '--dataset', join(workspace, 'data/gsm8k-train.jsonl'), '--p', '1.3', '--json'], { maxBuffer: 64 * 1024 * 1024 })).stdout);
    const meanAtP = atP.runs.find((r) => r.id === other).checkpoints[0].preMemAccuracy;
    await runEllipsisCommand(page, 'PreMem: Set Memorization Threshold p…');
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.fill('0.9');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'must be above 1' }).waitFor({ timeout: 5_000 });
    await box.fill('1.3');
    await page.keyboard.press('Enter');
    await waitForStatus(page, new RegExp(`ckpt 1/6 · mean ${meanAtP.toFixed(2)} `));
    await runCommand(page, 'PreMem: Calibrate p from Test Accuracy');
    await waitForNotification(page, `calibrated p = ${expected.summary.p.toFixed(4)}`);
    await waitForStatus(page, new RegExp(`ckpt 1/6 · mean ${first.preMemAccuracy.toFixed(2)} `));

    const log = await preMemLog(session.userDataDir);
    assert.match(log, /activated in [\d.]+ ms/);
    const checkpoints = expected.summary.runs.reduce((n, r) => n + r.checkpoints.length, 0);
    assert.match(log, new RegExp(`opened .*gsm8k-train\\.jsonl: 7,473 examples, ${expected.summary.runs.length} runs, ${checkpoints} checkpoints in \\d+ ms`));
    assert.match(log, /marks visible \d+ ms after opening began/);
    console.log(log.split('\n').filter((l) => /activated in|opened |marks visible/.test(l)).join('\n'));
  });
});

test('demo: Fragile Examples grouped by trajectory with real counts; Runs view; selecting reveals the line; appended records appear', { timeout: 300_000 }, async () => {
  const workspace = await demoWorkspace('demo-views');
  const expected = await expectedAnalysis(workspace);
  const ids = expected.checkpoints(DEFAULT_RUN).map((c) => c.id);
  const lastId = ids.at(-1);
  const counts = new Map(TRAJECTORY_LABELS.map((l) => [l, 0]));
  const firstOf = new Map();
  for (let i = 0; i < 7473; i++) {
    const row = expected.at(DEFAULT_RUN, lastId, i);
    if (bucketOf(row.preMemAccuracy) !== 'fragile') continue;
    const label = trajectoryOf(ids.map((c) => expected.at(DEFAULT_RUN, c, i).category));
    counts.set(label, counts.get(label) + 1);
    const best = firstOf.get(label);
    if (!best || row.preMemAccuracy < best.preMemAccuracy) firstOf.set(label, { index: i, preMemAccuracy: row.preMemAccuracy });
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  assert.ok(total > 1000, `fragile examples expected: ${total}`);

  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-views', settings: SETTINGS }, async (session) => {
    const { page } = session;
    await waitForMarks(page);
    await showPreMemSideBar(page);
    await widenSideBar(page, 560);
    await page.waitForFunction(() => document.body.innerText.includes('Memorized directly ('), undefined, { timeout: 30_000 });
    const groups = (await viewRows(page, 'Fragile Examples')).filter((r) => r.level === 1);
    const shown = new Map(groups.map((g) => [g.label.replace(/ \([\d,]+\)$/, ''), Number(/\(([\d,]+)\)$/.exec(g.label)[1].replace(/,/g, ''))]));
    for (const [label, n] of counts) if (n > 0) assert.equal(shown.get(label), n, `${label}: view ${shown.get(label)}, analysis ${n}`);
    assert.equal([...shown.values()].reduce((a, b) => a + b, 0), total);
    const badge = await page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="PreMem"]') }).locator('.badge-content').innerText();
    assert.equal(badge.replace(/,/g, ''), total >= 1000 ? `${Math.floor(total / 1000)}K+` : String(total), 'activity bar badge');

    // Open the largest group: the first page of rows, lowest PreMemAcc first, with query and line.
    const largest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    await viewRow(page, 'Fragile Examples', `${largest} (`).click();
    await page.waitForFunction((g) => [...document.querySelectorAll('.pane .monaco-list-row[aria-level="2"]')].length > 5, largest, { timeout: 15_000 });
    const children = (await viewRows(page, 'Fragile Examples')).filter((r) => r.level === 2);
    const lowest = firstOf.get(largest);
    const dataset = (await readFile(join(workspace, 'data/gsm8k-train.jsonl'), 'utf8')).split('\n');
    const head = children[0];
    assert.match(head.description, /^\d\.\d\d · line \d+$/);
    assert.equal(head.description.split(' · ')[0], lowest.preMemAccuracy.toFixed(2));
    const line = Number(/line (\d+)/.exec(head.description)[1]);
    const question = JSON.parse(dataset[line - 1]).question.replace(/\s+/g, ' ').trim();
    assert.ok(question.startsWith(head.label.replace(/…$/, '')), `label "${head.label}" is the query of line ${line}`);
    await session.screenshot('premem-fragile-view');

    // Paged: the first 200 rows of the group, then "Show more…", which adds the next page.
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Fragile Examples' }) });
    await pane.locator('.monaco-list-row[aria-level="2"]').first().click();
    await page.keyboard.press('End');
    const more = pane.locator('.monaco-list-row .label-name', { hasText: /^Show more… \([\d,]+ more\)$/ });
    await more.first().waitFor({ timeout: 10_000 });
    const largestCount = counts.get(largest);
    assert.equal(await more.first().innerText(), `Show more… (${(largestCount - 200).toLocaleString('en-US')} more)`);
    await more.first().click();
    // The clicked row is gone; focus a row again before going to the end.
    await pane.locator('.monaco-list-row[aria-level="2"]').first().click();
    await page.keyboard.press('End');
    await pane.locator('.monaco-list-row .label-name', { hasText: `Show more… (${(largestCount - 400).toLocaleString('en-US')} more)` }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Home');

    // Selecting the row reveals its record in the editor.
    await viewRow(page, 'Fragile Examples', head.label).click();
    await waitForCursorLine(page, line);

    // The Runs view: 13 runs; the selected one expanded with its checkpoints' numbers.
    const runs = (await viewRows(page, 'Runs and Checkpoints'));
    const runRows = runs.filter((r) => r.level === 1);
    assert.equal(runRows.length, expected.summary.runs.length);
    assert.ok(runRows.some((r) => r.label === '3epochs_full_lr2e-05'), 'the selected run is listed by its short name');
    const checkpointRows = runs.filter((r) => r.level === 2);
    const c = expected.checkpoints(DEFAULT_RUN).at(-1);
    const row = checkpointRows.find((r) => r.label === c.id);
    assert.ok(row, `checkpoint ${c.id} shown: ${JSON.stringify(runs)}`);
    assert.equal(row.description, `train ${c.trainAccuracy.toFixed(2)} · PreMem ${c.preMemAccuracy.toFixed(2)} · test ${c.testAccuracy.toFixed(2)}`);

    // A scoring job appends a new run to the log: it appears without reopening anything.
    const log = join(workspace, 'runs/paper-gsm8k.premem.jsonl');
    const accuracy = Array.from({ length: 7473 }, (_, i) => (i % 2 ? 1 : 0));
    await appendFile(log, JSON.stringify({ v: 1, type: 'checkpoint', run: 'live-run', checkpoint: 'checkpoint-1', step: 1, testAccuracy: 0.5 }) + '\n' +
      JSON.stringify({ v: 1, type: 'scores', run: 'live-run', checkpoint: 'checkpoint-1', step: 1, sampleCount: 4, accuracy }) + '\n');
    await page.waitForFunction(() => document.body.innerText.includes('live-run'), undefined, { timeout: 15_000 });

    // Flag the first record for re-collection: its mark and annotation say so; "Flagged only" lists it.
    await page.locator('.editor-instance .view-line').first().click({ position: { x: 10, y: 5 } });
    await page.keyboard.press('Control+Home');
    await runEllipsisCommand(page, 'PreMem: Flag Example for Re-collection…');
    await pickQuickItem(page, 'wrong-target');
    await page.locator('.quick-input-widget .quick-input-box input').fill('e2e: the answer is fine, the trace is not');
    await page.keyboard.press('Enter');
    const flaggedMark = async () => (await visibleMarks(page)).find((m) => m.line === 1);
    const mark = await waitUntil(async () => {
      const m = await flaggedMark();
      return m?.flagged && m;
    }, { timeout: 10_000, what: async () => `the flag on line 1 (${JSON.stringify(await flaggedMark())})` });
    assert.match(mark.annotation, /^⚑ flagged · premem /);
    assert.equal(mark.bucket, bucketOf(expected.at(DEFAULT_RUN, lastId, 0).preMemAccuracy));
    await runEllipsisCommand(page, 'PreMem: Filter Fragile Examples…');
    await pickQuickItem(page, 'Flagged only');
    await page.waitForFunction(() => document.body.innerText.includes('Flagged examples (1)'), undefined, { timeout: 10_000 });

    // premem.json edited (a stricter t): the session re-reads it and the views follow.
    const configFile = join(workspace, 'premem.json');
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    await writeFile(configFile, JSON.stringify({ ...config, t: 0.5 }, null, 2));
    await runEllipsisCommand(page, 'PreMem: Filter Fragile Examples…');
    await pickQuickItem(page, 'Fragile examples');
    await page.waitForFunction(() => document.body.innerText.includes('t ≤ 0.5'), undefined, { timeout: 20_000 });
  });
});

test('an edited dataset: marks stay on their records by content, and follow them after saving', { timeout: 240_000 }, async () => {
  const workspace = await demoWorkspace('demo-edit');
  const expected = await expectedAnalysis(workspace);
  const lastId = expected.checkpoints(DEFAULT_RUN).at(-1).id;
  const bucket = (index) => bucketOf(expected.at(DEFAULT_RUN, lastId, index).preMemAccuracy);
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-edit', settings: SETTINGS }, async (session) => {
    const { page } = session;
    await waitForMarks(page);
    await page.locator('.editor-instance .view-line').first().click({ position: { x: 10, y: 5 } }); // not the middle: lines are wider than the screen
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const shifted = async () => {
      const marks = await visibleMarks(page);
      return marks.length > 10 && !marks.some((m) => m.line <= 2) && marks.every((m) => m.bucket === bucket(m.line - 3));
    };
    const marksFollowed = async () => `marks on the shifted records (${JSON.stringify((await visibleMarks(page)).slice(0, 6))})`;
    await waitUntil(shifted, { timeout: 10_000, what: marksFollowed });
    await page.keyboard.press('Control+S');
    // Saving re-indexes the dataset (and re-reads the runs) in the background.
    await waitUntil(async () => ((await preMemLog(session.userDataDir)).match(/opened .*gsm8k-train\.jsonl/g) ?? []).length >= 2, {
      timeout: 30_000,
      what: async () => `the dataset re-indexed after saving:\n${await preMemLog(session.userDataDir)}`,
    });
    // After re-indexing the marks are where the records are (redrawn once the new index is in).
    await waitUntil(shifted, { timeout: 10_000, what: marksFollowed });
  });
});

test('without premem.json: Open Dataset with Runs asks for the files, detects the format, and saves premem.json', { timeout: 240_000 }, async () => {
  const workspace = await tempDir('no-config');
  await cp(join(DEMO_DIR, 'data'), join(workspace, 'data'), { recursive: true });
  await cp(join(DEMO_DIR, 'runs'), join(workspace, 'runs'), { recursive: true });
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-open', settings: { ...SETTINGS, 'files.simpleDialog.enable': true } }, async (session) => {
    const { page } = session;
    // Contributions are in once the PreMem view container shows (the extension itself is not active yet).
    await page.locator('.activitybar .action-item a[aria-label^="PreMem"]').first().waitFor({ timeout: 60_000 });
    await startOpenDatasetWithRuns(page);
    await answerFileDialog(page, 'the training dataset', join(workspace, 'data/gsm8k-train.jsonl'), 'Use as Dataset');
    await answerFileDialog(page, 'the run logs', join(workspace, 'runs'), 'Use as Runs');
    await waitForMarks(page);
    await waitForStatus(page, /PreMem: 3epochs_full_lr2e-05 · ckpt 3\/3/);
    await waitForNotification(page, 'save the dataset and runs as premem.json');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'premem.json' }).getByRole('button', { name: 'Save premem.json' }).click();
    const configFile = join(workspace, 'premem.json');
    await waitUntil(() => existsSync(configFile), { timeout: 10_000, what: 'premem.json' });
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    assert.deepEqual({ dataset: config.dataset, runs: config.runs, p: config.p }, { dataset: 'data/gsm8k-train.jsonl', runs: [{ path: 'runs', format: 'premem' }], p: 'calibrate' });
  });
});

test('bad input: records skipped with file:line in the PreMem log, summarised in one warning', { timeout: 240_000 }, async () => {
  const good = (await readFile(join(DEMO_DIR, 'data/gsm8k-train.jsonl'), 'utf8')).split('\n').slice(0, 50);
  const lines = [...good.slice(0, 10), '{"question": "torn', ...good.slice(10, 20), '[1, 2, 3]', '{"question": "no answer"}', ...good.slice(20)];
  const workspace = await tempDir('bad-input');
  await mkdir(join(workspace, 'data'), { recursive: true });
  await writeFile(join(workspace, 'data/train.jsonl'), lines.join('\n') + '\n');
  await writeFile(join(workspace, 'premem.json'), JSON.stringify({ dataset: 'data/train.jsonl', profile: 'gsm8k', runs: [], p: 1.1055 }));
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-bad-input', settings: SETTINGS }, async (session) => {
    const { page } = session;
    const message = await waitForNotification(page, 'bad records skipped', 90_000);
    assert.match(message, /^PreMem: 3 bad records skipped\. data\/train\.jsonl:11: /);
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'bad records skipped' }).getByRole('button', { name: 'Show Log' }).click();
    const log = await preMemLog(session.userDataDir);
    for (const line of [11, 22, 23]) assert.match(log, new RegExp(`\\[error\\] .*train\\.jsonl:${line}`), `line ${line} is in the log`);
    await waitForText(page, 'train.jsonl:22');
  });
});

test('a 60 MB dataset opens in the table editor', { timeout: 300_000 }, async () => {
  const workspace = await tempDir('large');
  await mkdir(join(workspace, 'data'), { recursive: true });
  const big = join(workspace, 'data/big.jsonl');
  const lines = (await readFile(join(DEMO_DIR, 'data/gsm8k-train.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const fh = await open(big, 'w');
  let size = 0;
  for (let copy = 0; size < 60 * 1024 * 1024; copy++) {
    const chunk = lines.map((l) => { const r = JSON.parse(l); r.question = `[${copy}] ${r.question}`; return JSON.stringify(r); }).join('\n') + '\n';
    await fh.write(chunk);
    size += Buffer.byteLength(chunk);
  }
  await fh.close();
  assert.ok((await stat(big)).size > 60 * 1024 * 1024);
  await writeFile(join(workspace, 'premem.json'), JSON.stringify({ dataset: 'data/big.jsonl', profile: 'gsm8k', runs: [], p: 1.1055 }));
  const tableRows = (frame) => frame.$$eval('.rows .row:not([hidden])', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  const tableShowing = async (page) => {
    for (const frame of page.frames()) {
      const rows = await tableRows(frame).catch(() => []);
      if (rows.some((cells) => cells[0] === '1' && cells[2]?.startsWith('[0] Natalia'))) return rows;
    }
    return undefined;
  };
  const waitForTable = (page, timeout) => waitUntil(() => tableShowing(page), { timeout, what: 'the table editor with the dataset\'s rows' });
  await withVSCode({ workspace, extensionDir: REPO_ROOT, label: 'premem-large', settings: SETTINGS }, async (session) => {
    const { page } = session;
    // premem.json names a file over the sync limit: the session opens it in the table, never as text.
    const rows = await waitForTable(page, 120_000);
    assert.ok(rows.length > 5);
    assert.equal(rows[1][0], '2');
    assert.ok(rows[1][2].startsWith('[0] Weng earns'));
    // The table opened while the session indexed the file: it waited for the session's index, never built its own.
    const log = await preMemLog(session.userDataDir);
    assert.doesNotMatch(log, /table: indexing .*big\.jsonl on its own/);
    assert.match(log, /table: .*big\.jsonl indexed in \d+ ms, [\d,]+ records \(the session's dataset\)/);
    await session.screenshot('premem-large-table');
    // Opened from quick open (as text), it is sent to the table as well.
    await runCommand(page, 'View: Close All Editors');
    await page.waitForFunction(() => document.querySelectorAll('.tabs-container .tab').length === 0, undefined, { timeout: 10_000 });
    assert.equal(await tableShowing(page), undefined);
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('data/big.jsonl');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'big.jsonl' }).first().click();
    await waitForTable(page, 60_000);
  });
});
