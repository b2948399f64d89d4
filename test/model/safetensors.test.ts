import assert from 'node:assert/strict';
import { parseSafetensors, serializeSafetensors } from '../../src/model/safetensors.ts';
import { UserError } from '../../src/core/errors.ts';

/** A safetensors file written by hand, as the format describes it. */
function handWritten(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips float32 tensors with their shapes and the pt metadata', () => {
    const a = Float32Array.from([1, -2.5, 3e-8, 4e7, 0, 6]);
    const b = Float32Array.from([7]);
    const bytes = serializeSafetensors([
      { name: 'a', shape: [2, 3], values: a },
      { name: 'b', shape: [1], values: b },
    ]);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLength) % 8, 0, 'data starts 8-byte aligned');
    const file = parseSafetensors(bytes, 'memory');
    assert.deepEqual(file.metadata, { format: 'pt' });
    assert.deepEqual(file.tensors.get('a')!.shape, [2, 3]);
    assert.deepEqual(file.read('a'), a);
    assert.deepEqual(file.read('b'), b);
  });

  it('reads F16 and BF16 tensors as float32', () => {
    // 1.0, -2.0, 0.5, 65504 (max half) in F16; 1.0, -3.0 in BF16
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff]);
    const bf16 = new Uint16Array([0x3f80, 0xc040]);
    const data = new Uint8Array(12);
    data.set(new Uint8Array(f16.buffer), 0);
    data.set(new Uint8Array(bf16.buffer), 8);
    const file = parseSafetensors(
      handWritten({ h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] }, g: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] } }, data),
      'memory',
    );
    assert.deepEqual([...file.read('h')], [1, -2, 0.5, 65504]);
    assert.deepEqual([...file.read('g')], [1, -3]);
  });

  it('reads a tensor whose data is not 4-byte aligned', () => {
    const values = Float32Array.from([1.5, 2.5]);
    const file = parseSafetensors(handWritten({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(values.buffer)), 'memory');
    assert.deepEqual(file.read('x'), values);
  });

  it('rejects offsets that do not fit the shape', () => {
    const bytes = handWritten({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    assert.throws(() => parseSafetensors(bytes, 'bad.safetensors'), UserError);
  });
});
