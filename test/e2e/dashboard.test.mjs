// The dashboard in real VS Code on a copy of the demo workspace (GSM8K with the paper's 13 runs): opened from the
// palette, it must show R²(y = x) >= 0.93 at the calibrated p (the paper's claim on these runs); the p slider
// must move every panel and the status bar; the heatmap is drawn, answers hover and opens examples; the panel
// comes back with its state after being hidden; Export Report writes the HTML report; the data map and the
// signal overlaps (with their x slider) are drawn from the host's data, a data map cell lists its examples (by
// keyboard and by mouse); the run comparison counts, its scatter has one point per example and a click on one
// opens that example. Screenshots go to test/e2e/screenshots/dashboard*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, SCREENSHOT_DIR, demoWorkspace, readStatusBar, runCommand, waitUntil, webviewFrame, withVSCode } from './harness.mjs';

const SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false };


/** The number after `label` in a text, e.g. "R²(y = x) = 0.935". */
function numberAfter(text, label) {
  const i = text.indexOf(label);
  assert.ok(i >= 0, `"${label}" not in "${text}"`);
  const m = /-?\d+(\.\d+)?/.exec(text.slice(i + label.length));
  assert.ok(m, `no number after "${label}" in "${text}"`);
  return Number(m[0]);
}

const datasetTab = (page) => page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: 'gsm8k-train.jsonl' }) }).first();

const dashboardFrame = (page) => webviewFrame(page, '#prediction-r2', 90_000);

/** Waits until the dashboard shows a model (the prediction heading has a number). */
async function modelShown(frame) {
  await frame.waitForFunction(() => /R²\(y = x\) = -?\d/.test(document.getElementById('prediction-r2')?.textContent ?? ''), undefined, { timeout: 90_000 });
}

/** The text of the PreMem status bar item. */
const premStatus = (items) => items.map((i) => i.text).find((t) => t.includes('PreMem:'));

const text = (frame, selector) => frame.locator(selector).innerText();

/** Sets the p slider to thr and reports when the prediction heading changed, timed in the webview. */
async function moveSlider(frame, thr) {
  return frame.evaluate(async (value) => {
    const heading = document.getElementById('prediction-r2');
    const before = heading.textContent;
    const slider = document.getElementById('p-slider');
    const started = performance.now();
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (heading.textContent !== before) {
          observer.disconnect();
          resolve(performance.now() - started);
        }
      });
      observer.observe(heading, { childList: true, characterData: true, subtree: true });
      setTimeout(() => resolve(-1), 20_000);
    });
    slider.value = String(value);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    return changed;
  }, thr);
}

const DEMO_CHECKPOINTS = 54;

/** A screenshot of one dashboard card, without the sticky header that would cover its top. */
async function cardScreenshot(frame, selector, name) {
  const headerVisibility = (value) => frame.evaluate((v) => (document.querySelector('header.top').style.visibility = v), value);
  await headerVisibility('hidden');
  await frame.locator(selector).screenshot({ path: join(SCREENSHOT_DIR, name) });
  await headerVisibility('');
}

