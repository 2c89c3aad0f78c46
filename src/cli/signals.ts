// Ctrl-C or a SIGTERM while a command writes through a temporary file: remove the temporary (the target keeps
// its earlier content), say so in one line, and exit with the shell's code for that signal (128 + its number).
import { removeTemporaryFilesSync } from '../core/fs-atomic';

/** The shell's exit code for a process stopped by each signal. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Installs the handlers; the returned function removes them once the command is done. */
export function removeTemporaryFilesOnSignal(command: string): () => void {
  const handler = (signal: keyof typeof SIGNAL_EXIT_CODES) => {
    removeTemporaryFilesSync();
    console.error(`premem ${command}: stopped by ${signal}; nothing was written`);
    process.exit(SIGNAL_EXIT_CODES[signal]);
  };
  for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.on(signal, handler);
  return () => {
    for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.off(signal, handler);
  };
}
