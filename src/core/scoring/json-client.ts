// JSON over HTTP for scoring servers: keep-alive connections, a timeout per attempt, and retries with
// exponential backoff and full jitter for everything a busy or restarting GPU server does (timeouts, resets,
// 429 with Retry-After, 5xx, truncated JSON). Client errors (4xx other than 408/429) fail at once with the
// server's message. The API key travels only in the Authorization header and is scrubbed from every message.
import http from 'node:http';
import https from 'node:https';
import { onAbort } from './abort';
import { Http1Pool, WireError } from './http1-keepalive';
import { ProtocolError } from './perplexity';

export interface HttpOptions {
  apiKey?: string;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Longest Retry-After honoured; longer waits are cut to this. */
  retryAfterCapMs?: number;
  /** Sockets per server; the job's concurrency limit keeps the real number lower. */
  maxSockets?: number;
  /**
   * 'http1' (default: the lean keep-alive client of http1-keepalive.ts), 'node-http' (node:http with a keep-alive Agent)
   * or 'fetch' (Node's global fetch). The last two are kept for comparison; see docs/scoring.md.
   */
  transport?: Transport;
  /** Told about every failed attempt that will be retried. */
  onRetry?: (info: RetryInfo) => void;
  /** For tests: the jitter source. */
  random?: () => number;
}

export type Transport = 'http1' | 'node-http' | 'fetch';

export interface RetryInfo {
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** Where an API key comes from, for the message of a 401 or 403. */
export const API_KEY_HINT = 'set it in the environment variable named by scoring.apiKeyEnv (PREMEM_API_KEY by default), or with "PreMem: Set Endpoint API Key" in VS Code';

/** A request that failed for good: a client error, or a retryable failure after the last retry. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number | undefined,
    /** Whether the cause was transient (the retries ran out) rather than a refusal. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export class AbortError extends Error {
  override name = 'AbortError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/**
 * Where a request goes: a URL, or a function choosing one per attempt (so a retry can go to another replica);
 * release() is called when the attempt ends, saying how: the server answered (any HTTP status), could not be
 * reached (see connectionFailed), or gave no usable answer otherwise (a timeout, a connection lost mid-answer).
 */
export type Route = string | (() => { url: string; release(outcome: AttemptOutcome): void });

export type AttemptOutcome = 'answered' | 'unreachable' | 'no-answer';

/** Options of one request. */
export interface RequestOptions {
  /**
   * The first contact with a server: when it cannot be reached or does not answer within
   * FIRST_CONTACT_TIMEOUT_MS (or timeoutMs, if shorter), the request fails after that one attempt, because a
   * server that never answered is more likely a wrong address, or a server still starting, than a passing fault.
   */
  firstContact?: boolean;
}

/** The longest wait for the first answer of a server. */
export const FIRST_CONTACT_TIMEOUT_MS = 10_000;

interface RawResponse {
  status: number;
  retryAfter: string | null;
  body: string;
}

class Retryable extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const MAX_BODY = 512 << 20;

export class JsonClient {
  private readonly agents = { http: undefined as http.Agent | undefined, https: undefined as https.Agent | undefined };
  private http1: Http1Pool | undefined;
  private readonly random: () => number;
  /** Origins that have answered with JSON at least once: a web page from one of them is a passing fault. */
  private readonly answeredJson = new Set<string>();
  /** Retried attempts so far, for progress reports. */
  retries = 0;
  /** Failed attempts so far (retried or not). */
  failures = 0;

  constructor(private readonly opts: HttpOptions) {
    this.random = opts.random ?? Math.random;
  }

  get<T>(route: Route, signal: AbortSignal | undefined, parse: (json: unknown) => T, options: RequestOptions = {}): Promise<T> {
    return this.request('GET', route, undefined, signal, parse, true, options);
  }

  /**
   * Whether a server answers a GET of url at all (any HTTP status), in one attempt of at most
   * FIRST_CONTACT_TIMEOUT_MS. For health probes: not counted among the job's failures or retries.
   */
  async answers(url: string): Promise<boolean> {
    try {
      await this.once('GET', url, undefined, undefined, 0, this.firstContactTimeoutMs());
      return true;
    } catch {
      return false;
    }
  }

  /**
   * POSTs body as JSON and returns parse(response JSON). A ProtocolError from parse counts as a malformed
   * answer and is retried like one.
   */
  post<T>(route: Route, body: unknown, signal: AbortSignal | undefined, parse: (json: unknown) => T): Promise<T> {
    return this.request('POST', route, JSON.stringify(body), signal, parse);
  }

  /** A POST whose successful answer is taken as text, JSON or not. */
  postText(route: Route, body: unknown, signal: AbortSignal | undefined): Promise<string> {
    return this.request('POST', route, JSON.stringify(body), signal, (text) => text as string, false);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agents.http?.destroy();
    this.agents.https?.destroy();
    this.http1?.close();
    this.http1 = undefined;
  }

