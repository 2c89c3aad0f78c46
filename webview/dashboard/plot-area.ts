// The plotting rectangle of a hand-drawn canvas chart (data map, comparison grid): the canvas less its margins
// for ticks and axis titles, in device pixels; and a y-axis title written upwards.
export interface Margin {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The plot inside a canvas `width` × `height` (device pixels) with margins given in CSS pixels. */
export function plotArea(margin: Margin, width: number, height: number, dpr: number) {
  const left = margin.left * dpr;
  const top = margin.top * dpr;
  return { left, top, width: width - left - margin.right * dpr, height: height - top - margin.bottom * dpr };
}

/** Writes `text` centred on (x, y), turned to read upwards. */
export function verticalTitle(ctx: CanvasRenderingContext2D, text: string, x: number, y: number): void {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(text, 0, 0);
  ctx.restore();
}
