/**
 * The safetensors format: an 8-byte little-endian header length n, n bytes of JSON
 * mapping each tensor name to {dtype, shape, data_offsets: [begin, end]} (byte offsets
 * into the data that follows; an optional `__metadata__` of strings), then the raw
 * little-endian data. F32 is read and written; F16 and BF16 are read and converted.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { UserError } from '../core/errors.ts';

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsEntry>;
  /** The values of one tensor as float32 (converted from F16/BF16). */
  read(name: string): Float32Array;
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Parses a safetensors file held in `bytes`; `source` names it in error messages. */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes.length < 8) throw invalid(source, 'shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw invalid(source, `header length ${headerLength} runs past the end of the file`);
  const dataStart = 8 + headerLength;
  const { metadata, tensors } = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, source);
  const read = (name: string): Float32Array => {
    const entry = tensors.get(name);
    if (!entry) throw new UserError(`${source}: has no tensor named ${name}`);
    // Copy to an aligned buffer: the data of a tensor need not start on a 4-byte boundary.
    return toFloat32(new Uint8Array(bytes.subarray(dataStart + entry.begin, dataStart + entry.end)), entry.dtype, name, source); // a copy (Buffer.slice would not copy)
  };
  return { metadata, tensors, read };
}

/**
 * A safetensors file on disk, read lazily: its header now, each tensor's bytes only when
 * asked (by offset through a file handle), so a large file never sits whole in memory.
 * Call close() when done.
 */
export interface SafetensorsReader {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsEntry>;
  /** The values of one tensor as float32 (converted from F16/BF16). */
  read(name: string): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Opens the safetensors file at `path` (named so in messages) for reading tensor by tensor. */
export async function openSafetensors(path: string): Promise<SafetensorsReader> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 8) throw invalid(path, 'shorter than its 8-byte header length');
    const lengthBytes = await readExactly(handle, 0, 8);
    const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
    if (8 + headerLength > size) throw invalid(path, `header length ${headerLength} runs past the end of the file`);
    const dataStart = 8 + headerLength;
    const { metadata, tensors } = parseHeader(await readExactly(handle, 8, headerLength), size - dataStart, path);
    const read = async (name: string): Promise<Float32Array> => {
      const entry = tensors.get(name);
      if (!entry) throw new UserError(`${path}: has no tensor named ${name}`);
      return toFloat32(await readExactly(handle, dataStart + entry.begin, entry.end - entry.begin), entry.dtype, name, path);
    };
    return { metadata, tensors, read, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) throw new UserError(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return out;
}

function invalid(source: string, what: string): UserError {
  return new UserError(`${source}: not a valid safetensors file: ${what}`);
}

function parseHeader(headerBytes: Uint8Array, dataLength: number, source: string): { metadata: Record<string, string>; tensors: Map<string, SafetensorsEntry> } {
  const fail = (what: string) => invalid(source, what);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (error) {
    throw fail(`its header is not JSON (${(error as Error).message})`);
  }
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw fail(`tensor ${name} has unknown dtype ${dtype}`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) throw fail(`tensor ${name} lacks a shape or data_offsets`);
    const [begin, end] = offsets;
    const size = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== size * BYTES[dtype] || begin < 0 || end > dataLength) {
      throw fail(`tensor ${name}: data_offsets [${begin}, ${end}] do not fit ${dtype} [${shape}] in ${dataLength} bytes of data`);
    }
    tensors.set(name, { dtype, shape, begin, end });
  }
  return { metadata: (header.__metadata__ ?? {}) as Record<string, string>, tensors };
}

/** A tensor's raw bytes (in their own aligned buffer) as float32. */
function toFloat32(raw: Uint8Array, dtype: string, name: string, source: string): Float32Array {
  switch (dtype) {
    case 'F32':
      return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    case 'F16':
      return Float32Array.from(new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2), halfToFloat);
    case 'BF16': {
      const out = new Uint32Array(raw.length / 2);
      const halves = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
      for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
      return new Float32Array(out.buffer);
    }
    default:
      throw new UserError(`${source}: tensor ${name} is ${dtype}; only F32, F16 and BF16 can be read as weights`);
  }
}

/**
 * Serialises float32 tensors (in the given order) as safetensors, with
 * `__metadata__: {format: "pt"}`, which Hugging Face transformers requires. The header
 * is padded with spaces to a multiple of 8 bytes so that the data is aligned.
 */
export function serializeSafetensors(
  tensors: { name: string; shape: number[]; values: Float32Array }[],
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  for (const { name, shape, values } of tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`safetensors: tensor ${name} has ${values.length} values for shape [${shape}]`);
  }
  const head = safetensorsHeader(tensors, metadata);
  const out = new Uint8Array(head.length + tensors.reduce((sum, t) => sum + t.values.byteLength, 0));
  out.set(head, 0);
  let position = head.length;
  for (const { values } of tensors) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), position);
    position += values.byteLength;
  }
  return out;
}

/**
 * The bytes before the data of a float32 safetensors file holding `tensors` in this order:
 * the 8-byte header length and the JSON header, padded with spaces to a multiple of 8
 * bytes. The tensors' raw little-endian values follow it, one after another (so a large
 * file can be written tensor by tensor).
 */
export function safetensorsHeader(tensors: { name: string; shape: number[] }[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const { name, shape } of tensors) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  return out;
}

/** IEEE 754 half precision to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
