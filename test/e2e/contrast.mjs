// Contrast of text in a webview as the reader sees it: the element's text colour against the background actually
// behind it, found by compositing every (semi-transparent) background and opacity from the element up to the
// document, through shadow roots. WCAG 2 contrast ratio: 1 (invisible) to 21 (black on white).

/**
 * In the frame, for each selector (`host >>> inner` reaches into a shadow root), the lowest contrast among the
 * visible matching elements: [{ selector, count, ratio, text, color, background }]. ratio is null when none matched.
 */
export function contrastOf(frame, selectors) {
  return frame.evaluate((wanted) => {
    const parse = (css) => {
      const m = /rgba?\(([^)]+)\)/.exec(css);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const parentOf = (node) => node.parentElement ?? (node.getRootNode() instanceof ShadowRoot ? node.getRootNode().host : null);
    const luminance = ([r, g, b]) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const measure = (element) => {
      // Backgrounds from the element up, then painted from the bottom (an opaque base: the page's white).
      const layers = [];
      let opacity = 1;
      for (let n = element; n; n = parentOf(n)) {
        const style = getComputedStyle(n);
        opacity *= Number(style.opacity);
        const bg = parse(style.backgroundColor);
        if (bg && bg[3] > 0) layers.push(bg);
        if (bg && bg[3] === 1) break;
      }
      let background = [255, 255, 255, 1];
      for (const layer of layers.reverse()) background = over(layer, background);
      const fg = parse(getComputedStyle(element).color);
      const text = over([fg[0], fg[1], fg[2], fg[3] * opacity], background);
      const [hi, lo] = [luminance(text), luminance(background)].sort((a, b) => b - a);
      const css = (c) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
      return { ratio: (hi + 0.05) / (lo + 0.05), color: css(text), background: css(background) };
    };
    const query = (selector) => {
      const [outer, inner] = selector.split('>>>').map((s) => s.trim());
      const hosts = [...document.querySelectorAll(outer)];
      return inner ? hosts.flatMap((h) => [...(h.shadowRoot?.querySelectorAll(inner) ?? [])]) : hosts;
    };
    return wanted.map((selector) => {
      const elements = query(selector).filter((e) => e.getClientRects().length > 0 && (e.textContent ?? '').trim());
      let worst = null;
      for (const e of elements) {
        const m = measure(e);
        if (!worst || m.ratio < worst.ratio) worst = { ...m, text: (e.textContent ?? '').trim().slice(0, 40) };
      }
      return { selector, count: elements.length, ratio: worst?.ratio ?? null, text: worst?.text, color: worst?.color, background: worst?.background };
    });
  }, selectors);
}
