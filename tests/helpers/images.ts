/**
 * Small files of each upload type, built in memory, for upload and badge image tests.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../server/credentials/baking.ts';

function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * Builds a valid RGB PNG of the given size, filled with one colour. `padding` adds a tEXt chunk
 * of that many bytes, to make a file of a chosen size without a large image.
 */
export function makePng(
  width = 4,
  height = 4,
  options: { padding?: number; rgb?: [number, number, number] } = {},
): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const [r, g, b] = options.rgb ?? [42, 111, 151];
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.alloc(width * 3).fill(Buffer.from([r, g, b])),
  ]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  const chunks = [pngChunk('IHDR', header)];
  if (options.padding) {
    chunks.push(
      pngChunk(
        'tEXt',
        Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(options.padding, 0x61)]),
      ),
    );
  }
  chunks.push(pngChunk('IDAT', deflateSync(pixels)), pngChunk('IEND', new Uint8Array()));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/** Builds a minimal one-page PDF. */
export function makePdf(): Uint8Array {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );
}

/** A plain SVG badge: a circle in a square. */
export const PLAIN_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><circle cx="50" cy="50" r="40" fill="#2a6f97"/></svg>';

/** An SVG with every kind of active or external content the sanitizer must remove. */
export const HOSTILE_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="https://attacker.example/evil.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100" onload="alert('onload')">
  <script>alert('script')</script>
  <style>@import url(https://attacker.example/evil.css);</style>
  <defs><linearGradient id="shade"><stop offset="0" stop-color="#2a6f97"/></linearGradient></defs>
  <circle cx="50" cy="50" r="40" fill="url(#shade)" onclick="alert('click')"/>
  <a xlink:href="javascript:alert('link')"><text x="10" y="20">Badge</text></a>
  <a href="javascript:alert('href')"><rect width="5" height="5"/></a>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://attacker.example/"></iframe></div></foreignObject>
  <image href="https://attacker.example/tracker.png" width="1" height="1"/>
  <use xlink:href="https://attacker.example/sprite.svg#icon"/>
  <rect width="10" height="10" style="fill: url(https://attacker.example/paint)"/>
  <animate attributeName="href" to="javascript:alert('animate')"/>
  <set attributeName="onmouseover" to="alert('set')"/>
</svg>`;
