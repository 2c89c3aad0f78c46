// A lean HTTP/1.1 client for JSON requests over kept-alive sockets. Scoring sends thousands of small requests
// per second (two /tokenize calls per example); node:http's ClientRequest/IncomingMessage machinery costs about
// three times the CPU per request of writing the request bytes and parsing the answer here (see docs/scoring.md).
// One request at a time per socket (no pipelining); bodies by Content-Length, chunked encoding, or until close.
import net from 'node:net';
import tls from 'node:tls';

export interface Http1Response {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

export interface Http1Request {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
}

const MAX_HEAD = 64 << 10;
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** Thrown for anything that goes wrong on the wire; the code tells the retry layer what happened. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly code: 'ECONNRESET' | 'ECONNREFUSED' | 'EPROTO' | 'TOOBIG' | string,
    /** Whether any byte of an answer had arrived. */
    readonly answered = true,
  ) {
    super(message);
  }
}

interface Conn {
  socket: net.Socket;
  origin: string;
}

export class Http1Pool {
  private readonly idle = new Map<string, Conn[]>();
  private readonly live = new Set<net.Socket>();
  private closed = false;

  constructor(private readonly maxBody = 512 << 20) {}

  /**
   * Sends one request; the returned cancel() destroys its socket (timeouts, aborts). A request that a reused
   * connection drops before any answer is sent once more on a new connection, and onResend is told, so that the
   * caller counts it as a failed attempt: a server that drops requests looks the same as one that closed an
   * idle connection just as the request went out.
   */
  request(req: Http1Request, onResend?: (err: WireError) => void): { done: Promise<Http1Response>; cancel(err: Error): void } {
    let cancelled: Error | undefined;
    let socket: net.Socket | undefined;
    let rejectDone: (err: Error) => void = () => {};
    const origin = `${req.url.protocol}//${req.url.host}`;
    const attempt = (allowStale: boolean): Promise<Http1Response> => {
      if (this.closed) return Promise.reject(new WireError('the client is closed', 'ECONNRESET'));
      const reused = allowStale ? this.takeIdle(origin) : undefined;
      const conn = reused ?? this.connect(req.url, origin);
      socket = conn.socket;
      return exchange(conn, req, this.maxBody).then(
        ({ response, keepAlive }) => {
          if (keepAlive && !cancelled && !this.closed) this.putIdle(conn);
          else conn.socket.destroy();
          return response;
        },
        (err: Error) => {
          conn.socket.destroy();
          if (cancelled) throw cancelled;
          // A kept-alive socket the server had just closed (or a dropped request): once more on a fresh one.
          if (reused && err instanceof WireError && !err.answered) {
            onResend?.(err);
            return attempt(false);
          }
          throw err;
        },
      );
    };
    const done = new Promise<Http1Response>((resolve, reject) => {
      rejectDone = reject;
      attempt(true).then(resolve, reject);
    });
    return {
      done,
      cancel: (err: Error) => {
        if (cancelled) return;
        cancelled = err;
        if (socket) socket.destroy();
        rejectDone(err);
      },
    };
  }

  close(): void {
    this.closed = true;
    for (const s of this.live) s.destroy();
    this.live.clear();
    this.idle.clear();
  }

  private connect(url: URL, origin: string): Conn {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket =
      url.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host, port });
    socket.setNoDelay(true);
    // Errors of an idle socket have no request to fail; the exchange in progress has its own listener.
    socket.on('error', () => undefined);
    this.live.add(socket);
    socket.once('close', () => {
      this.live.delete(socket);
      const list = this.idle.get(origin);
      if (list) {
        const i = list.findIndex((c) => c.socket === socket);
        if (i >= 0) list.splice(i, 1);
      }
    });
    return { socket, origin };
  }

  private takeIdle(origin: string): Conn | undefined {
    const list = this.idle.get(origin);
    while (list && list.length > 0) {
      const conn = list.pop()!;
      if (!conn.socket.destroyed && conn.socket.readyState === 'open') {
        conn.socket.ref();
        return conn;
      }
    }
    return undefined;
  }

  private putIdle(conn: Conn): void {
    conn.socket.unref(); // an idle connection does not keep the process alive
    let list = this.idle.get(conn.origin);
    if (!list) this.idle.set(conn.origin, (list = []));
    list.push(conn);
  }
}

