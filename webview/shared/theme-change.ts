// Theme switches in a webview: VS Code rewrites the root element's style variables and the body's theme class.
/** Calls back when VS Code switches theme (it rewrites the root style and the body's theme class). */
export function onThemeChange(callback: () => void): void {
  let pending = false;
  const fire = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      callback();
    });
  };
  const observer = new MutationObserver(fire);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
