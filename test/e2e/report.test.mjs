// The HTML report of `premem report` in real Chromium, opened from disk as a user opens it: it renders (headings,
// plots with a size), the browser reports nothing (a style blocked by the CSP or a failed request would show as
// a console error), and the hostile text of test/fixtures/report-hostile stays text: no script runs, no element
// from the data exists. Needs `npm run build` (it runs bin/premem.js); no VS Code involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { REPO_ROOT, tempDir } from './harness.mjs';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/report-hostile');

function writeReport(out, args) {
  execFileSync(process.execPath, [join(REPO_ROOT, 'bin/premem.js'), 'report', ...args, '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function openInChromium(file, body) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const messages = [];
    const requests = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      messages.push(`dialog: ${d.message()}`);
      d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await body(page);
    return { messages, requests };
  } finally {
    await browser.close();
  }
}

test('the report of hostile data renders in Chromium with no console message, no request, no script', async () => {
  const file = join(await tempDir('report'), 'hostile.html');
  writeReport(file, ['--runs', join(FIXTURE, 'runs'), '--dataset', join(FIXTURE, 'train.jsonl')]);
  const { messages, requests } = await openInChromium(file, async (page) => {
    const state = await page.evaluate(() => ({
      pwned: window.pwned ?? null,
      scripts: document.querySelectorAll('script').length,
      imgs: document.querySelectorAll('img').length,
      // A <style> from the data would hide the body; the report's own has the hash.
      styles: document.querySelectorAll('style').length,
      bodyVisible: getComputedStyle(document.body).display !== 'none',
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
      plots: [...document.querySelectorAll('svg[role="img"]')].map((s) => {
        const r = s.getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height)];
      }),
      // The report's own style sheet applies (not blocked by the CSP): pre blocks get their background.
      preBackground: getComputedStyle(document.querySelector('pre')).backgroundColor,
      text: document.body.innerText,
    }));
    assert.equal(state.pwned, null);
    assert.equal(state.scripts, 0);
    assert.equal(state.imgs, 0);
    assert.equal(state.styles, 1);
    assert.ok(state.bodyVisible);
    assert.ok(state.headings.includes('Suspected wrong targets'), state.headings.join(' | '));
    assert.ok(state.plots.length >= 4 && state.plots.every(([w, h]) => w > 100 && h > 100), JSON.stringify(state.plots));
    assert.equal(state.preBackground, 'rgb(247, 247, 247)');
    // Shown as the text it is.
    for (const text of ['<script>window.pwned=1</script>', '<img src=x onerror="window.pwned=2">', '</pre></div><style>body{display:none}</style>', 'hostile<run>']) {
      assert.ok(state.text.includes(text), text);
    }
  });
  assert.deepEqual(messages, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), []);
});

test('the report of the tiny demo, with a run comparison, renders in Chromium with no console message', async () => {
  const file = join(await tempDir('report'), 'tiny.html');
  writeReport(file, ['--config', join(REPO_ROOT, 'demo/tiny/premem.json'), '--compare', 'tiny-lr0.001-60ep']);
  const { messages } = await openInChromium(file, async (page) => {
    const examples = await page.locator('.example').count();
    assert.equal(examples, 20);
    assert.ok((await page.locator('span.added').count()) > 0);
    assert.equal(await page.locator('rect.cell').count(), 100);
    const plots = await page.locator('svg[role="img"]').count();
    assert.equal(plots, 5); // prediction, calibration, histogram, progressions, comparison

  });
  assert.deepEqual(messages, []);
});
