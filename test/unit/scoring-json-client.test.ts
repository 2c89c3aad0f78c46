import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError, HttpError, JsonClient, parseRetryAfter, type HttpOptions, type RetryInfo, type Transport } from '../../src/core/scoring/json-client';
import { Limiter } from '../../src/core/scoring/limiter';
import { ReplicaPool } from '../../src/core/scoring/pool';

type Action =
  | 'drop'
  | 'hang'
  | 'truncate'
  | 'malformed'
  | 'html'
  | 'midbody'
  | { status: number; body?: unknown; headers?: Record<string, string>; chunked?: boolean; closeDelimited?: boolean; thenClose?: boolean };

/** A server answering each request with the next scripted action (then 200 {"ok": n} once the script is spent). */
async function scripted() {
  const actions: Action[] = [];
  const seen: { url: string; authorization?: string; body: string }[] = [];
  const sockets = new Set<unknown>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url!, authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
      const action = actions.shift() ?? { status: 200, body: { ok: seen.length } };
      if (action === 'drop') return void req.socket.destroy();
      if (action === 'hang') return;
      if (action === 'truncate' || action === 'malformed' || action === 'html') {
        const text = action === 'truncate' ? '{"choices": [{"text": "ab' : action === 'malformed' ? 'choices: none' : '<!DOCTYPE html><html>Sign in</html>';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        return void res.end(text);
      }
      if (action === 'midbody') {
        const text = JSON.stringify({ padding: 'x'.repeat(1000) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        return void res.write(text.slice(0, 100), () => req.socket.destroy());
      }
      const text = action.body === undefined ? '' : typeof action.body === 'string' ? action.body : JSON.stringify(action.body);
      if (action.chunked) {
        res.writeHead(action.status, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...action.headers });
        res.write(text.slice(0, 3));
        setTimeout(() => res.end(text.slice(3)), 5);
        return;
      }
      if (action.closeDelimited) {
        res.writeHead(action.status, { 'content-type': 'application/json', connection: 'close', ...action.headers });
        res.end(text);
        return;
      }
      res.writeHead(action.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...action.headers });
      res.end(text, () => {
        if (action.thenClose) req.socket.destroy();
      });
    });
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    actions,
    seen,
    server,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const fast: Partial<HttpOptions> = { backoffBaseMs: 1, backoffCapMs: 5 };
const TRANSPORTS: Transport[] = ['http1', 'node-http', 'fetch'];

