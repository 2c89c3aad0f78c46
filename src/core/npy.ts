// Reader for NumPy .npy files (format versions 1.x–3.x), enough for the paper's released arrays:
// little-endian float64/float32/int64/int32/uint8/bool, C order, any shape.
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InputError } from './model';

export interface NpyArray {
  dtype: string;
  shape: number[];
  /** Values as float64 (int64 values beyond 2^53 would lose precision; outcome codes and indices never do). */
  data: Float64Array;
}

/** What the header says: element type, shape, element count and where the data starts in the file. */
export interface NpyHeader {
  dtype: string;
  shape: number[];
  count: number;
  /** Byte offset of the first element. */
  offset: number;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"
const WIDTH: Record<string, number> = { '<f8': 8, '<f4': 4, '<i8': 8, '<i4': 4, '<u4': 4, '|u1': 1, '|i1': 1, '|b1': 1 };

export async function readNpy(file: string): Promise<NpyArray> {
  return parseNpy(await readFile(file), file);
}

/**
 * Reads whole files into one buffer that it reuses: a folder of arrays read this way costs no fresh memory per
 * file (page faults, zeroing, garbage collection), which for the paper's 37 MB of arrays is most of the reading
 * time. Use for arrays that are consumed or copied before the next read.
 */
export class ReusedReadBuffer {
  private buffer = Buffer.allocUnsafeSlow(4 << 20);

  /** The whole file; valid until the next read. */
  read(file: string): Buffer {
    const fd = openSync(file, 'r');
    try {
      let filled = 0;
      for (;;) {
        const room = this.buffer.length - filled;
        const got = readSync(fd, this.buffer, filled, room, null);
        filled += got;
        // A regular file returns less than asked only at its end: no extra read to see the end.
        if (got < room) return this.buffer.subarray(0, filled);
        const larger = Buffer.allocUnsafeSlow(2 * this.buffer.length);
        this.buffer.copy(larger);
        this.buffer = larger;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** Checks the magic, the header and that the data bytes are all there. */
export function parseNpyHeader(buf: Buffer, file: string): NpyHeader {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new InputError(file, 'not a NumPy .npy file (bad magic)');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new InputError(file, `unreadable .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new InputError(file, 'Fortran-ordered arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLen;
  const size = WIDTH[descr];
  if (!size) throw new InputError(file, `unsupported dtype '${descr}' (expected little-endian float or int)`);
  const found = buf.length - offset;
  if (found < count * size) throw new InputError(file, `truncated: expected ${count * size} data bytes, found ${found}`);
  return { dtype: descr, shape, count, offset };
}

/**
 * The data bytes of an array, aligned to 8 bytes so that typed arrays can view them. Headers are padded to 64
 * bytes, so data read whole from a file is aligned and viewed in place; a slice of a pooled buffer may not be,
 * and is copied.
 */
export function npyDataBytes(buf: Buffer, header: NpyHeader): Uint8Array {
  const body = buf.subarray(header.offset, header.offset + header.count * WIDTH[header.dtype]);
  return body.byteOffset % 8 === 0 ? body : Uint8Array.from(body);
}

export function parseNpy(buf: Buffer, file: string): NpyArray {
  const header = parseNpyHeader(buf, file);
  const { dtype: descr, shape, count } = header;
  const bytes = npyDataBytes(buf, header);
  const view = <T>(Kind: new (b: ArrayBufferLike, o: number, n: number) => T, n: number) => new Kind(bytes.buffer, bytes.byteOffset, n);
  let data: Float64Array;
  switch (descr) {
    case '<f8':
      data = view(Float64Array, count);
      break;
    case '<i8': {
      // Two 32-bit halves are much faster than BigInt64 reads; exact for |v| < 2^53.
      const halves = view(Int32Array, 2 * count);
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = halves[2 * i + 1] * 4294967296 + (halves[2 * i] >>> 0);
      break;
    }
    case '<f4':
      data = Float64Array.from(view(Float32Array, count));
      break;
    case '<i4':
      data = Float64Array.from(view(Int32Array, count));
      break;
    case '<u4':
      data = Float64Array.from(view(Uint32Array, count));
      break;
    case '|i1':
      data = Float64Array.from(view(Int8Array, count));
      break;
    default:
      data = Float64Array.from(bytes);
  }
  return { dtype: descr, shape, data };
}
