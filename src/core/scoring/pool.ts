// Spreads requests over a checkpoint's replicas and caps the requests in flight over all of them.
// Each attempt goes to the replica with the fewest requests in flight (ties rotate), so a retry after a reset
// usually lands on a healthy replica, and a slow replica gets less work. A replica that cannot be reached several
// times in a row is marked down: a dead replica fails fast, so it always has the fewest requests in flight and
// would otherwise draw most of them. It gets no requests until a probe, repeated with backoff, finds it answering.
import { setMaxListeners } from 'node:events';
import type { AttemptOutcome, JsonClient, RequestOptions } from './json-client';
import type { Limiter } from './limiter';

export interface ReplicaHealthOptions {
  /** Connection failures in a row (no answer between them) that mark a replica down. */
  downAfter: number;
  /** First wait before probing a replica that is down; it doubles after each probe it does not answer. */
  probeBaseMs: number;
  probeCapMs: number;
  /** Told when a replica is marked down or answers again. */
  onNote?: (message: string) => void;
}

export const DEFAULT_REPLICA_HEALTH: ReplicaHealthOptions = { downAfter: 3, probeBaseMs: 1000, probeCapMs: 30_000 };

/** Every flavour's servers answer it cheaply, without touching the GPU. */
const PROBE_PATH = '/v1/models';

export class ReplicaPool {
  private readonly inFlight = new Map<string, number>();
  private readonly failuresInRow = new Map<string, number>();
  /** Replicas marked down, with the timer of their next probe. */
  private readonly down = new Map<string, NodeJS.Timeout>();
  private readonly health: ReplicaHealthOptions;
  private closed = false;
  private turn = 0;

  constructor(
    readonly client: JsonClient,
    readonly limiter: Limiter,
    health: Partial<ReplicaHealthOptions> = {},
  ) {
    this.health = { ...DEFAULT_REPLICA_HEALTH, ...health };
  }

  /** A route for JsonClient: each attempt picks the least busy of bases that are up, and a retry avoids the replica that just failed. */
  route(bases: readonly string[], path: string) {
    let previous: string | undefined;
    return () => {
      const base = this.pick(bases, previous);
      previous = base;
      this.inFlight.set(base, (this.inFlight.get(base) ?? 0) + 1);
      return {
        url: base + path,
        release: (outcome: AttemptOutcome) => {
          this.inFlight.set(base, (this.inFlight.get(base) ?? 1) - 1);
          // Marking the only replica of a request down would change nothing: it gets the request anyway.
          if (bases.length > 1 || outcome === 'answered') this.observe(base, outcome);
        },
      };
    };
  }

  /** Whether a replica is marked down. */
  isDown(base: string): boolean {
    return this.down.has(base);
  }

  /** Stops probing replicas that are down. */
  close(): void {
    this.closed = true;
    for (const timer of this.down.values()) clearTimeout(timer);
    this.down.clear();
  }

  /** order: the batch's sequence number; lower goes first when requests wait for a slot (see Limiter). */
  post<T>(bases: readonly string[], path: string, body: unknown, signal: AbortSignal | undefined, parse: (json: unknown) => T, order?: number): Promise<T> {
    return this.limiter.run(() => this.client.post(this.route(bases, path), body, signal, parse), signal, order);
  }

  /** A POST whose answer is plain text (vLLM's adapter routes). */
  postText(bases: readonly string[], path: string, body: unknown, signal: AbortSignal | undefined): Promise<string> {
    return this.limiter.run(() => this.client.postText(this.route(bases, path), body, signal), signal);
  }

  get<T>(base: string, path: string, signal: AbortSignal | undefined, parse: (json: unknown) => T, options?: RequestOptions): Promise<T> {
    return this.limiter.run(() => this.client.get(base + path, signal, parse, options), signal);
  }

  /**
   * The least busy replica that is up, other than the one to avoid. When every replica is down, requests still go
   * out (with the client's retries and backoff), so replicas that have worked get the long retries they always did.
   */
  private pick(bases: readonly string[], avoid: string | undefined): string {
    if (bases.length === 1) return bases[0];
    const start = this.turn++ % bases.length;
    return this.leastBusy(bases, start, (b) => b === avoid || this.down.has(b)) ?? this.leastBusy(bases, start, (b) => b === avoid) ?? bases[start];
  }

  private leastBusy(bases: readonly string[], start: number, skip: (base: string) => boolean): string | undefined {
    let best: string | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < bases.length; i++) {
      const b = bases[(start + i) % bases.length];
      if (skip(b)) continue;
      const load = this.inFlight.get(b) ?? 0;
      if (load < bestLoad) {
        best = b;
        bestLoad = load;
      }
    }
    return best;
  }

  private observe(base: string, outcome: AttemptOutcome): void {
    if (outcome === 'answered') {
      this.failuresInRow.delete(base);
      // A request that went to it while every replica was down, and was answered.
      if (this.down.has(base)) this.markUp(base);
      return;
    }
    if (outcome !== 'unreachable' || this.down.has(base) || this.closed) return;
    const n = (this.failuresInRow.get(base) ?? 0) + 1;
    this.failuresInRow.set(base, n);
    if (n < this.health.downAfter) return;
    this.health.onNote?.(`${base} stopped answering (${n} connection failure${n === 1 ? '' : 's'} in a row); it gets no requests until it answers again`);
    this.probeLater(base, 0);
  }

  private probeLater(base: string, probes: number): void {
    const delay = Math.min(this.health.probeCapMs, this.health.probeBaseMs * 2 ** probes);
    const timer = setTimeout(() => {
      if (this.closed) return;
      void this.client.answers(base + PROBE_PATH).then((up) => {
        // Closed, or found answering meanwhile by a request.
        if (this.closed || this.down.get(base) !== timer) return;
        if (up) this.markUp(base);
        else this.probeLater(base, probes + 1);
      });
    }, delay);
    timer.unref?.();
    this.down.set(base, timer);
  }

  private markUp(base: string): void {
    clearTimeout(this.down.get(base));
    this.down.delete(base);
    this.failuresInRow.delete(base);
    this.health.onNote?.(`${base} answers again; it gets requests again`);
  }
}

/** An AbortController following an outer signal, with the listener limit lifted (hundreds of requests listen to it). */
export function linkedController(outer?: AbortSignal): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  if (outer) {
    if (outer.aborted) c.abort(outer.reason);
    else outer.addEventListener('abort', () => c.abort(outer.reason), { once: true });
  }
  return c;
}
