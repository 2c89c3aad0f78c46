// Long computations on a thread with an event loop (the extension host) give it a turn now and then.
// Node's setImmediate is looked up on globalThis rather than through Node's type declarations: the webviews share
// the metric modules that import this one (for their types), and webview code is checked against the DOM alone.
type Immediate = (callback: () => void) => unknown;

/** Resolves after the event loop has had a turn (timers, I/O and messages waiting run first). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => (globalThis as unknown as { setImmediate: Immediate }).setImmediate(resolve));
