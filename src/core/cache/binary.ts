// A plain-data tree with typed arrays, written as one file: a JSON header that stands in for every array with
// a reference, then the arrays' bytes, each at an 8-byte aligned position. Reading it back takes one read and
// no parsing of the numbers: the arrays are views into the buffer read.
import { open, rename, rm } from 'node:fs/promises';

const MAGIC = 'PREMEMC1';
const ARRAY_TYPES = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Uint16Array,
  Int16Array,
  Uint8Array,
  Int8Array,
} as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;
type AnyTypedArray = InstanceType<(typeof ARRAY_TYPES)[ArrayTypeName]>;

interface ArrayRef {
  $array: number;
}
interface NumberRef {
  $number: 'NaN' | 'Infinity' | '-Infinity';
}

const align8 = (n: number): number => (n + 7) & ~7;

function typeName(a: ArrayBufferView): ArrayTypeName | undefined {
  for (const name of Object.keys(ARRAY_TYPES) as ArrayTypeName[]) if (a instanceof ARRAY_TYPES[name]) return name;
  return undefined;
}

/** A write started by startWriteTree: `done` settles (with the bytes written) once the file is in place. */
export interface TreeWrite {
  done: Promise<number>;
}

let writes = 0;

/**
 * Starts writing `tree` to `file`, through a temporary file and a rename so that readers never see half of it.
 * The header is encoded now; the bytes go out in one writev, a single task in libuv's thread pool that runs
 * while this thread does other work. The arrays are written as they are when that task runs.
 */
export async function startWriteTree(file: string, tree: unknown): Promise<TreeWrite> {
  const arrays: AnyTypedArray[] = [];
  const layout: { type: ArrayTypeName; offset: number; length: number }[] = [];
  let dataBytes = 0;
  const header = JSON.stringify(tree, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) as NumberRef['$number'] } satisfies NumberRef;
    if (ArrayBuffer.isView(value)) {
      const type = typeName(value);
      if (!type) throw new Error('unsupported array type in cache tree');
      layout.push({ type, offset: dataBytes, length: (value as AnyTypedArray).length });
      arrays.push(value as AnyTypedArray);
      dataBytes = align8(dataBytes + value.byteLength);
      return { $array: arrays.length - 1 } satisfies ArrayRef;
    }
    return value;
  });
  const head = Buffer.from(JSON.stringify({ layout, tree: JSON.parse(header) }), 'utf8');
  const prefix = Buffer.alloc(align8(MAGIC.length + 4 + head.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(head.length, MAGIC.length);
  head.copy(prefix, MAGIC.length + 4);
  const parts: Uint8Array[] = [prefix];
  const padding = new Uint8Array(8);
  for (const a of arrays) {
    parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const pad = align8(a.byteLength) - a.byteLength;
    if (pad > 0) parts.push(padding.subarray(0, pad));
  }
  const total = prefix.length + dataBytes;
  // Unique per write: two writes of the same file from this process may overlap.
  const temp = `${file}.${process.pid}.${++writes}.tmp`;
  const fh = await open(temp, 'w');
  const done = (async () => {
    try {
      let at = 0;
      while (at < total) {
        const { bytesWritten } = await fh.writev(partsFrom(parts, at), at);
        if (bytesWritten <= 0) throw new Error(`cannot write ${temp}`);
        at += bytesWritten;
      }
      await fh.close();
      await rename(temp, file);
      return total;
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw err;
    }
  })();
  return { done };
}

/** The parts from byte `at` of their concatenation on (after a short write). */
function partsFrom(parts: Uint8Array[], at: number): Uint8Array[] {
  if (at === 0) return parts;
  const out: Uint8Array[] = [];
  for (const p of parts) {
    if (at >= p.length) at -= p.length;
    else {
      out.push(at > 0 ? p.subarray(at) : p);
      at = 0;
    }
  }
  return out;
}

/** Writes `tree` to `file` (startWriteTree, waited for). */
export async function writeTree(file: string, tree: unknown): Promise<number> {
  return (await startWriteTree(file, tree)).done;
}

/** Reads a file written by writeTree; undefined when it is not one (or is damaged). */
export async function readTree(file: string): Promise<unknown> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = (await fh.stat()).size;
    if (size < MAGIC.length + 4) return undefined;
    // Its own ArrayBuffer (not zero-filled: every byte is read over), starting at offset 0, so that every
    // 8-byte aligned position is aligned in memory too.
    const buf = Buffer.allocUnsafeSlow(size);
    if (buf.byteOffset !== 0) return undefined;
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(buf, done, size - done, done);
      if (bytesRead === 0) return undefined;
      done += bytesRead;
    }
    if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
    const headLength = buf.readUInt32LE(MAGIC.length);
    const headEnd = MAGIC.length + 4 + headLength;
    if (headEnd > size) return undefined;
    const { layout, tree } = JSON.parse(buf.toString('utf8', MAGIC.length + 4, headEnd)) as { layout: { type: ArrayTypeName; offset: number; length: number }[]; tree: unknown };
    const dataStart = align8(headEnd);
    const views = layout.map(({ type, offset, length }) => {
      const Type = ARRAY_TYPES[type];
      if (!Type || dataStart + offset + length * Type.BYTES_PER_ELEMENT > size) throw new Error('cache array out of bounds');
      return new Type(buf.buffer, dataStart + offset, length);
    });
    return revive(tree, views);
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

function revive(value: unknown, views: AnyTypedArray[]): unknown {
  if (Array.isArray(value)) return value.map((v) => revive(v, views));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o.$array === 'number' && Object.keys(o).length === 1) return views[o.$array];
  if (typeof o.$number === 'string' && Object.keys(o).length === 1) return Number(o.$number);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = revive(v, views);
  return out;
}
