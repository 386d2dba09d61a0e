/** Bytes as callers hold them (Buffer, Uint8Array, ArrayBuffer, Blob), turned into what fetch sends. */

export type Bytes = Blob | Uint8Array | ArrayBuffer;

export function toBlob(bytes: Bytes): Blob {
  if (bytes instanceof Blob) return bytes;
  if (bytes instanceof ArrayBuffer) return new Blob([bytes]);
  // A view over shared memory cannot go into a Blob as it is; copy only then (uploads can be large).
  return new Blob([bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes)]);
}

export async function toUint8Array(bytes: Bytes): Promise<Uint8Array> {
  if (bytes instanceof Blob) return new Uint8Array(await bytes.arrayBuffer());
  return bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
}
