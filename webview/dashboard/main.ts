// The dashboard webview: nine panels over one model from the host, redrawn whenever p, t, the selection or the
// results change. UI state (sort, zoom, scroll) survives the panel being hidden through getState/setState.
import { append, clear, el } from '../shared/dom';
import { plural } from '../shared/format';
import { connect } from '../shared/vscode-api';
import type { DataMapQ } from '../../src/core/dashboard/data-map';
import { createAdvicePanel } from './advice';
import { createDataMapPanel } from './data-map';
import { createOverlapsPanel } from './overlaps';
import { type CompareWith, createComparisonPanel } from './comparison';
import { applyTheme, fmt3, fmt4, num } from './charts';
import { createDistributionPanel } from './distribution';
import { createPredictionPanel } from './prediction';
import { createProgressionsPanel, type ProgressionsState } from './progressions';
import { type HostMessage, isHostMessage, type WebviewMessage } from './protocol';
import { createRobustnessPanel } from './robustness';
import { onThemeChange } from '../shared/theme-change';
import { readTheme, type Theme } from './theme';
import { createThresholdPanel } from './threshold';

interface DashboardState {
  progressions: ProgressionsState;
  dataMapQ: DataMapQ;
  overlapShare: number;
  compareWith: CompareWith;
  scrollY: number;
}

const vscode = connect<WebviewMessage, HostMessage, DashboardState>(isHostMessage);
const saved = vscode.getState();
let uiState: DashboardState = { progressions: saved?.progressions ?? { sort: 'premem' }, dataMapQ: saved?.dataMapQ ?? 'accuracy', overlapShare: saved?.overlapShare ?? 0.2, compareWith: saved?.compareWith ?? null, scrollY: saved?.scrollY ?? 0 };
const persist = () => vscode.setState(uiState);
const post = (m: WebviewMessage) => vscode.post(m);

let theme: Theme = readTheme();
applyTheme(theme);
const currentTheme = () => theme;

const app = document.getElementById('app')!;
const runSelect = el('select', { attrs: { id: 'run-select', 'aria-label': 'Run' } });
const checkpointSelect = el('select', { attrs: { id: 'checkpoint-select', 'aria-label': 'Checkpoint' } });
const headline = el('span', { class: 'headline', attrs: { id: 'headline' } });
const notice = el('div', { class: 'notice', attrs: { id: 'notice', role: 'status', 'aria-live': 'polite' } });
const emptyView = el('div', { class: 'empty', attrs: { id: 'empty' } });
const select = (run: number, checkpoint: number) => post({ type: 'select', run, checkpoint });
runSelect.addEventListener('change', () => select(Number(runSelect.value), Number.MAX_SAFE_INTEGER));
checkpointSelect.addEventListener('change', () => select(Number(runSelect.value), Number(checkpointSelect.value)));

const threshold = createThresholdPanel(post, currentTheme);
const prediction = createPredictionPanel(post, currentTheme);
const progressions = createProgressionsPanel(post, currentTheme, uiState.progressions, (s) => {
  uiState = { ...uiState, progressions: s };
  persist();
});
const distribution = createDistributionPanel(post, currentTheme);
const robustness = createRobustnessPanel(post, currentTheme);
const advice = createAdvicePanel(post, select);
const dataMap = createDataMapPanel(post, currentTheme, uiState.dataMapQ, (q) => {
  uiState = { ...uiState, dataMapQ: q };
  persist();
});
const overlaps = createOverlapsPanel(post, uiState.overlapShare, (share) => {
  uiState = { ...uiState, overlapShare: share };
  persist();
});
const comparison = createComparisonPanel(post, currentTheme, uiState.compareWith, (b) => {
  uiState = { ...uiState, compareWith: b };
  persist();
});

const content = el(
  'main',
  { attrs: { id: 'dashboard' } },
  el('div', { class: 'grid' }, prediction.element, threshold.element),
  progressions.element,
  el('div', { class: 'grid' }, distribution.element, robustness.element),
  el('div', { class: 'grid' }, dataMap.element, overlaps.element),
  comparison.element,
  advice.element,
);
content.hidden = true;
append(
  app,
  el(
    'header',
    { class: 'top' },
    el('h1', {}, 'PreMem Dashboard'),
    el('label', {}, 'Run ', runSelect),
    el('label', {}, 'Checkpoint ', checkpointSelect),
    headline,
    el('button', { class: 'secondary', attrs: { type: 'button', id: 'export-report', title: 'Save the dashboard as one HTML file to share' }, on: { click: () => post({ type: 'exportReport' }) } }, 'Export Report…'),
  ),
  notice,
  emptyView,
  content,
);

