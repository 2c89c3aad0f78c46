// The run comparison's scatter on a canvas: one point per example compared, PreMemAcc at A (x) against B (y),
// jittered by example index (src/core/dashboard/comparison-scatter.ts). The points are laid out and indexed once
// per comparison, rasterised once per size or theme, and the hover only repaints that image with a ring: a
// million examples cost one pass per new comparison, and a mouse move looks at the few grid cells under it.
import { parseCssColor } from '../../src/core/dashboard/heatmap-raster';
import { rasterizeScatter, SCATTER_HI, SCATTER_LO, ScatterIndex, scatterLayout, type ScatterPoints } from '../../src/core/dashboard/comparison-scatter';
import { append, clear, el } from '../shared/dom';
import { count, fmt3 } from './charts';
import { plotArea, verticalTitle } from './plot-area';
import type { Theme } from './theme';

/** Largest side of the (square) canvas, in CSS pixels. */
const CSS_SIZE = 320;
const MARGIN = { left: 40, bottom: 34, top: 8, right: 8 };
/** Side of one dot of the density image, in CSS pixels. */
const DOT = 2;
/** How far from a point the pointer may be to pick it, in CSS pixels. */
const PICK_RADIUS = 6;

/** `onOpen`: a point was clicked (its example's dataset index). */
export function createScatterCanvas(theme: () => Theme, onOpen: (index: number) => void) {
  const canvas = el('canvas', { class: 'comparison-scatter', attrs: { id: 'comparison-canvas', role: 'img', tabindex: '0' } });
  const tooltip = el('div', { class: 'tooltip', attrs: { id: 'comparison-tooltip', role: 'tooltip' } });
  tooltip.hidden = true;
  const element = el('div', { class: 'heatmap-wrap' }, canvas, tooltip);
  const image = document.createElement('canvas');
  let points: ScatterPoints | undefined;
  let index: ScatterIndex | undefined;
  let hovered = -1;

  const plot = (width: number, height: number, dpr: number) => plotArea(MARGIN, width, height, dpr);

  /** New points (undefined: none): laid out and indexed once, then drawn. */
  function setPoints(next: ScatterPoints | undefined): void {
    points = next;
    index = next && new ScatterIndex(scatterLayout(next));
    hovered = -1;
    tooltip.hidden = true;
    rasterize();
  }

  /** The density image at the canvas's size and the theme's colour, then the whole chart. */
  function rasterize(): void {
    if (!index || !element.isConnected || element.closest('[hidden]')) return;
    const dpr = window.devicePixelRatio || 1;
    const size = Math.round(Math.min(CSS_SIZE, Math.max(160, element.parentElement?.clientWidth ?? CSS_SIZE)) * dpr);
    canvas.width = size;
    canvas.height = size;
    canvas.style.width = `${size / dpr}px`;
    canvas.style.height = `${size / dpr}px`;
    const p = plot(size, size, dpr);
    image.width = Math.max(1, Math.round(p.width / (DOT * dpr)));
    image.height = Math.max(1, Math.round(p.height / (DOT * dpr)));
    const color = parseCssColor(theme().memorized) ?? [55, 148, 255];
    image.getContext('2d')!.putImageData(new ImageData(rasterizeScatter(index.layout, image.width, image.height, color), image.width, image.height), 0, 0);
    paint();
  }

  function paint(): void {
    if (!index || !points) return;
    const t = theme();
    const dpr = window.devicePixelRatio || 1;
    const ctx = canvas.getContext('2d')!;
    const size = canvas.width;
    ctx.fillStyle = t.background;
    ctx.fillRect(0, 0, size, size);
    const p = plot(size, size, dpr);
    const px = (v: number) => p.left + ((v - SCATTER_LO) / (SCATTER_HI - SCATTER_LO)) * p.width;
    const py = (v: number) => p.top + ((SCATTER_HI - v) / (SCATTER_HI - SCATTER_LO)) * p.height;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, p.left, p.top, p.width, p.height);
    ctx.strokeStyle = t.grid;
    ctx.lineWidth = dpr;
    ctx.strokeRect(p.left, p.top, p.width, p.height);
    // The diagonal: the same PreMemAcc at A and B.
    ctx.beginPath();
    ctx.moveTo(px(0), py(0));
    ctx.lineTo(px(1), py(1));
    ctx.stroke();
    ctx.fillStyle = t.foreground;
    ctx.font = `${10 * dpr}px ${t.font}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const v of [0, 0.5, 1]) {
      ctx.fillText(String(v), px(v), p.top + p.height + 8 * dpr);
      ctx.fillText(String(v), p.left - 12 * dpr, py(v));
    }
    ctx.fillText('PreMemAcc at A', p.left + p.width / 2, p.top + p.height + 24 * dpr);
    verticalTitle(ctx, 'PreMemAcc at B', 8 * dpr, p.top + p.height / 2);
    if (hovered >= 0) {
      ctx.strokeStyle = t.foreground;
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      ctx.arc(px(index.layout.x[hovered]), py(index.layout.y[hovered]), 4 * dpr, 0, 2 * Math.PI);
      ctx.stroke();
    }
    canvas.setAttribute('aria-label', `Scatter of PreMemAcc at A against B, one point per example (${count(points.example.length)}); hover a point to see its example, click to open it. The table below lists the same examples by cell.`);
    canvas.dataset.points = String(points.example.length);
  }

  /** The point under the pointer (its position in the points), or -1. */
  function pick(e: MouseEvent): number {
    if (!index) return -1;
    const rect = canvas.getBoundingClientRect();
    const p = plot(rect.width, rect.height, 1);
    const x = SCATTER_LO + ((e.clientX - rect.left - p.left) / p.width) * (SCATTER_HI - SCATTER_LO);
    const y = SCATTER_HI - ((e.clientY - rect.top - p.top) / p.height) * (SCATTER_HI - SCATTER_LO);
    return index.nearest(x, y, (PICK_RADIUS / p.width) * (SCATTER_HI - SCATTER_LO));
  }

  canvas.addEventListener('mousemove', (e) => {
    const k = pick(e);
    canvas.style.cursor = k >= 0 ? 'pointer' : '';
    if (k === hovered) return;
    hovered = k;
    paint();
    if (k < 0 || !points) {
      tooltip.hidden = true;
      return;
    }
    clear(tooltip);
    append(tooltip, el('div', {}, `Example #${points.example[k]}`), el('div', {}, `PreMemAcc ${fmt3(points.a[k])} at A, ${fmt3(points.b[k])} at B`), el('div', {}, 'Click to open it.'));
    const rect = canvas.getBoundingClientRect();
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(e.clientX - rect.left + 14, rect.width - 200)}px`;
    tooltip.style.top = `${e.clientY - rect.top + 14}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    tooltip.hidden = true;
    if (hovered >= 0) {
      hovered = -1;
      paint();
    }
  });
  canvas.addEventListener('click', (e) => {
    const k = pick(e);
    if (k >= 0 && points) onOpen(points.example[k]);
  });

  return { element, setPoints, redraw: rasterize };
}
