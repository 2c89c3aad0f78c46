// Long computations on a thread with an event loop (the extension host) give it a turn now and then.

/** Resolves after the event loop has had a turn (timers, I/O and messages waiting run first). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