let restoredScroll = false;
let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => {
    uiState = { ...uiState, scrollY: window.scrollY };
    persist();
  }, 150);
});

function fillSelect(select: HTMLSelectElement, options: { value: string; label: string }[], value: string): void {
  const same = select.options.length === options.length && options.every((o, i) => select.options[i].value === o.value && select.options[i].text === o.label);
  if (!same) {
    clear(select);
    for (const o of options) append(select, el('option', { attrs: { value: o.value } }, o.label));
  }
  select.value = value;
}

type ModelMessage = Extract<HostMessage, { type: 'model' }>;
let latest: ModelMessage | undefined;

/**
 * Models are drawn once per animation frame, the latest one: during a slider drag the host may answer faster than
 * the charts redraw, and drawing stale models would only delay the current one.
 */
function onModel(m: ModelMessage): void {
  threshold.acknowledge(m.seq);
  if (m.sweep !== undefined) threshold.setCurve(m.sweep);
  if (latest === undefined) requestAnimationFrame(renderLatest);
  latest = m;
}

function renderLatest(): void {
  const m = latest;
  latest = undefined;
  if (m) render(m);
}

function render(m: ModelMessage): void {
  const started = performance.now();
  const { model, context } = m;
  emptyView.hidden = true;
  content.hidden = false;
  const { meta } = model;
  fillSelect(runSelect, meta.runs.map((r, i) => ({ value: String(i), label: r.id })), String(meta.selectedRun));
  const run = meta.runs[meta.selectedRun];
  fillSelect(checkpointSelect, (run?.checkpoints ?? []).map((id, i) => ({ value: String(i), label: id })), String(meta.selectedCheckpoint));
  headline.textContent = `${context.dataset} · ${plural(meta.examples, 'example')} · ${plural(meta.runs.length, 'run')} · p = ${fmt4(model.threshold.p)} · R²(y = x) = ${fmt3(num(model.threshold.r2))} · t = ${meta.t}`;
  threshold.update(model.threshold, context);
  prediction.update(model.prediction);
  progressions.update(model.categories, meta.runs.length ? null : 'No runs are loaded.');
  distribution.update(model.histogram);
  robustness.update(model.robustness);
  advice.update(model.advice, meta.runs.map((r) => r.id));
  comparison.setRuns(meta.runs);
  threshold.afterRender(performance.now() - started);
  if (!restoredScroll) {
    restoredScroll = true;
    requestAnimationFrame(() => window.scrollTo(0, uiState.scrollY));
  }
}

function onEmpty(message: string): void {
  content.hidden = true;
  emptyView.hidden = false;
  clear(emptyView);
  append(
    emptyView,
    el('p', {}, message),
    el('button', { attrs: { type: 'button' }, on: { click: () => post({ type: 'openDataset' }) } }, 'Open Dataset with Runs…'),
  );
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function onNotice(level: 'info' | 'error', text: string): void {
  notice.textContent = text;
  notice.className = `notice ${level}`;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.textContent = ''), level === 'error' ? 15000 : 6000);
}

vscode.onMessage((m) => {
  switch (m.type) {
    case 'model':
      onModel(m);
      break;
    case 'heatmap':
      progressions.setHeatmap(m.heatmap);
      break;
    case 'dataMap':
      dataMap.update(m.dataMap);
      break;
    case 'overlaps':
      overlaps.update(m.overlaps);
      break;
    case 'comparison':
      comparison.update(m.comparison);
      break;
    case 'comparisonCell':
      comparison.showCell(m.cell);
      break;
    case 'dataMapCell':
      dataMap.showCell(m.cell);
      break;
    case 'empty':
      onEmpty(m.message);
      break;
    case 'notice':
      onNotice(m.level, m.text);
      break;
  }
});

onThemeChange(() => {
  theme = readTheme();
  applyTheme(theme);
  threshold.retheme();
  prediction.retheme();
  progressions.retheme();
  distribution.retheme();
  robustness.retheme();
  dataMap.retheme();
  comparison.retheme();
});

post({ type: 'ready' });
post({ type: 'setOverlapShare', share: overlaps.share() });
post({ type: 'compareWith', b: comparison.chosen() });
