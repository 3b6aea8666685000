import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TRAY_ICONS } from '../../../src-main/app/tray/tray-model';
import { encodePng, render, SHAPES } from '../../../scripts/make-tray-icons';

const DIR = path.resolve(__dirname, '../../../assets/tray');

/** A strict reading of a PNG: signature, chunk CRCs, IHDR, and the inflated pixel data. */
function readPng(buf: Buffer) {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('ascii', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    expect(buf.readUInt32BE(at + 8 + length)).toBe(crc32(buf.subarray(at + 4, at + 8 + length)) >>> 0);
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = chunks[0].data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([...ihdr.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
  const raw = inflateSync(chunks[1].data);
  expect(raw.length).toBe(height * (1 + width * 4));
  const alpha: number[] = [];
  const rgb = new Set<number>();
  for (let y = 0; y < height; y++) {
    expect(raw[y * (1 + width * 4)]).toBe(0);
    for (let x = 0; x < width; x++) {
      const p = y * (1 + width * 4) + 1 + x * 4;
      rgb.add(raw[p] + raw[p + 1] + raw[p + 2]);
      alpha.push(raw[p + 3]);
    }
  }
  return { width, height, alpha, rgb };
}

describe('the tray icons', () => {
  it.each(TRAY_ICONS.flatMap((icon) => [[icon, '', 16], [icon, '@2x', 32]] as const))('%sTemplate%s.png is a valid %i px template image', async (icon, suffix, size) => {
    const png = readPng(await readFile(path.join(DIR, `${icon}Template${suffix}.png`)));
    expect([png.width, png.height]).toEqual([size, size]);
    // Template images are black; macOS uses only their alpha.
    expect([...png.rgb]).toEqual([0]);
    const covered = png.alpha.filter((a) => a > 0).length / png.alpha.length;
    expect(covered).toBeGreaterThan(0.1);
    expect(covered).toBeLessThan(0.8);
  });

  it('are what scripts/make-tray-icons.ts draws (regenerate with npm run app:icons)', async () => {
    for (const icon of TRAY_ICONS) {
      expect(await readFile(path.join(DIR, `${icon}Template@2x.png`))).toEqual(encodePng(render(SHAPES[icon], 32), 32, 32));
    }
  });

  it('differ from each other at both sizes', async () => {
    const files = await Promise.all(TRAY_ICONS.map((i) => readFile(path.join(DIR, `${i}Template.png`))));
    expect(new Set(files.map((f) => f.toString('base64'))).size).toBe(TRAY_ICONS.length);
  });
});