/** Writes the request and reads one response from the socket. */
function exchange(conn: Conn, req: Http1Request, maxBody: number): Promise<{ response: Http1Response; keepAlive: boolean }> {
  const { socket } = conn;
  return new Promise((resolve, reject) => {
    // Until the head is parsed, buf holds everything received; after it, body chunks gather in `chunks` and
    // are joined once, when Content-Length says the body is complete.
    let buf: Buffer = Buffer.alloc(0);
    let head: { status: number; headers: Map<string, string>; length: number | undefined; chunked: boolean } | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let answered = false;
    let settled = false;
    const finish = (err: Error | undefined, value?: { response: Http1Response; keepAlive: boolean }) => {
      if (settled) return;
      settled = true;
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('end', onEnd);
      if (err) reject(err);
      else resolve(value!);
    };
    const complete = (body: Buffer, keepAlive: boolean) => {
      const h = head!;
      finish(undefined, { response: { status: h.status, headers: h.headers, body }, keepAlive: keepAlive && (h.headers.get('connection') ?? '').toLowerCase() !== 'close' });
    };
    const onError = (err: NodeJS.ErrnoException) => finish(new WireError(err.message, err.code ?? 'ECONNRESET', answered));
    const onEnd = () => {
      // A body delimited by the connection's end is complete now.
      if (head && head.length === undefined && !head.chunked) complete(Buffer.concat(chunks), false);
    };
    const onClose = () => finish(new WireError('connection closed before the answer was complete', 'ECONNRESET', answered));
    const onData = (chunk: Buffer) => {
      answered = true;
      try {
        if (head) return body(chunk);
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (;;) {
          const end = buf.indexOf(CRLF_CRLF);
          if (end < 0) {
            if (buf.length > MAX_HEAD) throw new WireError('answer headers larger than 64 KiB', 'EPROTO');
            return;
          }
          const parsed = parseHead(buf.toString('latin1', 0, end));
          const rest = buf.subarray(end + 4);
          if (parsed.status >= 100 && parsed.status < 200) {
            buf = rest; // an interim answer (103 Early Hints): the real one follows
            continue;
          }
          const chunked = /\bchunked\b/i.test(parsed.headers.get('transfer-encoding') ?? '');
          const lengthText = parsed.headers.get('content-length');
          let length: number | undefined;
          if (!chunked && lengthText !== undefined) {
            length = Number(lengthText);
            if (!Number.isSafeInteger(length) || length < 0) throw new WireError(`bad Content-Length ${JSON.stringify(lengthText)}`, 'EPROTO');
            if (length > maxBody) throw new WireError(`answer larger than ${maxBody} bytes`, 'TOOBIG');
          }
          head = { ...parsed, length, chunked };
          if (req.method === 'HEAD' || parsed.status === 204 || parsed.status === 304) return complete(Buffer.alloc(0), true);
          return body(rest);
        }
      } catch (err) {
        finish(err as Error);
      }
    };
    const body = (chunk: Buffer) => {
      const h = head!;
      if (chunk.length > 0) {
        chunks.push(chunk);
        received += chunk.length;
      }
      if (received > maxBody + (h.chunked ? 1 << 20 : 0)) throw new WireError(`answer larger than ${maxBody} bytes`, 'TOOBIG');
      if (h.length !== undefined) {
        if (received >= h.length) complete(chunks.length === 1 ? chunks[0].subarray(0, h.length) : Buffer.concat(chunks).subarray(0, h.length), true);
        return;
      }
      if (h.chunked) {
        const joined = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        chunks.length = 0;
        chunks.push(joined);
        const decoded = readChunked(joined, maxBody);
        if (decoded) complete(decoded, true);
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('end', onEnd);
    let text = `${req.method} ${req.url.pathname}${req.url.search} HTTP/1.1\r\nhost: ${req.url.host}\r\nconnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(req.headers)) {
      if (/[\r\n]/.test(v)) return finish(new WireError(`header ${k} holds a line break`, 'EPROTO'));
      text += `${k}: ${v}\r\n`;
    }
    text += '\r\n';
    socket.write(req.body ? Buffer.concat([Buffer.from(text, 'latin1'), req.body]) : Buffer.from(text, 'latin1'));
  });
}

function parseHead(text: string): { status: number; headers: Map<string, string> } {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new WireError(`not an HTTP/1.x answer: ${JSON.stringify(lines[0].slice(0, 60))}`, 'EPROTO');
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(m[1]), headers };
}

/** The decoded body when buf holds the whole chunked body (with its trailers); undefined while more is to come. */
function readChunked(buf: Buffer, maxBody: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  let size = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const sizeText = buf.toString('latin1', at, lineEnd).split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new WireError(`bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`, 'EPROTO');
    const n = parseInt(sizeText, 16);
    if (n === 0) {
      // Trailer lines, if any, end with an empty line.
      let t = lineEnd + 2;
      for (;;) {
        const e = buf.indexOf('\r\n', t);
        if (e < 0) return undefined;
        if (e === t) return Buffer.concat(parts);
        t = e + 2;
      }
    }
    size += n;
    if (size > maxBody) throw new WireError(`answer larger than ${maxBody} bytes`, 'TOOBIG');
    if (buf.length < lineEnd + 2 + n + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + n));
    at = lineEnd + 2 + n + 2;
  }
}
