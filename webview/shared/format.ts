// Text helpers the panels and the extension host both use: plain functions, no DOM, no Node.

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

/**
 * Run ids without the prefix and suffix they share with the runs of their family (the runs whose ids begin with
 * the same word), cut at separators: among the paper's runs gsm8k_orig_6epochs_full_lr2e-05_bs128 is shown as
 * 6epochs_full_lr2e-05, while a run of another family keeps its whole id.
 */
export function shortRunNames(ids: readonly string[]): string[] {
  const family = (id: string) => /^[^_\-./ ]*/.exec(id)![0];
  const families = new Map<string, string[]>();
  for (const id of ids) families.set(family(id), [...(families.get(family(id)) ?? []), id]);
  const short = new Map<string, string>();
  for (const members of families.values()) {
    const cut = cutCommonEnds(members);
    members.forEach((id, i) => short.set(id, cut[i]));
  }
  return ids.map((id) => short.get(id)!);
}

function cutCommonEnds(ids: readonly string[]): string[] {
  if (ids.length < 2) return ids.slice();
  const sep = /[_\-./ ]/;
  let prefix = ids[0];
  let suffix = ids[0];
  for (const id of ids) {
    while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
    while (!id.endsWith(suffix)) suffix = suffix.slice(1);
  }
  // Only cut at a separator, so "lr2e-05" never loses its head.
  while (prefix && !sep.test(prefix[prefix.length - 1])) prefix = prefix.slice(0, -1);
  while (suffix && !sep.test(suffix[0])) suffix = suffix.slice(1);
  return ids.map((id) => {
    const cut = id.slice(prefix.length, id.length - suffix.length);
    return cut.length >= 3 ? cut : id;
  });
}
