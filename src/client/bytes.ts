/** Bytes as callers hold them (Buffer, Uint8Array, ArrayBuffer, Blob), turned into what fetch sends. */

export type Bytes = Blob | Uint8Array | ArrayBuffer;

export function toBlob(bytes: Bytes): Blob {
  if (bytes instanceof Blob) return bytes;
  if (bytes instanceof ArrayBuffer) return new Blob([bytes]);
  return new Blob([unshared(bytes)]);
}

/** A view over shared memory cannot go into a Blob or a digest as it is; copy only then (uploads can be large). */
function unshared(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/** SHA-256 of the bytes, in hex, by Web Crypto (Node 20 and browsers; in a browser, on HTTPS or localhost only). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', unshared(bytes));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function toUint8Array(bytes: Bytes): Promise<Uint8Array> {
  if (bytes instanceof Blob) return new Uint8Array(await bytes.arrayBuffer());
  return bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
}