test('dashboard: R²(y = x) >= 0.93 on the 13 GSM8K runs, the p slider moves every panel, heatmap, state after hiding', { timeout: 420_000 }, async () => {
  const workspace = await demoWorkspace('dashboard');
  await withVSCode({ workspace, extensionDir: REPO_ROOT, settings: SETTINGS, label: 'dashboard' }, async ({ page, screenshot }) => {
    // The workspace's premem.json opens the session, then the dataset in the editor.
    await page.waitForFunction(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => /PreMem: .*ckpt/.test(e.innerText)), undefined, { timeout: 120_000 });
    await datasetTab(page).waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'PreMem: Show Dashboard');
    let frame = await dashboardFrame(page);
    await modelShown(frame);

    // Panel 1: the paper's claim on these runs, at the calibrated p.
    const heading = await text(frame, '#prediction-r2');
    const r2 = numberAfter(heading, 'R²(y = x) =');
    assert.ok(r2 >= 0.93, `R²(y = x) ${r2} at the calibrated p (${heading})`);
    const summary = await text(frame, '#prediction-summary');
    assert.match(summary, /51 checkpoints of 13 runs/);
    const looMae = numberAfter(summary, 'mean absolute error');
    assert.ok(looMae > 0 && looMae < 0.05, `leave-one-run-out MAE ${looMae}`);
    const trainHeading = await text(frame, '#prediction-train-r2');
    assert.ok(numberAfter(trainHeading, 'linear fit R²') < 0.6, `train accuracy is a poor predictor: ${trainHeading}`);
    // Panel 2: the p in use is the calibrated one, in the published range.
    const pText = await text(frame, '#p-value');
    const p = numberAfter(pText, 'p =');
    assert.ok(p >= 1.09 && p <= 1.12, `calibrated p ${p}`);
    // Panels 3-6 are there.
    await frame.waitForFunction(() => Number(document.getElementById('heatmap-canvas')?.dataset.drawMs ?? NaN) >= 0, undefined, { timeout: 30_000 });
    assert.match(await text(frame, '#fragile-count'), /\d[\d,]* of [\d,]+ examples \([\d.]+%\) have PreMemAcc at or under t = 0\.75/);
    assert.match(await text(frame, '#robustness-summary'), /No perturbation results/);
    assert.match(await text(frame, '#best-checkpoint'), /^Best predicted test accuracy: gsm8k_orig_/);
    // Advice lists every checkpoint: the 13 paper runs' 51 and the reference n-gram run's 3.
    assert.equal(await frame.locator('#advice-table tbody tr').count(), DEMO_CHECKPOINTS);
    await screenshot('dashboard');
    await frame.locator('#progressions').screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-progressions.png') });

    // Panel 2's slider: a larger p memorizes more, the fit gets worse, every panel and the status bar follow.
    const fragileBefore = await text(frame, '#fragile-count');
    const statusBefore = premStatus(await readStatusBar(page));
    assert.ok(statusBefore, 'the PreMem status bar item is shown');
    const thr = numberAfter(pText, 'log log p =');
    const elapsed = [];
    for (const step of [0.05, 0.1, 0.2, 0.4]) elapsed.push(await moveSlider(frame, thr + step));
    assert.ok(elapsed.every((ms) => ms >= 0), `the R² heading did not change after a slider move (${elapsed})`);
    const moved = numberAfter(await text(frame, '#prediction-r2'), 'R²(y = x) =');
    assert.ok(moved < r2 - 0.01, `R² should drop when p moves away from the calibrated value: ${r2} -> ${moved}`);
    assert.ok(numberAfter(await text(frame, '#p-value'), 'p =') > p);
    assert.notEqual(await text(frame, '#fragile-count'), fragileBefore);
    // The status bar's PreMem item (mean PreMemAcc and predicted test accuracy of the selected checkpoint) follows
    // the same session change that re-marks the editor.
    await page.waitForFunction((before) => {
      const item = [...document.querySelectorAll('.part.statusbar .statusbar-item')].map((e) => e.innerText).find((t) => t.includes('PreMem:'));
      return item !== undefined && item !== before;
    }, statusBefore, { timeout: 15_000 });
    const timing = await text(frame, '#p-timing');
    console.log(`# slider round trips (input -> R² redrawn): ${elapsed.map((ms) => ms.toFixed(0)).join(', ')} ms; ${timing}`);
    console.log(`# heatmap draw in Chromium: ${await frame.locator('#heatmap-canvas').getAttribute('data-draw-ms')} ms`);
    assert.ok(Math.min(...elapsed) < 1000, `slider round trip ${Math.min(...elapsed)} ms`);
    await screenshot('dashboard-p-moved');

    // Back to the calibrated p with one button.
    await frame.locator('#use-calibrated').click();
    await frame.waitForFunction((want) => document.getElementById('prediction-r2')?.textContent?.includes(want), heading.split(' (')[0].split('= ')[1], { timeout: 15_000 });

    // Heatmap: sort by trajectory (kept across hiding), hover a row, zoom until rows are single examples.
    await frame.locator('#heatmap-sort').selectOption('trajectory');
    let canvas = frame.locator('#heatmap-canvas');
    await canvas.hover({ position: { x: 40, y: 200 } });
    await frame.locator('#progressions .tooltip').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await frame.locator('#progressions .tooltip').innerText(), /Rows [\d,]+–[\d,]+ \([\d,]+ examples\)|Example [\d,]+/);

    // Hidden and shown again: the webview is rebuilt from the host and its saved state.
    const hidden = frame;
    await datasetTab(page).click();
    await waitUntil(() => hidden.isDetached(), { timeout: 10_000, what: 'a hidden dashboard torn down (no retainContextWhenHidden)' });
    await runCommand(page, 'PreMem: Show Dashboard');
    frame = await dashboardFrame(page);
    await modelShown(frame);
    assert.equal(await frame.locator('#heatmap-sort').inputValue(), 'trajectory');
    canvas = frame.locator('#heatmap-canvas');

    // Zoomed in to one example per pixel row, a click opens that example: the dataset editor's cursor goes to its line.
    for (let k = 0; k < 3; k++) await frame.getByRole('button', { name: 'Zoom in' }).click();
    const shown = /^rows ([\d,]+)–([\d,]+) of 7,473$/.exec(await text(frame, '#heatmap-window'));
    assert.ok(shown, 'the zoomed window is shown');
    assert.equal(Number(shown[2].replace(/,/g, '')) - Number(shown[1].replace(/,/g, '')) + 1, Math.round(7473 / 64));
    await canvas.hover({ position: { x: 40, y: 10 } });
    const tip = await frame.locator('#progressions .tooltip').innerText();
    const index = numberAfter(tip.replace(/,/g, ''), 'Example');
    await canvas.click({ position: { x: 40, y: 10 } });
    await page.waitForFunction((line) => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => e.innerText.includes(`Ln ${line},`)), index + 1, { timeout: 20_000 });

    // Export: the advice table as CSV on the clipboard, the sweep chart as PNG through the save dialog.
    await runCommand(page, 'PreMem: Show Dashboard');
    frame = await dashboardFrame(page);
    await modelShown(frame);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin }).catch(() => {});
    await frame.locator('[data-export="csv-advice"]').click();
    await frame.waitForFunction((rows) => document.getElementById('notice')?.textContent === `Copied ${rows} rows of advice as CSV.`, DEMO_CHECKPOINTS, { timeout: 15_000 });
    const clip = await page.evaluate(() => navigator.clipboard.readText()).catch(() => undefined);
    if (clip !== undefined) assert.match(clip, /^run,checkpoint,step,epoch,train_accuracy,predicted_test_accuracy,test_accuracy/);
    await frame.locator('[data-export="png-sweep"]').click();
    const dialogInput = page.locator('.quick-input-widget .quick-input-box input');
    await dialogInput.waitFor({ state: 'visible', timeout: 15_000 });
    // The simple file dialog fills in the folder first, then the suggested name.
    await page.waitForFunction(() => /premem-sweep\.png$/.test(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? ''), undefined, { timeout: 15_000 });
    await page.keyboard.press('Enter');
    // The notice comes once the file is written (it exists, empty, while it is being written).
    await frame.waitForFunction(() => document.getElementById('notice')?.textContent === 'Saved premem-sweep.png.', undefined, { timeout: 15_000 });
    const bytes = await readFile(join(workspace, 'premem-sweep.png'));
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.ok(bytes.length > 5000, `PNG of ${bytes.length} bytes`);

    // Save p: premem.json gets the number and keeps every other field.
    const before = JSON.parse(await readFile(join(workspace, 'premem.json'), 'utf8'));
    const pNow = numberAfter(await text(frame, '#p-value'), 'p =');
    await frame.locator('#save-p').click();
    await frame.waitForFunction(() => /^Saved p = [\d.]+ to premem\.json\.$/.test(document.getElementById('notice')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const after = JSON.parse(await readFile(join(workspace, 'premem.json'), 'utf8'));
    assert.ok(Math.abs(after.p - pNow) < 1e-4, `saved p ${after.p}, shown ${pNow}`);
    assert.deepEqual({ ...after, p: before.p }, before);
    assert.deepEqual(Object.keys(after), Object.keys(before));

    // Export Report: the save dialog suggests a name after the dataset, run and checkpoint; the HTML is written
    // with the core report code, under a strict CSP, and names the dataset.
    await frame.locator('#export-report').click();
    await dialogInput.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForFunction(() => /premem-report-gsm8k-train-[\w.-]+\.html$/.test(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? ''), undefined, { timeout: 15_000 });
    const reportName = (await dialogInput.inputValue()).split('/').pop();
    await page.keyboard.press('Enter');
    await frame.waitForFunction((name) => document.getElementById('notice')?.textContent === `Saved ${name}.`, reportName, { timeout: 60_000 });
    const report = await readFile(join(workspace, reportName), 'utf8');
    assert.match(report, /^<!DOCTYPE html>/);
    assert.ok(report.includes('gsm8k-train.jsonl'), 'the report names the dataset');
    assert.match(report, /Content-Security-Policy" content="default-src 'none'/);

    // Data map: the host's grid drawn on the canvas; the legend's counts per bucket add up to the examples placed.
    await frame.waitForFunction(() => Number(document.getElementById('data-map-canvas')?.dataset.drawMs ?? NaN) >= 0, undefined, { timeout: 30_000 });
    const placed = Number(/^([\d,]+) examples of run /.exec(await text(frame, '#data-map-summary'))[1].replace(/,/g, ''));
    const legendCounts = (await frame.locator('#data-map-legend .legend-item').allInnerTexts()).map((t) => Number(/\(([\d,]+)\)/.exec(t)[1].replace(/,/g, '')));
    assert.equal(legendCounts.length, 3);
    assert.equal(legendCounts.reduce((a, b) => a + b, 0), placed, 'every example placed is in one bucket');
    assert.ok(placed > 1000, `${placed} examples on the data map`);
    if (await frame.locator('#data-map-q option[value="perplexity"]').isDisabled()) {
      assert.match(await text(frame, '#data-map-summary'), /no target perplexity/);
    } else {
      await frame.locator('#data-map-q').selectOption('perplexity');
      await frame.waitForFunction(() => document.getElementById('data-map-canvas')?.getAttribute('aria-label')?.includes('q = 1 / target perplexity;'), undefined, { timeout: 10_000 });
    }

    // Signal overlaps: one row per signal; the x slider resizes every set to round(x × examples ranked).
    await frame.waitForFunction(() => document.querySelectorAll('#overlaps-table tbody tr').length === 10, undefined, { timeout: 15_000 });
    await frame.evaluate(() => {
      const slider = document.getElementById('overlap-share');
      slider.value = '40';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await frame.waitForFunction(() => document.getElementById('overlaps-summary')?.textContent?.includes('(40%)'), undefined, { timeout: 15_000 });
    const overlapRows = await frame.locator('#overlaps-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    for (const [label, jac, examples, size] of overlapRows) {
      const n = Number(examples.replace(/,/g, ''));
      assert.equal(Number(size.replace(/,/g, '')), Math.round(0.4 * n), `${label}: set size at x = 40%`);
      if (n > 0) assert.ok(Number(jac) >= 0 && Number(jac) <= 1, `${label}: Jaccard ${jac}`);
    }

    // Data map, by keyboard: an arrow key chooses the fullest cell, Enter lists its examples (as many as it counts).
    await frame.locator('#data-map-canvas').focus();
    await frame.locator('#data-map-canvas').press('ArrowUp');
    await frame.locator('#data-map-canvas').press('Enter');
    await frame.waitForFunction(() => /^Cell of variability [\d.]+–[\d.]+, confidence [\d.]+–[\d.]+ \(q = [^)]+\): [\d,]+ examples/.test(document.getElementById('data-map-cell')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const inMapCell = Number(/: ([\d,]+) examples/.exec(await text(frame, '#data-map-cell'))[1].replace(/,/g, ''));
    assert.ok(inMapCell > 0, 'the fullest cell has examples');
    assert.equal(await frame.locator('#data-map-cell button').count(), Math.min(100, inMapCell));
    await cardScreenshot(frame, '#data-map', 'dashboard-data-map.png');

    // Run comparison: B = another run at its last checkpoint; every example compared is in one bucket transition
    // and is one point of the scatter.
    const runA = await frame.locator('#run-select').inputValue();
    await frame.locator('#compare-run').selectOption(runA === '0' ? '1' : '0');
    await frame.waitForFunction(() => /examples compared/.test(document.getElementById('comparison-summary')?.textContent ?? ''), undefined, { timeout: 30_000 });
    // B's checkpoint list is filled as soon as its run is chosen, its last checkpoint selected.
    const checkpointsOfB = await frame.locator('#compare-checkpoint option').allInnerTexts();
    assert.ok(checkpointsOfB.length > 0, 'the checkpoints of run B are listed');
    assert.equal(await frame.locator('#compare-checkpoint').inputValue(), String(checkpointsOfB.length - 1));
    assert.ok((await text(frame, '#comparison-summary')).includes(`at ${checkpointsOfB.at(-1)} ·`), 'the summary names the checkpoint selected');
    const compared = Number(/([\d,]+) examples compared/.exec(await text(frame, '#comparison-summary'))[1].replace(/,/g, ''));
    const transitionCounts = await frame.locator('#comparison-buckets td').allInnerTexts();
    assert.equal(transitionCounts.length, 9);
    assert.equal(transitionCounts.reduce((s, t) => s + Number(t.replace(/,/g, '')), 0), compared);
    assert.ok(compared > 100, `${compared} examples compared`);
    await frame.waitForFunction((n) => document.getElementById('comparison-canvas')?.dataset.points === String(n), compared, { timeout: 15_000 });

    // The scatter: along the diagonal from the top right (unchanged examples), the first point under the pointer
    // shows its example in the tooltip; a click opens that example in the editor and the example panel.
    const scatter = frame.locator('#comparison-canvas');
    await scatter.scrollIntoViewIfNeeded();
    const box = await scatter.boundingBox();
    let hit;
    for (let k = 0; k < 60 && !hit; k++) {
      const position = { x: box.width - 12 - 4 * k, y: 12 + 4 * k };
      await scatter.hover({ position });
      if (await frame.locator('#comparison-tooltip').isVisible()) hit = position;
    }
    assert.ok(hit, 'a point on the diagonal answers the hover');
    await cardScreenshot(frame, '#comparison', 'dashboard-comparison.png');
    const hovered = Number(/Example #(\d+)/.exec(await text(frame, '#comparison-tooltip'))[1]);

    // The grid as a table (the scatter's text alternative): its counts add up to the examples compared, and the
    // top right cell (robust at A and at B) lists its examples.
    await frame.locator('#comparison-grid summary').click();
    const gridCounts = await frame.locator('#comparison-grid-table tbody td').allInnerTexts();
    assert.equal(gridCounts.length, 100);
    assert.equal(gridCounts.reduce((s, t) => s + (t === '·' ? 0 : Number(t.replace(/,/g, ''))), 0), compared);
    await frame.locator('#comparison-grid-table button[data-cell="9,9"]').click();
    await frame.waitForFunction(() => /at A, 0\.9–1\.0 at B: [\d,]+ examples/.test(document.getElementById('comparison-cell')?.textContent ?? ''), undefined, { timeout: 15_000 });
    assert.ok((await frame.locator('#comparison-cell button').count()) > 0);
    await frame.locator('#comparison-grid summary').click();

    await scatter.hover({ position: hit });
    assert.equal(Number(/Example #(\d+)/.exec(await text(frame, '#comparison-tooltip'))[1]), hovered, 'the same point again');
    await scatter.click({ position: hit });
    await page.waitForFunction((line) => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => e.innerText.includes(`Ln ${line},`)), hovered + 1, { timeout: 20_000 });
    const examplePanel = await webviewFrame(page, async (f) => (await f.$('.example-header h2')) !== null, 60_000);
    await examplePanel.waitForFunction((title) => document.querySelector('.example-header h2')?.textContent === title, `Example ${hovered + 1}`, { timeout: 30_000 });

    // Back on the dashboard: a data map cell clicked with the mouse lists its examples, and one opens.
    await runCommand(page, 'PreMem: Show Dashboard');
    frame = await dashboardFrame(page);
    await modelShown(frame);
    const map = frame.locator('#data-map-canvas');
    await frame.waitForFunction(() => Number(document.getElementById('data-map-canvas')?.dataset.drawMs ?? NaN) >= 0, undefined, { timeout: 30_000 });
    await map.scrollIntoViewIfNeeded();
    const mapBox = await map.boundingBox();
    // The first cell with examples under the pointer (its tooltip counts them), scanning from the top left.
    const plotWidth = mapBox.width - 44 - 12;
    const plotHeight = mapBox.height - 10 - 36;
    const tipCount = async () => Number(/([\d,]+) examples:/.exec(await frame.locator('#data-map .tooltip').innerText())?.[1].replace(/,/g, '') ?? 0);
    let mapHit;
    for (const fy of [0.01, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
      for (const fx of [0.01, 0.05, 0.1, 0.2, 0.3, 0.4]) {
        const position = { x: 44 + fx * plotWidth, y: 10 + fy * plotHeight };
        await map.hover({ position });
        if (await frame.locator('#data-map .tooltip').isVisible() && (await tipCount()) > 0) {
          mapHit = position;
          break;
        }
      }
      if (mapHit) break;
    }
    assert.ok(mapHit, 'a cell of the data map holds examples');
    const inHovered = await tipCount();
    await map.click({ position: mapHit });
    await frame.waitForFunction(() => /: [\d,]+ examples/.test(document.getElementById('data-map-cell')?.textContent ?? ''), undefined, { timeout: 15_000 });
    assert.equal(Number(/: ([\d,]+) examples/.exec(await text(frame, '#data-map-cell'))[1].replace(/,/g, '')), inHovered, 'the list counts what the tooltip counted');
    const listedInMap = await frame.locator('#data-map-cell button').count();
    assert.equal(listedInMap, Math.min(100, inHovered));
    const fromMap = Number(await frame.locator('#data-map-cell button').first().getAttribute('data-index'));
    await frame.locator('#data-map-cell button').first().click();
    await page.waitForFunction((line) => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => e.innerText.includes(`Ln ${line},`)), fromMap + 1, { timeout: 20_000 });
  });
});

test('dashboard with p fixed in premem.json: the panel sweeps p itself, then "Use calibrated p" moves to the best p', { timeout: 300_000 }, async () => {
  const workspace = await demoWorkspace('dashboard-fixed-p');
  const configFile = join(workspace, 'premem.json');
  await writeFile(configFile, JSON.stringify({ ...JSON.parse(await readFile(configFile, 'utf8')), p: 1.2 }, null, 2));
  await withVSCode({ workspace, extensionDir: REPO_ROOT, settings: SETTINGS, label: 'dashboard-fixed-p' }, async ({ page }) => {
    await page.waitForFunction(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].some((e) => /PreMem: .*ckpt/.test(e.innerText)), undefined, { timeout: 120_000 });
    // The dataset opens in the editor (and takes the focus) before the palette is used.
    await datasetTab(page).waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'PreMem: Show Dashboard');
    const frame = await dashboardFrame(page);
    await modelShown(frame);
    assert.equal(numberAfter(await text(frame, '#p-value'), 'p ='), 1.2);
    // The session keeps no calibration with p fixed: the sweep comes later, and with it the leave-one-run-out check.
    await frame.waitForFunction(() => /^Use calibrated p \(1\.1\d+\)$/.test(document.getElementById('use-calibrated')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await frame.waitForFunction(() => document.getElementById('prediction-summary')?.textContent?.includes('mean absolute error'), undefined, { timeout: 15_000 });
    const fixedHeading = await text(frame, '#prediction-r2');
    const fixedR2 = numberAfter(fixedHeading, 'R²(y = x) =');
    await frame.locator('#use-calibrated').click();
    await frame.waitForFunction((before) => document.getElementById('prediction-r2')?.textContent !== before, fixedHeading, { timeout: 15_000 });
    const p = numberAfter(await text(frame, '#p-value'), 'p =');
    assert.ok(p >= 1.09 && p <= 1.12, `calibrated p ${p}`);
    const r2 = numberAfter(await text(frame, '#prediction-r2'), 'R²(y = x) =');
    assert.ok(r2 >= 0.93 && r2 > fixedR2, `R²(y = x) ${fixedR2} at p = 1.2, ${r2} at the calibrated p`);
  });
});