  /** Removes the API key from text that may have come from a server or an error. */
  scrub(text: string): string {
    const key = this.opts.apiKey;
    return key && key.length >= 4 ? text.split(key).join('***') : text;
  }

  private firstContactTimeoutMs(): number {
    return Math.min(this.opts.timeoutMs, FIRST_CONTACT_TIMEOUT_MS);
  }

  private async request<T>(method: string, route: Route, body: string | undefined, signal: AbortSignal | undefined, parse: (json: unknown) => T, json = true, options: RequestOptions = {}): Promise<T> {
    const retries = this.opts.retries;
    const timeoutMs = options.firstContact ? this.firstContactTimeoutMs() : this.opts.timeoutMs;
    let url = '';
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new AbortError();
      let failure: Retryable;
      const lease = typeof route === 'string' ? { url: route, release() {} } : route();
      url = lease.url;
      try {
        const res = await this.once(method, url, body, signal, attempt, timeoutMs).then(
          (r) => {
            lease.release('answered');
            return r;
          },
          (err: unknown) => {
            lease.release(connectionFailed(err) ? 'unreachable' : 'no-answer');
            throw err;
          },
        );
        if (res.status >= 200 && res.status < 300) {
          if (!json) return parse(res.body);
          let value: unknown;
          try {
            value = JSON.parse(res.body);
            this.answeredJson.add(new URL(url).origin);
          } catch {
            if (/^\s*</.test(res.body) && !this.answeredJson.has(new URL(url).origin)) {
              // A web page from a server that never answered JSON: a wrong URL or a login proxy, which answers the
              // same on every retry. From a server that has worked, it is a passing gateway fault and is retried.
              this.failures++;
              const start = JSON.stringify(res.body.trim().slice(0, 60));
              throw new HttpError(this.scrub(`${method} ${url} failed: the server answered with HTML, not JSON (${start}); is this the base URL of the inference server's API?`), res.status, false);
            }
            throw new Retryable(`malformed JSON in the answer (${res.body.length} bytes${res.body.length ? `, ending ${JSON.stringify(res.body.slice(-40))}` : ''})`);
          }
          try {
            return parse(value);
          } catch (err) {
            if (err instanceof ProtocolError) throw new Retryable(err.message);
            throw err;
          }
        }
        const message = serverMessage(res.body);
        if (res.status === 429 || res.status === 408 || res.status >= 500) {
          throw new Retryable(`HTTP ${res.status}${message ? `: ${message}` : ''}`, res.status, parseRetryAfter(res.retryAfter));
        }
        this.failures++;
        const hint = res.status === 401 || res.status === 403 ? `; ${this.opts.apiKey ? 'the API key was refused' : 'no API key was sent'}: ${API_KEY_HINT}` : '';
        throw new HttpError(this.scrub(`${method} ${url} failed: HTTP ${res.status}${message ? `: ${message}` : ''}${hint}`), res.status, false);
      } catch (err) {
        if (err instanceof HttpError || err instanceof AbortError) throw err;
        if (signal?.aborted) throw new AbortError();
        if (isCertificateError(err)) {
          // Retrying cannot fix a certificate the client does not trust.
          this.failures++;
          const hint = 'to trust a private certificate authority, start PreMem with NODE_EXTRA_CA_CERTS=/path/to/ca.pem';
          throw new HttpError(this.scrub(`${method} ${url} failed: ${describeNetworkError(err, timeoutMs)} (${hint})`), undefined, false);
        }
        if (options.firstContact && !(err instanceof Retryable) && (connectionFailed(err) || errorCode(err) === 'TIMEOUT')) {
          this.failures++;
          throw new HttpError(this.scrub(`${method} ${url} failed: ${describeNetworkError(err, timeoutMs)}`), undefined, true);
        }
        failure = err instanceof Retryable ? err : new Retryable(describeNetworkError(err, timeoutMs));
      }
      this.failures++;
      if (attempt >= retries) {
        const what = retries === 0 ? 'failed' : `failed after ${retries + 1} attempts`;
        throw new HttpError(this.scrub(`${method} ${url} ${what}: ${failure.message}`), failure.status, true);
      }
      const backoff = this.random() * Math.min(this.opts.backoffCapMs ?? 60_000, (this.opts.backoffBaseMs ?? 1000) * 2 ** attempt);
      const delayMs = failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, this.opts.retryAfterCapMs ?? 600_000) : backoff;
      this.retries++;
      this.opts.onRetry?.({ url, attempt: attempt + 1, delayMs, reason: this.scrub(failure.message) });
      await sleep(delayMs, signal);
    }
  }

  private once(method: string, url: string, body: string | undefined, signal: AbortSignal | undefined, attempt: number, timeoutMs: number): Promise<RawResponse> {
    switch (this.opts.transport ?? 'http1') {
      case 'fetch':
        return this.viaFetch(method, url, body, signal, timeoutMs);
      case 'node-http':
        return this.viaNodeHttp(method, url, body, signal, timeoutMs);
      default:
        return this.viaHttp1(method, url, body, signal, attempt, timeoutMs);
    }
  }

  private async viaHttp1(method: string, url: string, body: string | undefined, signal: AbortSignal | undefined, attempt: number, timeoutMs: number): Promise<RawResponse> {
    const pool = (this.http1 ??= new Http1Pool(MAX_BODY));
    const request = { method, url: new URL(url), headers: this.headers(body), body: body === undefined ? undefined : Buffer.from(body) };
    const { done, cancel } = pool.request(request, (err) => {
      // Sent again at once on a new connection, without using up a retry: still a failed attempt, retried.
      this.failures++;
      this.retries++;
      this.opts.onRetry?.({ url, attempt: attempt + 1, delayMs: 0, reason: this.scrub(`the kept-alive connection closed (${err.message}); sent again on a new connection`) });
    });
    const timer = setTimeout(() => cancel(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), timeoutMs);
    const unsubscribe = onAbort(signal, () => cancel(new AbortError()));
    if (signal?.aborted) cancel(new AbortError());
    try {
      const res = await done;
      return { status: res.status, retryAfter: res.headers.get('retry-after') ?? null, body: res.body.toString('utf8') };
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  private headers(body: string | undefined): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(Buffer.byteLength(body));
    }
    if (this.opts.apiKey) h.authorization = `Bearer ${this.opts.apiKey}`;
    return h;
  }

  private agentFor(u: URL): http.Agent {
    const options = { keepAlive: true, maxSockets: this.opts.maxSockets ?? 256, scheduling: 'lifo' as const };
    if (u.protocol === 'https:') return (this.agents.https ??= new https.Agent(options));
    return (this.agents.http ??= new http.Agent(options));
  }

  private viaNodeHttp(method: string, url: string, body: string | undefined, signal: AbortSignal | undefined, timeoutMs: number): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      let timedOut = false;
      const req = mod.request(u, { method, headers: this.headers(body), agent: this.agentFor(u) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new Error(`answer larger than ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (!res.complete) return; // 'aborted'/'error' follows
          finish();
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : (ra ?? null), body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('connection closed before the answer was complete'), { code: 'ECONNRESET' }));
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      const abort = () => req.destroy(new AbortError());
      const unsubscribe = onAbort(signal, abort);
      function finish() {
        clearTimeout(timer);
        unsubscribe();
      }
      function fail(err: Error) {
        finish();
        reject(timedOut ? Object.assign(new Error('timeout'), { code: 'TIMEOUT' }) : err);
      }
      req.on('error', fail);
      if (signal?.aborted) {
        abort();
        return;
      }
      req.end(body);
    });
  }

  private async viaFetch(method: string, url: string, body: string | undefined, signal: AbortSignal | undefined, timeoutMs: number): Promise<RawResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await fetch(url, { method, body, headers: this.headers(body), signal: combined, keepalive: true });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    } catch (err) {
      if (timeout.aborted && !signal?.aborted) throw Object.assign(new Error('timeout'), { code: 'TIMEOUT' });
      throw err;
    }
  }
}

function isCertificateError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = String(e?.code ?? e?.cause?.code ?? '');
  return /CERT|SELF_SIGNED|ERR_TLS_|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

function errorCode(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  return e?.code ?? e?.cause?.code;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an attempt failed to reach the server at all: nothing listens, no route to the host, an unknown name,
 * or a connection closed before any byte of an answer (a dead server's kept-alive connections). A timeout is not
 * one: a busy server is slow, not gone.
 */
export function connectionFailed(err: unknown): boolean {
  const code = errorCode(err);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
  return err instanceof WireError && err.code === 'ECONNRESET' && !err.answered;
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = errorCode(err);
  if (code === 'TIMEOUT') return `no answer within ${timeoutMs} ms`;
  if (code === 'ECONNREFUSED') return 'connection refused (is the server up?)';
  if (code === 'ECONNRESET' || e?.message === 'socket hang up') return 'connection reset by the server';
  return `${code ? `${code}: ` : ''}${e?.cause?.message ?? e?.message ?? String(err)}`;
}

/** The error text of a server answer: vLLM {"message"} or {"error": {"message"}}, FastAPI {"detail"}, else the body's start. */
export function serverMessage(body: string): string {
  let m: unknown;
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = j.error;
    m = typeof e === 'object' && e !== null ? (e as Record<string, unknown>).message : (e ?? j.message ?? j.detail);
    if (m !== undefined && typeof m !== 'string') m = JSON.stringify(m);
  } catch {
    m = body;
  }
  const text = String(m ?? '').trim();
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** Retry-After as delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    const unsubscribe = onAbort(signal, () => {
      clearTimeout(timer);
      reject(new AbortError());
    });
  });
}
