/**
 * Base64 (standard alphabet, padded) for the board's sync messages, without Node's Buffer:
 * this runs in the browser. Chunked, so a 48 kB message does not overflow the call stack.
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Throws on a string that is not base64 (the caller treats that as a bad message). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The base64 length of `n` bytes. */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}
