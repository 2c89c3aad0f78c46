// Colours from the VS Code theme (its CSS variables), read again whenever the theme changes.
import { type HeatmapColors, parseCssColor, type Rgb } from '../../src/core/dashboard/heatmap-raster';

export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  font: string;
  /** Distinct colours for runs and series, in order. */
  series: string[];
  fragile: string;
  /** Just above t (PreMemAcc <= t + 0.15): the editor's at-risk mark. */
  atRisk: string;
  robust: string;
  incorrect: string;
  correct: string;
  memorized: string;
  unscored: string;
  heatmap: HeatmapColors;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

const rgbOf = (css: string, fallback: Rgb): Rgb => parseCssColor(css) ?? fallback;

export function readTheme(): Theme {
  const dark = !document.body.classList.contains('vscode-light') && !document.body.classList.contains('vscode-high-contrast-light');
  const c = {
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    blue: cssVar('--vscode-charts-blue', '#3794ff'),
    yellow: cssVar('--vscode-charts-yellow', '#cca700'),
    orange: cssVar('--vscode-charts-orange', '#d18616'),
    green: cssVar('--vscode-charts-green', '#89d185'),
    purple: cssVar('--vscode-charts-purple', '#b180d7'),
  };
  const background = cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff');
  const foreground = cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333'));
  const unscored = cssVar('--vscode-premem-notScored', '#808080');
  const incorrect = cssVar('--vscode-premem-fragile', c.red);
  const correct = cssVar('--vscode-premem-robust', c.green);
  const memorized = c.blue;
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', foreground),
    grid: cssVar('--vscode-charts-lines', dark ? 'rgba(128,128,128,0.35)' : 'rgba(0,0,0,0.15)'),
    background,
    font: cssVar('--vscode-font-family', 'sans-serif'),
    series: [c.blue, c.orange, c.green, c.purple, c.red, c.yellow],
    fragile: incorrect,
    atRisk: cssVar('--vscode-premem-atRisk', c.yellow),
    robust: correct,
    incorrect,
    correct,
    memorized,
    unscored,
    heatmap: {
      background: rgbOf(background, dark ? [30, 30, 30] : [255, 255, 255]),
      unscored: rgbOf(unscored, [128, 128, 128]),
      incorrect: rgbOf(incorrect, [241, 76, 76]),
      correct: rgbOf(correct, [63, 185, 80]),
      memorized: rgbOf(memorized, [55, 148, 255]),
    },
  };
}

/** A CSS colour with alpha, for fills: works for #rrggbb and rgb() forms, otherwise the colour itself. */
export function withAlpha(color: string, alpha: number): string {
  const rgb = parseCssColor(color);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})` : color;
}
