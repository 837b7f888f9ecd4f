// Writes the PWA icons (public/icons/icon-192.png, icon-512.png) without any image library:
// a PNG is a signature plus IHDR/IDAT/IEND chunks, the pixels deflated with zlib.
// Run: node app/scripts/make-icons.mjs (the output is committed; rerun only to change the art).
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BG = [0x1e, 0x3a, 0x5f];
const FG = [0xf8, 0xfa, 0xfc];
const ACCENT = [0x38, 0xbd, 0xf8];

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Two speech bubbles on a square: the colour of pixel (x, y) in a unit square. */
function pixel(x, y) {
  const inBubble = (cx, cy, rx, ry) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  if (inBubble(0.4, 0.42, 0.26, 0.2) || (x > 0.22 && x < 0.32 && y > 0.55 && y < 0.7 - (x - 0.22)))
    return FG;
  if (inBubble(0.62, 0.6, 0.22, 0.17)) return ACCENT;
  return BG;
}

function png(size) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) row.set(pixel(x / size, y / size), 1 + x * 3);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
for (const size of [192, 512]) writeFileSync(`${dir}icon-${size}.png`, png(size));
