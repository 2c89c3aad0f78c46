// The cap on requests in flight over all replicas of a job, with earlier batches served first.
import { onAbort } from './abort';
import { AbortError } from './json-client';

/**
 * A counting semaphore. Waiters are served lowest `order` first, then in arrival order: the job gives each batch
 * its sequence number, so the requests of a batch that has started (its log-prob request, sent after its
 * tokenization) go before those of later batches, and batches finish, and are written, one after another
 * instead of all at once.
 */
export class Limiter {
  private active = 0;
  private readonly waiting = new WaiterHeap();

  constructor(readonly capacity: number) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal, order = 0): Promise<T> {
    if (this.active >= this.capacity) await this.wait(signal, order);
    else this.active++;
    try {
      return await task();
    } finally {
      this.releaseSlot();
    }
  }

  private wait(signal: AbortSignal | undefined, order: number): Promise<void> {
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
      this.waiting.push(order, grant);
    });
  }

  private releaseSlot(): void {
    const next = this.waiting.pop();
    if (next) next(); // the slot moves to the waiter: active stays the same
    else this.active--;
  }
}

/** A binary min-heap of waiters by (order, arrival). */
class WaiterHeap {
  private readonly items: { order: number; arrival: number; grant: () => void }[] = [];
  private arrivals = 0;

  push(order: number, grant: () => void): void {
    const items = this.items;
    items.push({ order, arrival: this.arrivals++, grant });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): (() => void) | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.before(l, m)) m = l;
        if (r < items.length && this.before(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top.grant;
  }

  private before(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    return x.order < y.order || (x.order === y.order && x.arrival < y.arrival);
  }
}
