// Helpers for the benchmark scripts: medians, markdown table rows, and running one suite by itself.
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

export const row = (...cells: string[]): string => `| ${cells.join(' | ')} |`;

export const TABLE_HEAD = '| what | time | notes |\n| --- | --- | --- |';

/** Runs one suite as a script of its own (`node --import tsx bench/NAME.ts`), printing its table. */
export function runAlone(suite: () => Promise<string[]>): void {
  suite().then(
    (rows) => console.log([TABLE_HEAD, ...rows].join('\n')),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
