// Spreads requests over a checkpoint's replicas and caps the requests in flight over all of them.
// Each attempt goes to the replica with the fewest requests in flight (ties rotate), so a retry after a reset
// usually lands on a healthy replica, and a slow replica gets less work.
import { setMaxListeners } from 'node:events';
import { onAbort } from './abort';
import { AbortError, type JsonClient } from './json-client';

/** A counting semaphore; waiters are served in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.capacity) await this.wait(signal);
    else this.active++;
    try {
      return await task();
    } finally {
      this.releaseSlot();
    }
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError());
      let settled = false;
      const grant = () => {
        if (settled) {
          this.releaseSlot(); // the waiter gave up: pass the slot on
          return;
        }
        settled = true;
        unsubscribe();
        resolve();
      };
      const unsubscribe = onAbort(signal, () => {
        if (settled) return;
        settled = true;
        reject(new AbortError());
      });
      this.waiting.push(grant);
    });
  }

  private releaseSlot(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next(); // the slot moves to the waiter: active stays the same
    } else {
      this.active--;
    }
  }
}

export class ReplicaPool {
  private readonly inFlight = new Map<string, number>();
  private turn = 0;

  constructor(
    readonly client: JsonClient,
    readonly limiter: Limiter,
  ) {}

  /** A route for JsonClient: each attempt picks the least busy of bases, and a retry avoids the replica that just failed. */
  route(bases: readonly string[], path: string) {
    let previous: string | undefined;
    return () => {
      const base = this.pick(bases, previous);
      previous = base;
      this.inFlight.set(base, (this.inFlight.get(base) ?? 0) + 1);
      return {
        url: base + path,
        release: () => this.inFlight.set(base, (this.inFlight.get(base) ?? 1) - 1),
      };
    };
  }

  post<T>(bases: readonly string[], path: string, body: unknown, signal: AbortSignal | undefined, parse: (json: unknown) => T): Promise<T> {
    return this.limiter.run(() => this.client.post(this.route(bases, path), body, signal, parse), signal);
  }

  /** A POST whose answer is plain text (vLLM's adapter routes). */
  postText(bases: readonly string[], path: string, body: unknown, signal: AbortSignal | undefined): Promise<string> {
    return this.limiter.run(() => this.client.postText(this.route(bases, path), body, signal), signal);
  }

  get<T>(base: string, path: string, signal: AbortSignal | undefined, parse: (json: unknown) => T): Promise<T> {
    return this.limiter.run(() => this.client.get(base + path, signal, parse), signal);
  }

  private pick(bases: readonly string[], avoid: string | undefined): string {
    if (bases.length === 1) return bases[0];
    const start = this.turn++ % bases.length;
    let best: string | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < bases.length; i++) {
      const b = bases[(start + i) % bases.length];
      if (b === avoid) continue;
      const load = this.inFlight.get(b) ?? 0;
      if (load < bestLoad) {
        best = b;
        bestLoad = load;
      }
    }
    return best ?? bases[start];
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
