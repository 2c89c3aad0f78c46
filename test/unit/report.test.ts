import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { escapeHtml } from '../../src/core/report/html-text';
import { heatmapBins } from '../../src/core/report/report-data';
import { repoRoot, sharedData, skipWithoutShared } from '../support/shared';
import { tempDir } from '../support/temp-dir';

function premem(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hostile = path.join(repoRoot, 'test/fixtures/report-hostile');

test('escapeHtml escapes the five characters that can start markup or end an attribute', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
});

test('heatmapBins: rows sorted by trajectory, first memorized, PreMemAcc; each cell the most common category of its bin', () => {
  // 4 rows, 2 checkpoints; categories column-major (cell(m, r) = m * rows + r).
  const data = {
    rows: 4,
    checkpoints: 2,
    example: Int32Array.from([0, 1, 2, 3]),
    category: Uint8Array.from([1, 3, 1, 2, /* m=1 */ 1, 3, 3, 2]),
    accuracy: new Uint8Array(8),
    preMem: Float32Array.from([0, 0, 0.5, 1]),
    trajectory: Uint8Array.from([1, 2, 2, 4]),
    firstMemorized: Int16Array.from([-1, 0, 1, -1]),
  };
  // Order: row 0 (never learned), row 1 (memorized directly at 0), row 2 (at 1), row 3 (generalized).
  const one = heatmapBins(data, ['a', 'b'], 4);
  assert.deepEqual([one.rows, one.binSize, Array.from(one.category)], [4, 1, [1, 1, 3, 3, 1, 3, 2, 2]]);
  // Two rows per bin: bin 0 = rows 0, 1: m=0 {1, 3} tie -> the lower category; bin 1 = rows 2, 3: m=1 {3, 2} -> 2.
  const two = heatmapBins(data, ['a', 'b'], 2);
  assert.deepEqual([two.rows, two.binSize, Array.from(two.category)], [2, 2, [1, 1, 1, 2]]);
});

test('premem report on hostile text: one file, a CSP with the hash of its only style sheet, no markup from the data', async () => {
  const out = path.join(await tempDir('premem-report-'), 'report.html');
  const r = premem('report', '--runs', path.join(hostile, 'runs'), '--dataset', path.join(hostile, 'train.jsonl'), '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 fragile, 1 suspected wrong targets/);
  const html = readFileSync(out, 'utf8');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
  assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; form-action 'none'$/);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(styles.length, 1);
  assert.equal(`'sha256-${createHash('sha256').update(styles[0][1]).digest('base64')}'`, /style-src ('[^']+')/.exec(csp)![1]);
  // Escaped text holds no '<': every tag in the file is the report's own, from a short list, with no event
  // handler or style attribute.
  const tags = [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)];
  const allowed = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'b', 'code', 'div', 'span', 'pre', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'svg', 'line', 'text', 'rect', 'circle', 'path']);
  for (const [, name, attributes] of tags) {
    assert.ok(allowed.has(name), `<${name}>`);
    assert.doesNotMatch(attributes, /(^|\s)(on\w+|style|src|href)=/i, `<${name}${attributes}>`);
  }
  for (const text of ['window.pwned=1', 'window.pwned=2', 'window.pwned=3', 'pwned=5&lt;/script&gt;', 'Sam has 3 pens.&lt;/pre&gt;&lt;/div&gt;&lt;style&gt;', 'hostile&lt;run&gt;']) assert.ok(html.includes(text), text);
  // The suspected wrong target: samples agree on 7 against the target's 2.
  assert.match(html, /4 of 4 samples at ckpt-2 answer 7; memorized at ckpt-3 without being solved before/);
  assert.match(html, /R²\(y = x\)/);
  assert.equal((html.match(/<svg /g) ?? []).length >= 4, true);
});

test('premem report: usage and bad input', async () => {
  const dir = await tempDir('premem-report-');
  const base = ['report', '--runs', path.join(hostile, 'runs'), '--dataset', path.join(hostile, 'train.jsonl')];
  assert.equal(premem(...base).code, 2); // no --out
  assert.equal(premem(...base, '--out', path.join(dir, 'r.html'), '--overlap', '0').code, 2);
  const missing = premem(...base, '--out', path.join(dir, 'no-such-folder', 'r.html'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--out: the folder .* does not exist/);
  assert.equal(premem(...base, '--out', path.join(dir, 'r.html'), '--run', 'nope').code, 2);
});

test('premem report on the tiny demo: every section, suspects and fragile examples with diffed samples', async () => {
  const out = path.join(await tempDir('premem-report-'), 'tiny.html');
  const r = premem('report', '--config', path.join(repoRoot, 'demo/tiny/premem.json'), '--run', 'tiny-lr0.001-60ep', '--compare', 'tiny-lr0.0005-60ep:checkpoint-1140', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  // The comparison: every compared example in exactly one grid cell; its counts as premem compare gives them.
  const compare = JSON.parse(premem('compare', '--config', path.join(repoRoot, 'demo/tiny/premem.json'), '--a', 'tiny-lr0.001-60ep', '--b', 'tiny-lr0.0005-60ep:checkpoint-1140', '--json').stdout);
  const cells = [...html.matchAll(/<rect class="cell[^"]*"[^>]*><title>A [^<]*: (\d+)<\/title>/g)].map((m) => Number(m[1]));
  assert.equal(cells.length, 100);
  assert.deepEqual(cells, compare.scatter.grid.flat());
  for (const [k, n] of Object.entries(compare.counts.learned)) assert.ok(html.includes(`<td>${k}</td><td>${n}</td>`), k);
  for (const h of ['Run comparison', 'Does PreMemAcc predict test accuracy?', 'Calibration of p', 'Distribution of PreMemAcc', 'Learning progressions', 'Checkpoint advice', 'Other training-dynamics signals', 'Most fragile examples', 'Suspected wrong targets']) assert.ok(html.includes(h), h);
  assert.ok((html.match(/class="example"/g) ?? []).length === 20);
  assert.match(html, /<span class="added">/);
});

test('premem report on the released runs: R² 0.935 at the paper\'s p; wrong targets said to be not judged', { skip: skipWithoutShared('paper-runs') || skipWithoutShared('gsm8k', 'train.jsonl') }, async () => {
  const out = path.join(await tempDir('premem-report-'), 'paper.html');
  const r = premem('report', '--runs', sharedData('paper-runs')!, '--dataset', sharedData('gsm8k', 'train.jsonl')!, '--p', '1.1055', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /Over 51 checkpoints with a test accuracy: R²\(y = x\) = <b>0\.935<\/b>/);
  assert.match(html, /hold no sample answers: suspected wrong targets cannot be judged/);
});
