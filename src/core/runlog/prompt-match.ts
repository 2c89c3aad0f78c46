// Logs that name no example (LLaMA-Factory predictions, TRL completion tables) are placed on the dataset by their
// prompt text: the prompt is the example's query, or contains it (a chat template around it), compared with all
// whitespace runs as one space. The label, when the log has one, narrows the candidates to the examples with
// that target first. Their samples are graded like every other log's, against the dataset's reference answers.
import { gradeAgainst, referenceAnswer } from '../grading';
import type { CheckpointScores, Dataset, ExampleSamples, GradingTask, Run, RunFormat } from '../model';
import { CheckpointColumns } from './checkpoint-columns';
import { distinctAnswerCount, MAX_SAMPLES } from './premem/records';

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Queries are found in prompts by their first characters (all of a shorter query): one map lookup per place. */
const PREFIX = 24;

export class PromptMatcher {
  private readonly byQuery = new Map<string, number>();
  private readonly byTarget = new Map<string, number[]>();
  private readonly byPrefix = new Map<string, number[]>();
  /** The distinct prefix lengths: PREFIX, and the lengths of shorter queries. */
  private readonly prefixLengths: number[];
  /** Prompts repeat (a GRPO step samples each several times, steps revisit prompts): each is searched once. */
  private readonly found = new Map<string, number | undefined>();

  private constructor(
    private readonly queries: string[],
    targets: string[],
    readonly references: (string | null)[],
  ) {
    const lengths = new Set<number>();
    queries.forEach((q, i) => {
      if (!this.byQuery.has(q)) this.byQuery.set(q, i);
      const list = this.byTarget.get(targets[i]);
      if (list) list.push(i);
      else this.byTarget.set(targets[i], [i]);
      if (q === '') return;
      const prefix = q.slice(0, PREFIX);
      lengths.add(prefix.length);
      const same = this.byPrefix.get(prefix);
      if (same) same.push(i);
      else this.byPrefix.set(prefix, [i]);
    });
    this.prefixLengths = [...lengths];
  }

  /** Reads every example's query, target and reference answer once. */
  static async of(dataset: Dataset): Promise<PromptMatcher> {
    const queries: string[] = [];
    const targets: string[] = [];
    const references: (string | null)[] = [];
    for (let i = 0; i < dataset.size; i++) {
      const example = await dataset.get(i);
      queries.push(normalise(example.query));
      targets.push(normalise(example.target));
      references.push(referenceAnswer(dataset.profile.task, example));
    }
    return new PromptMatcher(queries, targets, references);
  }

  /** The example a prompt (and label) belongs to, or undefined when no example's query is in the prompt. */
  match(prompt: string | undefined, label?: string): number | undefined {
    const p = prompt === undefined ? undefined : normalise(prompt);
    if (p !== undefined) {
      const exact = this.byQuery.get(p);
      if (exact !== undefined) return exact;
    }
    const byLabel = label === undefined ? undefined : this.byTarget.get(normalise(label));
    if (byLabel) {
      if (p === undefined) return byLabel.length === 1 ? byLabel[0] : undefined;
      let hit: number | undefined;
      for (const i of byLabel) if (p.includes(this.queries[i]) && (hit === undefined || this.queries[i].length > this.queries[hit].length)) hit = i;
      if (hit !== undefined) return hit;
    }
    if (p === undefined) return undefined;
    if (!this.found.has(p)) this.found.set(p, this.longestContained(p));
    return this.found.get(p);
  }

  /** The longest query the prompt contains (the first in dataset order among equals). */
  private longestContained(p: string): number | undefined {
    let best: number | undefined;
    let bestLength = 0;
    for (let at = 0; at < p.length; at++) {
      for (const length of this.prefixLengths) {
        if (at + length > p.length) continue;
        const candidates = this.byPrefix.get(p.slice(at, at + length));
        if (!candidates) continue;
        for (const i of candidates) {
          const q = this.queries[i];
          if ((q.length > bestLength || (q.length === bestLength && i < best!)) && p.startsWith(q, at)) {
            best = i;
            bestLength = q.length;
          }
        }
      }
    }
    return best;
  }
}

/** Sample texts gathered per checkpoint and example, then graded into a run. */
export class PromptMatchedRun {
  private readonly checkpoints = new Map<string, { step: number; texts: Map<number, string[]> }>();

  constructor(
    private readonly matcher: PromptMatcher,
    private readonly task: GradingTask,
  ) {}

  add(checkpoint: string, step: number, example: number, text: string): void {
    let c = this.checkpoints.get(checkpoint);
    if (!c) this.checkpoints.set(checkpoint, (c = { step, texts: new Map() }));
    const list = c.texts.get(example);
    if (list) list.push(text);
    else c.texts.set(example, [text]);
  }

  get size(): number {
    return this.checkpoints.size;
  }

  /** The run: checkpoints by step, accuracy from the grades, perplexity unknown (these logs hold none). */
  toRun(id: string, format: RunFormat, path: string, numExamples: number): Run {
    const ordered = [...this.checkpoints.entries()].sort((a, b) => a[1].step - b[1].step || a[0].localeCompare(b[0]));
    const grade = (example: number, texts: string[]) => texts.map((t) => gradeAgainst(this.task, this.matcher.references[example], t));
    const checkpoints: CheckpointScores[] = ordered.map(([name, c]) => {
      const col = new CheckpointColumns(numExamples);
      for (const [example, texts] of c.texts) {
        const grades = grade(example, texts);
        col.set(example, {
          accuracy: grades.filter((g) => g.outcome === 'correct').length / grades.length,
          sampleCount: Math.min(grades.length, MAX_SAMPLES),
          perplexity: NaN,
          distinctAnswers: distinctAnswerCount(grades.map((g) => g.answer)),
        });
      }
      return col.toScores(name, c.step, numExamples);
    });
    return {
      id,
      numExamples,
      checkpoints,
      source: { format, path },
      samples: {
        has: (m, i) => ordered[m]?.[1].texts.has(i) ?? false,
        read: async (m, i): Promise<ExampleSamples | undefined> => {
          const texts = ordered[m]?.[1].texts.get(i);
          if (!texts) return undefined;
          return { samples: grade(i, texts).map((g, k) => ({ text: texts[k], answer: g.answer, outcome: g.outcome })) };
        },
      },
    };
  }
}
