// The report as one self-contained HTML file: no script, no network, one inline style sheet allowed by its hash
// in a strict Content-Security-Policy (default-src 'none'), plots as inline SVG, every piece of text escaped.
// Opened from disk, in any browser, offline; hostile dataset text stays text.
import { createHash } from 'node:crypto';
import type { SampleView } from '../diff/sample-view';
import { escapeHtml, fmt, pct, table } from './html-text';
import type { ReportData, ReportExample } from './report-data';
import { heatmapSvg, histogramSvg, predictionSvg, scatterGridSvg, sweepSvg } from './svg-plots';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#fff;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 4px}.muted{color:#555}.cards{display:flex;flex-wrap:wrap;gap:16px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right}pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;padding:6px;background:#f7f7f7;border:1px solid #e3e3e3;font:12px/1.4 ui-monospace,monospace}
.example{border:1px solid #ddd;border-radius:4px;padding:8px 12px;margin:12px 0}.note{background:#fff6d6;padding:4px 8px}
.same{color:#1d1d1f}.added{background:#d8f5d8;color:#0b4f0b}.removed{background:#fbdada;color:#7a0c0c;text-decoration:line-through}
.legend span{display:inline-block;margin-right:14px}.key{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
svg{background:#fff;border:1px solid #eee}.grid{stroke:#eee}.frame{fill:none;stroke:#999}.tick,.axis{font-size:11px;fill:#444}
.identity{stroke:#999;stroke-dasharray:4 3}.line{fill:none;stroke:#1f77b4;stroke-width:1.5}.mark-t{stroke:#d62728;stroke-dasharray:3 2}.mark-calibrated{stroke:#2ca02c}
.bar{fill:#8fb8de}.bar-fragile{fill:#e9967a}.hollow{fill:none;stroke-width:1.2}.dot{stroke:none}
.s0.dot{fill:#1f77b4}.s0.hollow{stroke:#1f77b4}.s1.dot{fill:#ff7f0e}.s1.hollow{stroke:#ff7f0e}.s2.dot{fill:#2ca02c}.s2.hollow{stroke:#2ca02c}
.s3.dot{fill:#d62728}.s3.hollow{stroke:#d62728}.s4.dot{fill:#9467bd}.s4.hollow{stroke:#9467bd}.s5.dot{fill:#8c564b}.s5.hollow{stroke:#8c564b}
.s6.dot{fill:#e377c2}.s6.hollow{stroke:#e377c2}.s7.dot{fill:#7f7f7f}.s7.hollow{stroke:#7f7f7f}
.cell{fill:#1f77b4}.diagonal{stroke:#999;stroke-width:0.5}
.c-unscored{fill:#e0e0e0;background:#e0e0e0}.c-incorrect{fill:#d9534f;background:#d9534f}.c-correct{fill:#5cb85c;background:#5cb85c}.c-memorized{fill:#337ab7;background:#337ab7}
`;

/** The Content-Security-Policy of the report: nothing but the one style sheet above. */
export function reportContentSecurityPolicy(): string {
  const hash = createHash('sha256').update(STYLE, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
}

export function renderReport(data: ReportData, generatedAt: Date = new Date()): string {
  const sections = [
    header(data, generatedAt),
    predictionSection(data),
    distributionSection(data),
    progressionSection(data),
    adviceSection(data),
    comparisonSection(data),
    overlapSection(data),
    fragileSection(data),
    wrongTargetSection(data),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportContentSecurityPolicy()}">
<meta name="referrer" content="no-referrer">
<title>PreMem report: ${escapeHtml(data.run)} / ${escapeHtml(data.checkpoint)}</title>
<style>${STYLE}</style>
</head>
<body>
${sections.join('\n')}
</body>
</html>
`;
}

function header(data: ReportData, generatedAt: Date): string {
  return `<h1>PreMem report</h1>
<p class="muted">Dataset <code>${escapeHtml(data.datasetPath)}</code> (${data.datasetSize} examples) · run <b>${escapeHtml(data.run)}</b> at <b>${escapeHtml(data.checkpoint)}</b> ·
p = ${fmt(data.p, 4)}${data.calibrated ? ' (calibrated)' : ''} · fragile when PreMemAcc ≤ ${escapeHtml(String(data.t))} · written ${escapeHtml(generatedAt.toISOString())}</p>`;
}

function predictionSection(data: ReportData): string {
  const pr = data.dashboard.prediction;
  const parts = ['<h2>Does PreMemAcc predict test accuracy?</h2>'];
  if (pr.n === 0) parts.push('<p>No checkpoint has a test accuracy: there is nothing to compare mean PreMemAcc with, and p cannot be calibrated.</p>');
  else {
    parts.push(`<p>Over ${pr.n} checkpoints with a test accuracy: R²(y = x) = <b>${fmt(pr.r2)}</b>, linear R² = ${fmt(pr.r2Linear)}; plain train accuracy: R²(y = x) = ${fmt(pr.trainR2)}, linear R² = ${fmt(pr.trainR2Linear)}.${
      pr.leaveOneRunOut ? ` Leave one run out (calibrate on the others, predict it): mean absolute error ${fmt(pr.leaveOneRunOut.mae)}.` : ''
    }</p>`);
    const legend = pr.series.map((s, k) => `<span><svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true"><circle class="dot s${k % 8}" cx="5" cy="5" r="4"/></svg> ${escapeHtml(s.run)}</span>`).join('');
    parts.push(`<div class="cards"><div>${predictionSvg(pr)}<p class="legend">${legend}</p></div>`);
    parts.push(data.sweep ? `<div><h3>Calibration of p</h3>${sweepSvg(data.sweep, data.p)}<p class="muted">Green: calibrated p = ${fmt(data.sweep.calibrated.p, 4)} (R² ${fmt(data.sweep.calibrated.r2)}); red dashed: the p in use.</p></div>` : '<div><p>Too few checkpoints with test accuracy to calibrate p.</p></div>');
    parts.push('</div>');
  }
  return parts.join('\n');
}

function distributionSection(data: ReportData): string {
  const h = data.dashboard.histogram;
  if (!h) return '';
  return `<h2>Distribution of PreMemAcc</h2>
<p>${h.atOrUnderT} of ${h.scored} scored training examples (${pct(h.share)}) have PreMemAcc ≤ t = ${escapeHtml(String(h.t))} at ${escapeHtml(h.checkpoint)}: the re-collection set.</p>
${histogramSvg(h)}`;
}

function progressionSection(data: ReportData): string {
  const h = data.heatmap;
  const c = data.dashboard.categories;
  if (!h || !c) return '';
  const legend = ['unscored', 'incorrect', 'correct', 'memorized']
    .map((name) => `<span><span class="key c-${name}"></span>${name === 'correct' ? 'correct, own trace' : name}</span>`)
    .join('');
  const m = c.selected;
  const counts = table(
    ['checkpoint', 'incorrect', 'correct (own trace)', 'memorized'],
    c.checkpoints.map((id, k) => [escapeHtml(id), String(c.counts.incorrect[k]), String(c.counts.correct[k]), String(c.counts.memorized[k])]),
  );
  return `<h2>Learning progressions</h2>
<p>Rows: the run's training examples sorted by trajectory, then first memorized checkpoint, then PreMemAcc${h.binSize > 1 ? ` (${h.binSize} examples per row, each cell the most common category)` : ''}; columns: checkpoints ${escapeHtml(h.checkpoints[0] ?? '')} … ${escapeHtml(h.checkpoints[h.checkpoints.length - 1] ?? '')}.
At ${escapeHtml(c.checkpoints[m])}: ${pct(c.counts.memorized[m] / c.total)} memorized, ${pct(c.counts.correct[m] / c.total)} correct with their own trace, ${pct(c.counts.incorrect[m] / c.total)} incorrect.</p>
<div class="cards"><div>${heatmapSvg(h)}<p class="legend">${legend}</p></div><div>${counts}</div></div>`;
}

function adviceSection(data: ReportData): string {
  const a = data.dashboard.advice;
  const parts = ['<h2>Checkpoint advice</h2>'];
  if (a.best) parts.push(`<p>Highest predicted test accuracy (mean PreMemAcc, no test labels needed): <b>${escapeHtml(a.best.run)} / ${escapeHtml(a.best.checkpoint)}</b>, ${pct(a.best.predictedTestAccuracy)}${a.best.testAccuracy !== null ? ` (measured ${pct(a.best.testAccuracy)})` : ''}.</p>`);
  parts.push(`<p>${a.overMemorized} checkpoint(s) look over-memorized (test perplexity ≥ 10% above its lowest earlier value while accuracy holds)${a.hasTestPerplexity ? '' : '; the logs have no test perplexity, so none can be flagged'}.</p>`);
  parts.push(
    table(
      ['run', 'checkpoint', 'step', 'train acc', 'predicted test acc', 'test acc', 'test perplexity', 'memorized', 'note'],
      a.rows.map((r) => [
        escapeHtml(r.run),
        escapeHtml(r.checkpoint),
        String(r.step),
        pct(r.trainAccuracy),
        pct(r.predictedTestAccuracy),
        pct(r.testAccuracy),
        fmt(r.testPerplexity),
        pct(r.memorizedShare),
        [r.bestPredictedInRun ? 'best predicted in run' : '', r.overMemorized ? 'over-memorized' : ''].filter(Boolean).join(', '),
      ]),
    ),
  );
  return parts.join('\n');
}

function comparisonSection(data: ReportData): string {
  const c = data.comparison;
  if (!c) return '';
  const a = `${c.a.run} / ${c.a.checkpoint}`;
  const b = `${c.b.run} / ${c.b.checkpoint}`;
  const rows = (counts: Record<string, number>) => Object.entries(counts).sort((x, y) => y[1] - x[1]).map(([k, n]) => [escapeHtml(k), String(n), pct(c.compared ? n / c.compared : NaN)]);
  return `<h2>Run comparison</h2>
<p>A = <b>${escapeHtml(a)}</b>, B = <b>${escapeHtml(b)}</b>: ${c.compared} examples trained on by both and scored at both checkpoints (docs/signals.md).</p>
<div class="cards"><div>${scatterGridSvg(c.grid, a, b)}</div><div>
<h3>PreMemAcc bucket, A → B</h3>${table(['transition', 'examples', 'share'], rows(c.counts.buckets))}
<h3>Learned (sample accuracy ≥ 0.5), A → B</h3>${table(['transition', 'examples', 'share'], rows(c.counts.learned))}
<h3>First memorized, B relative to A</h3>${table(['transition', 'examples', 'share'], rows(c.counts.memorization))}
</div></div>`;
}

function overlapSection(data: ReportData): string {
  const { share, rows } = data.overlaps;
  return `<h2>Other training-dynamics signals</h2>
<p>For each signal, the ${pct(share, 0)} of examples it ranks hardest, against the ${pct(share, 0)} with the lowest PreMemAcc (docs/signals.md): Jaccard overlap |A ∩ B| / |A ∪ B|. Low overlap: the signal points at other examples than PreMemAcc does.</p>
${table(['signal', 'examples with both', 'set size', 'Jaccard with PreMemAcc'], rows.map((r) => [escapeHtml(r.label), String(r.examples), String(r.size), fmt(r.jaccard)]))}`;
}

function fragileSection(data: ReportData): string {
  const { total, shown } = data.fragile;
  return `<h2>Most fragile examples</h2>
<p>${total} training examples have PreMemAcc ≤ ${escapeHtml(String(data.t))} at ${escapeHtml(data.checkpoint)}; the ${shown.length} lowest, with their samples at that checkpoint diffed against the target (green: only in the sample; red, struck: target text the sample skips).</p>
${shown.map(exampleBlock).join('\n')}`;
}

function wrongTargetSection(data: ReportData): string {
  const w = data.wrongTargets;
  if (!w) return `<h2>Suspected wrong targets</h2><p>The logs of ${escapeHtml(data.run)} hold no sample answers: suspected wrong targets cannot be judged.</p>`;
  const noPerplexity = w.report.perplexityAvailable ? '' : ' The logs hold no target perplexity, so no example is ever seen memorized.';
  return `<h2>Suspected wrong targets</h2>
<p>${w.report.memorizedDirectly} training examples were memorized without being solved before; ${w.report.judged} had samples before memorization; ${w.total} of those have samples agreeing on another final answer: more likely a wrong label than a hard example. Check each label.${noPerplexity}${w.shown.length ? ` The ${w.shown.length} with the highest agreement, with the samples that agree:` : ''}</p>
${w.shown.map(exampleBlock).join('\n')}`;
}

function exampleBlock(e: ReportExample): string {
  const facts = `line ${e.line} · key <code>${escapeHtml(e.key)}</code> · PreMemAcc ${fmt(e.preMemAccuracy, 2)} · ${escapeHtml(e.trajectory)} · target answer <code>${escapeHtml(e.targetAnswer ?? '–')}</code>`;
  const samples = e.samplesCheckpoint
    ? `<h3>Samples at ${escapeHtml(e.samplesCheckpoint)}</h3>${e.samples.map(sampleBlock).join('')}`
    : '<p class="muted">No sample texts in the logs for this checkpoint.</p>';
  return `<div class="example">
<p>${facts}</p>${e.note ? `<p class="note">${escapeHtml(e.note)}</p>` : ''}
<h3>Query</h3><pre>${escapeHtml(e.query)}</pre>
<h3>Target</h3><pre>${escapeHtml(e.target)}</pre>
${samples}
</div>`;
}

function sampleBlock(s: SampleView, k: number): string {
  const head = `<p class="muted">sample ${k + 1}: ${s.outcome}, answer <code>${escapeHtml(s.answer ?? '–')}</code>${s.diffed && s.verbatimShare !== null ? `, ${pct(s.verbatimShare, 0)} of the target verbatim` : ''}</p>`;
  const body = s.diffed ? s.segments.map((g) => `<span class="${g.kind}">${escapeHtml(g.text)}</span>`).join('') : escapeHtml(s.text);
  return `${head}<pre>${body}</pre>`;
}
