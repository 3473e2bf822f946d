/** Writes NumPy .npy and .npz bytes as NumPy does (format 1.0), for data-check tests. */
import { zipSync } from 'fflate';

export type NpyDtype = '<f4' | '<f8' | '|u1' | '<i8' | '<i4' | '>f4';

export function npyBytes(values: ArrayLike<number>, shape: number[], descr: NpyDtype = '<f4', fortran = false): Uint8Array {
  const size = { '<f4': 4, '>f4': 4, '<f8': 8, '|u1': 1, '<i8': 8, '<i4': 4 }[descr];
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) head[10 + i] = header.charCodeAt(i);
  const data = new Uint8Array(values.length * size);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (descr === '<f4') dv.setFloat32(i * 4, v, true);
    else if (descr === '>f4') dv.setFloat32(i * 4, v, false);
    else if (descr === '<f8') dv.setFloat64(i * 8, v, true);
    else if (descr === '|u1') dv.setUint8(i, v);
    else if (descr === '<i4') dv.setInt32(i * 4, v, true);
    else dv.setBigInt64(i * 8, BigInt(v), true);
  }
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** An .npz (np.savez: a zip of NAME.npy members). */
export function npzBytes(arrays: Record<string, Uint8Array>, compress = false): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(arrays)) files[`${k}.npy`] = v;
  return zipSync(files, { level: compress ? 6 : 0 });
}
