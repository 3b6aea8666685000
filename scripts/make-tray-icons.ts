// Draws the menu-bar template icons (assets/tray/<state>Template.png and @2x): black shapes on
// transparency, which macOS tints for light and dark menu bars. No image library: shapes are
// coverage functions, supersampled for anti-aliasing, and written as RGBA PNGs with zlib.
//   npx tsx scripts/make-tray-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

/** Inside test in unit coordinates (0..1, y down). */
type Shape = (x: number, y: number) => boolean;

const disc = (cx: number, cy: number, r: number): Shape => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0: number, y0: number, x1: number, y1: number): Shape => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union = (...shapes: Shape[]): Shape => (x, y) => shapes.some((s) => s(x, y));
const minus = (a: Shape, b: Shape): Shape => (x, y) => a(x, y) && !b(x, y);
/** Upward triangle with its apex at (0.5, top) and its base on y = bottom. */
const triangle = (top: number, bottom: number, halfBase: number): Shape => (x, y) =>
  y >= top && y <= bottom && Math.abs(x - 0.5) <= (halfBase * (y - top)) / (bottom - top);

export const SHAPES: Record<string, Shape> = {
  // Listening: an open ring.
  idle: minus(disc(0.5, 0.5, 0.38), disc(0.5, 0.5, 0.25)),
  // A job runs: the ring fills.
  busy: disc(0.5, 0.5, 0.38),
  // Paused: two bars.
  paused: union(rect(0.25, 0.16, 0.42, 0.84), rect(0.58, 0.16, 0.75, 0.84)),
  // Error: a warning triangle with the exclamation mark cut out.
  error: minus(triangle(0.1, 0.88, 0.42), union(rect(0.45, 0.36, 0.55, 0.64), disc(0.5, 0.76, 0.055))),
  // Stopped: a square.
  stopped: rect(0.2, 0.2, 0.8, 0.8),
};

const SUPERSAMPLE = 4;

/** RGBA pixels: black, alpha = the share of subsamples inside the shape. */
export function render(shape: Shape, size: number): Buffer {
  const px = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let inside = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          if (shape((x + (sx + 0.5) / SUPERSAMPLE) / size, (y + (sy + 0.5) / SUPERSAMPLE) / size)) inside++;
        }
      }
      px[(y * size + x) * 4 + 3] = Math.round((255 * inside) / SUPERSAMPLE ** 2);
    }
  }
  return px;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(rgba: Buffer, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  // Each scanline starts with filter type 0 (none).
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 16 pt icons: 16 px and 32 px (@2x). */
export function writeTrayIcons(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, shape] of Object.entries(SHAPES)) {
    for (const [suffix, size] of [['', 16], ['@2x', 32]] as const) {
      const file = path.join(dir, `${name}Template${suffix}.png`);
      writeFileSync(file, encodePng(render(shape, size), size, size));
      written.push(file);
    }
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'tray');
  for (const file of writeTrayIcons(dir)) console.log(path.relative(process.cwd(), file));
}
