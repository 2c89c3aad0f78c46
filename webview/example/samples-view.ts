// One checkpoint's samples: each sample's text with its departures from the target marked (text the target does
// not have as <ins>, target text it skipped as <del>), its answer against the target's and its outcome; then the
// samples taken with perturbed prompts, one collapsed section per perturbation.
import { el } from '../shared/dom';
import { percent } from './format';
import type { SampleSummary, SamplesPayload, SampleView } from './protocol';
import { appendText, textElement } from './text';

const NOT_DIFFED: Record<Extract<SampleView, { diffed: false }>['reason'], string> = {
  'too-long': 'too long to diff; shown as it is',
  'time-budget': 'not diffed (the time for diffing this checkpoint ran out); shown as it is',
};

export function renderSamples(payload: SamplesPayload, targetAnswer: string | null): HTMLElement {
  if (payload.status === 'no-texts') return el('p', { class: 'muted no-texts' }, 'Sample texts are not in this run log.');
  if (payload.status === 'error') return el('p', { class: 'error' }, `The samples cannot be read: ${payload.message}`);
  const block = el('div', { class: 'samples-block' });
  if (payload.samples.length > 0) block.append(summaryLine(payload.samples, payload.summary), sampleList('samples', payload.samples, targetAnswer));
  else block.append(el('p', { class: 'muted no-texts' }, 'Sample texts of the training prompt are not in this run log.'));
  // Robustness probes: samples of the same question with a perturbed prompt, collapsed under their name.
  for (const p of payload.perturbations) {
    const head = el('summary', { class: 'perturbation-head' }, 'Perturbed prompt ', textElement('code', 'perturbation-name', p.name), ' · ', summaryText(p.samples, p.summary));
    block.append(el('details', { class: 'perturbation', attrs: { 'data-perturbation': p.name } }, head, sampleList('samples perturbed-samples', p.samples, targetAnswer)));
  }
  return block;
}

function summaryLine(samples: readonly SampleView[], summary: SampleSummary): HTMLElement {
  return el('p', { class: 'samples-summary muted' }, summaryText(samples, summary));
}

function summaryText(samples: readonly SampleView[], summary: SampleSummary): string {
  const verbatim = summary.meanVerbatimShare === null ? '' : ` · on average ${percent(summary.meanVerbatimShare)} of the target reproduced verbatim`;
  return `${samples.length} samples: ${summary.correct} correct, ${summary.wrong} wrong, ${summary.unparseable} unparseable${verbatim}`;
}

function sampleList(className: string, samples: readonly SampleView[], targetAnswer: string | null): HTMLElement {
  const list = el('ol', { class: className });
  samples.forEach((s, i) => list.appendChild(renderSample(s, i, targetAnswer)));
  return list;
}

function renderSample(s: SampleView, i: number, targetAnswer: string | null): HTMLElement {
  const head = el(
    'div',
    { class: 'sample-head' },
    el('span', { class: 'sample-number muted' }, `#${i + 1}`),
    el('span', { class: `outcome outcome-${s.outcome}` }, s.outcome),
    el('span', { class: 'answers' }, 'answer ', answerText(s.answer), ' vs target ', answerText(targetAnswer)),
    s.diffed
      ? el('span', { class: 'verbatim', title: "Share of the target's non-whitespace characters the sample reproduces in order" }, `${percent(s.verbatimShare)} of the target verbatim`)
      : el('span', { class: 'not-diffed muted' }, NOT_DIFFED[s.reason]),
  );
  return el('li', { class: `sample sample-${s.outcome}` }, head, s.diffed ? diffText(s) : textElement('pre', 'sample-text raw', s.text));
}

function answerText(answer: string | null): HTMLElement {
  return answer === null ? el('span', { class: 'answer none muted' }, 'none') : textElement('code', 'answer', answer);
}

function diffText(s: Extract<SampleView, { diffed: true }>): HTMLElement {
  const pre = el('pre', { class: 'sample-text diff' });
  for (const seg of s.segments) {
    if (seg.kind === 'same') appendText(pre, seg.text);
    else {
      const mark = el(seg.kind === 'added' ? 'ins' : 'del', { class: seg.kind, title: seg.kind === 'added' ? 'not in the target' : 'in the target, skipped by the sample' });
      appendText(mark, seg.text);
      pre.appendChild(mark);
    }
  }
  return pre;
}
