// Reads one example's samples at one checkpoint (only when the panel asks: texts are read lazily from the log) and
// turns them into the panel's render model. A few recent results are kept so that hiding and showing the panel
// does not read and diff them again.
import { DEFAULT_BUDGET_MS, sampleViews, summarizeSamples } from '../../core/diff/sample-view';
import type { SampleRecord } from '../../core/model';
import type { AnalysisSession } from '../../core/session';
import type { SamplesPayload } from '../../../webview/example/protocol';

const CACHE_SIZE = 32;

export class SampleLoader {
  private readonly cache = new Map<string, SamplesPayload>();

  /** Forgets everything read: the session was replaced or its logs were read again. */
  clear(): void {
    this.cache.clear();
  }

  async load(session: AnalysisSession, run: number, checkpoint: number, index: number): Promise<SamplesPayload> {
    const r = session.runs[run];
    if (!r || checkpoint >= r.checkpoints.length || index >= r.numExamples) {
      return { status: 'error', message: `no checkpoint ${checkpoint} of run ${run} for example ${index}` };
    }
    const key = `${r.source.path}\u0000${r.id}\u0000${r.checkpoints[checkpoint].id}\u0000${index}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const payload = await this.read(session, run, checkpoint, index);
    if (payload.status !== 'error') {
      this.cache.set(key, payload);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    return payload;
  }

  private async read(session: AnalysisSession, run: number, checkpoint: number, index: number): Promise<SamplesPayload> {
    const source = session.runs[run].samples;
    if (!source || !source.has(checkpoint, index)) return { status: 'no-texts' };
    try {
      const read = await source.read(checkpoint, index);
      const hasTexts = (set: readonly SampleRecord[]) => set.some((s) => s.text !== '');
      const perturbed = Object.entries(read?.perturbations ?? {}).filter(([, set]) => hasTexts(set));
      if (!read || (!hasTexts(read.samples) && perturbed.length === 0)) return { status: 'no-texts' };
      const { target } = await session.dataset.get(index);
      // One diffing budget for the whole payload, so that the perturbed prompts' samples do not multiply the wait.
      const deadline = performance.now() + DEFAULT_BUDGET_MS;
      const views = (set: readonly SampleRecord[]) => sampleViews(target, hasTexts(set) ? set : [], { budgetMs: Math.max(0, deadline - performance.now()) });
      const samples = views(read.samples);
      const perturbations = perturbed.map(([name, set]) => {
        const v = views(set);
        return { name, samples: v, summary: summarizeSamples(v) };
      });
      return { status: 'ok', samples, summary: summarizeSamples(samples), perturbations };
    } catch (err) {
      return { status: 'error', message: err instanceof Error ? err.message : String(err) };
    }
  }
}