for (const transport of TRANSPORTS) {
  describe(`http client (${transport})`, () => {
    let s: Awaited<ReturnType<typeof scripted>>;
    before(async () => (s = await scripted()));
    after(() => s.close());
    const client = (opts: Partial<HttpOptions> = {}) => new JsonClient({ timeoutMs: 2000, retries: 6, transport, ...fast, ...opts });

    test('retries resets, 5xx, 429, truncated and malformed JSON, then returns the answer', async () => {
      s.actions.push('drop', { status: 500, body: { object: 'error', message: 'boom' } }, { status: 429 }, 'truncate', 'malformed', 'midbody');
      const retries: RetryInfo[] = [];
      const c = client({ onRetry: (r) => retries.push(r) });
      const before = s.seen.length;
      const answer = await c.post(`${s.url}/v1/completions`, { prompt: 'x' }, undefined, (j) => j as { ok: number });
      assert.equal(answer.ok, before + 7);
      assert.equal(c.retries, 6);
      assert.equal(retries.length, 6);
      assert.match(retries[0].reason, /reset|closed|socket|fetch failed|terminated/i);
      assert.match(retries[1].reason, /HTTP 500: boom/);
      assert.match(retries[2].reason, /HTTP 429/);
      assert.match(retries[3].reason, /malformed JSON/);
      assert.match(retries[4].reason, /malformed JSON/);
      c.close();
    });

    test('a client error fails at once with the server message', async () => {
      s.actions.push({ status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens", type: 'BadRequestError' } } });
      const c = client();
      await assert.rejects(
        c.post(`${s.url}/v1/completions`, {}, undefined, (j) => j),
        (err: unknown) => err instanceof HttpError && err.status === 400 && !err.transient && /HTTP 400: This model's maximum context length/.test(err.message),
      );
      assert.equal(c.retries, 0);
      c.close();
    });

    test('a 200 with a web page from a server that never answered JSON fails at once; after JSON it is retried', async () => {
      s.actions.push('html');
      const c = client();
      await assert.rejects(
        c.post(`${s.url}/v1/completions`, {}, undefined, (j) => j),
        (err: unknown) => err instanceof HttpError && !err.transient && /answered with HTML, not JSON .*base URL/.test(err.message),
      );
      assert.equal(c.retries, 0);
      await c.post(`${s.url}/x`, {}, undefined, (j) => j);
      s.actions.push('html');
      const answer = await c.post(`${s.url}/x`, {}, undefined, (j) => j as { ok: number });
      assert.ok(answer.ok > 0);
      assert.equal(c.retries, 1);
      c.close();
    });

    test('a 401 says where the API key comes from', async () => {
      s.actions.push({ status: 401, body: { message: 'Unauthorized' } }, { status: 401, body: { message: 'Unauthorized' } });
      const without = await client().post(`${s.url}/x`, {}, undefined, (j) => j).catch((e: Error) => e);
      assert.ok(without instanceof HttpError && /HTTP 401: Unauthorized; no API key was sent: .*PREMEM_API_KEY.*Set Endpoint API Key/.test(without.message), String(without));
      const wrong = await client({ apiKey: 'sk-wrong-key-1234' }).post(`${s.url}/x`, {}, undefined, (j) => j).catch((e: Error) => e);
      assert.ok(wrong instanceof HttpError && /the API key was refused: /.test(wrong.message), String(wrong));
    });

    test('retries run out with a message saying how many attempts were made', async () => {
      s.actions.push(...Array(3).fill({ status: 503, body: { message: 'overloaded' } }));
      const c = client({ retries: 2 });
      await assert.rejects(c.post(`${s.url}/x`, {}, undefined, (j) => j), (err: unknown) => err instanceof HttpError && err.transient && /failed after 3 attempts: HTTP 503: overloaded/.test(err.message));
      c.close();
    });

    test('Retry-After (seconds) is honoured over the backoff', async () => {
      s.actions.push({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } });
      const delays: number[] = [];
      const c = client({ random: () => 0, onRetry: (r) => delays.push(r.delayMs) });
      const t0 = performance.now();
      await c.post(`${s.url}/x`, {}, undefined, (j) => j);
      const elapsed = performance.now() - t0;
      assert.deepEqual(delays, [1000]);
      assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
      c.close();
    });

    test('a request with no answer times out and is retried', async () => {
      s.actions.push('hang');
      const reasons: string[] = [];
      const c = client({ timeoutMs: 150, onRetry: (r) => reasons.push(r.reason) });
      const answer = await c.post(`${s.url}/x`, {}, undefined, (j) => j as { ok: number });
      assert.ok(answer.ok > 0);
      assert.deepEqual(reasons, ['no answer within 150 ms']);
      c.close();
    });

    test('an abort stops a request in flight and its retries', async () => {
      s.actions.push('hang');
      const c = client({ timeoutMs: 60_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const t0 = performance.now();
      await assert.rejects(c.post(`${s.url}/x`, {}, controller.signal, (j) => j), AbortError);
      assert.ok(performance.now() - t0 < 2000);
      s.actions.push({ status: 500 }, { status: 500 });
      const c2 = client({ backoffBaseMs: 10_000, backoffCapMs: 10_000, random: () => 1 });
      const c2controller = new AbortController();
      setTimeout(() => c2controller.abort(), 100);
      await assert.rejects(c2.post(`${s.url}/x`, {}, c2controller.signal, (j) => j), AbortError);
      s.actions.length = 0;
      c.close();
      c2.close();
    });

    test('the API key goes in the Authorization header and never into messages', async () => {
      const key = 'sk-test-0123456789abcdef';
      s.actions.push({ status: 500, body: { message: `bad key ${key}` } }, { status: 401, body: { message: `key ${key} is not valid` } });
      const reasons: string[] = [];
      const c = client({ apiKey: key, onRetry: (r) => reasons.push(r.reason) });
      const err = await c.post(`${s.url}/x`, {}, undefined, (j) => j).catch((e: Error) => e);
      assert.ok(err instanceof HttpError);
      assert.ok(!err.message.includes(key) && err.message.includes('***'), err.message);
      assert.ok(!String(err.stack).includes(key));
      assert.ok(reasons.length === 1 && !reasons[0].includes(key) && reasons[0].includes('***'));
      assert.equal(s.seen.at(-1)!.authorization, `Bearer ${key}`);
      c.close();
    });
  });
}

describe('lean HTTP/1.1 transport', () => {
  let s: Awaited<ReturnType<typeof scripted>>;
  before(async () => (s = await scripted()));
  after(() => s.close());

  test('reuses one kept-alive connection for sequential requests', async () => {
    const c = new JsonClient({ timeoutMs: 2000, retries: 0 });
    const before = s.connections;
    for (let i = 0; i < 20; i++) await c.post(`${s.url}/x`, { i }, undefined, (j) => j);
    assert.equal(s.connections - before, 1);
    c.close();
  });

  test('reads chunked and close-delimited bodies, and GETs', async () => {
    const c = new JsonClient({ timeoutMs: 2000, retries: 0 });
    s.actions.push({ status: 200, body: { data: [{ id: 'ep1' }] }, chunked: true }, { status: 200, body: { tokens: [1, 2, 3] }, closeDelimited: true });
    assert.deepEqual(await c.get(`${s.url}/v1/models`, undefined, (j) => j), { data: [{ id: 'ep1' }] });
    assert.deepEqual(await c.post(`${s.url}/tokenize`, {}, undefined, (j) => j), { tokens: [1, 2, 3] });
    assert.equal(s.seen.at(-1)!.body, '{}');
    c.close();
  });

  test('a kept-alive connection the server closed while idle is replaced without a retry', async () => {
    const c = new JsonClient({ timeoutMs: 2000, retries: 0 });
    await c.post(`${s.url}/x`, {}, undefined, (j) => j);
    s.server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 20));
    await c.post(`${s.url}/x`, {}, undefined, (j) => j);
    assert.equal(c.retries, 0);
    c.close();
  });

  test('a server that drops kept-alive connections right after answering: every request is answered, each re-send counted', async () => {
    const c = new JsonClient({ timeoutMs: 2000, retries: 0 });
    const before = s.seen.length;
    for (let i = 0; i < 10; i++) s.actions.push({ status: 200, body: { i }, thenClose: true });
    for (let i = 0; i < 10; i++) assert.deepEqual(await c.post(`${s.url}/x`, {}, undefined, (j) => j), { i });
    // A request sent on a connection that was closing reaches the server but gets no answer: it is sent again.
    assert.equal(c.failures, c.retries);
    assert.ok(c.retries <= 10, String(c.retries));
    c.close();
    assert.ok(s.seen.length - before >= 10, String(s.seen.length - before));
  });

  test('a request dropped on a reused connection and sent again counts as a failed attempt and a retry', async () => {
    const retried: RetryInfo[] = [];
    const c = new JsonClient({ timeoutMs: 2000, retries: 0, onRetry: (r) => retried.push(r) });
    await c.post(`${s.url}/x`, {}, undefined, (j) => j);
    s.actions.push('drop');
    await c.post(`${s.url}/x`, {}, undefined, (j) => j);
    assert.deepEqual([c.failures, c.retries], [1, 1]);
    assert.equal(retried.length, 1);
    assert.match(retried[0].reason, /closed .* sent again on a new connection/);
    c.close();
  });

  test('plain-text answers (vLLM adapter routes) are taken as text', async () => {
    const c = new JsonClient({ timeoutMs: 2000, retries: 0 });
    s.actions.push({ status: 200, body: "Success: LoRA adapter 'ep4' added successfully." });
    assert.equal(await c.postText(`${s.url}/v1/load_lora_adapter`, {}, undefined), "Success: LoRA adapter 'ep4' added successfully.");
    c.close();
  });
});

describe('replicas', () => {
  test('a retry goes to another replica, so one dead replica costs one retry at most', async () => {
    const good = await scripted();
    const dead = await scripted();
    try {
      const client = new JsonClient({ timeoutMs: 2000, retries: 1, ...fast });
      const pool = new ReplicaPool(client, new Limiter(4));
      for (let i = 0; i < 12; i++) {
        dead.actions.push('drop');
        await pool.post([dead.url, good.url], '/x', {}, undefined, (j) => j);
      }
      assert.ok(dead.seen.length > 0 && good.seen.length === 12, `dead ${dead.seen.length}, good ${good.seen.length}`);
      assert.equal(client.retries, dead.seen.length);
      client.close();
    } finally {
      await good.close();
      await dead.close();
    }
  });

  test('when every replica is down, requests still go to them with the usual retries; one that answers is up again', async () => {
    const a = await scripted();
    const b = await scripted();
    try {
      const notes: string[] = [];
      const client = new JsonClient({ timeoutMs: 2000, retries: 8, ...fast });
      const pool = new ReplicaPool(client, new Limiter(4), { downAfter: 1, probeBaseMs: 60_000, onNote: (n) => notes.push(n) });
      for (let i = 0; i < 3; i++) a.actions.push('drop');
      for (let i = 0; i < 3; i++) b.actions.push('drop');
      assert.ok(await pool.post([a.url, b.url], '/x', {}, undefined, (j) => j));
      assert.ok(notes.includes(`${a.url} stopped answering (1 connection failure in a row); it gets no requests until it answers again`), notes.join('\n'));
      assert.ok(notes.some((n) => n.startsWith(`${b.url} stopped answering`)), notes.join('\n'));
      const answered = [a, b].find((s) => pool.isDown(s.url) === false);
      assert.ok(answered && notes.includes(`${answered.url} answers again; it gets requests again`), notes.join('\n'));
      assert.equal(client.retries, a.seen.length + b.seen.length - 1);
      pool.close();
      client.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('requests in flight go to the least busy replica', async () => {
    const pool = new ReplicaPool(new JsonClient({ timeoutMs: 1000, retries: 0 }), new Limiter(8));
    const held = [pool.route(['a', 'b', 'c'], '/x')(), pool.route(['a', 'b', 'c'], '/x')()];
    const third = pool.route(['a', 'b', 'c'], '/x')();
    assert.deepEqual(new Set([...held, third].map((l) => l.url)), new Set(['a/x', 'b/x', 'c/x']));
    held[0].release('answered');
    const next = pool.route(['a', 'b', 'c'], '/x')();
    assert.equal(next.url, held[0].url);
  });
});

test('Retry-After parses delay-seconds and HTTP-dates', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter('0.5', now), 500);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:03 GMT', now), 3000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});
