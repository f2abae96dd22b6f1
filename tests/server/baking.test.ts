/**
 * Open Badges 3.0 baking: credentials baked into PNG and SVG images come back out unchanged, a
 * second bake replaces the first, PNG chunks keep valid CRCs, and damaged or foreign input reads
 * as no credential instead of throwing.
 */
import * as zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  bakePng,
  bakeSvg,
  crc32,
  extractBakedCredential,
  PNG_CREDENTIAL_KEYWORD,
} from '../../server/credentials/baking.ts';

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Builds a valid 2x2 RGB PNG from scratch. */
function samplePng(): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

interface ParsedChunk {
  type: string;
  data: Buffer;
  storedCrc: number;
}

function parseChunks(png: Uint8Array): ParsedChunk[] {
  const buffer = Buffer.from(png);
  const chunks: ParsedChunk[] = [];
  let offset = 8;
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    chunks.push({ type, data, storedCrc: buffer.readUInt32BE(offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

const CREDENTIAL = JSON.stringify({
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  name: 'Café ☕ facilitator — "quoted" <tag> & ]]> end',
});

const SVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment with <svg> inside -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-note="a > b"><circle r="4"/></svg>`;

describe('bakePng', () => {
  test('round trips a credential', () => {
    const baked = bakePng(samplePng(), CREDENTIAL);

    expect(extractBakedCredential(baked)).toBe(CREDENTIAL);
  });

  test('writes an uncompressed iTXt chunk before IEND', () => {
    const chunks = parseChunks(bakePng(samplePng(), CREDENTIAL));
    const types = chunks.map((c) => c.type);

    expect(types).toEqual(['IHDR', 'IDAT', 'iTXt', 'IEND']);
    const data = chunks[2]?.data ?? Buffer.alloc(0);
    const keywordEnd = data.indexOf(0);
    expect(data.toString('latin1', 0, keywordEnd)).toBe(PNG_CREDENTIAL_KEYWORD);
    expect(data[keywordEnd + 1]).toBe(0); // compression flag
    expect(data.subarray(keywordEnd + 5).toString('utf8')).toBe(CREDENTIAL);
  });

  test('writes correct CRCs', () => {
    const chunks = parseChunks(bakePng(samplePng(), CREDENTIAL));

    for (const c of chunks) {
      const typeAndData = Buffer.concat([Buffer.from(c.type, 'latin1'), c.data]);
      // node:zlib's crc32 is an independent implementation of the same CRC-32.
      expect(c.storedCrc, c.type).toBe(zlib.crc32(typeAndData));
    }
  });

  test('replaces an existing credential', () => {
    const first = bakePng(samplePng(), '{"first":true}');
    const second = bakePng(first, CREDENTIAL);
    const credentialChunks = parseChunks(second).filter((c) => c.type === 'iTXt');

    expect(credentialChunks).toHaveLength(1);
    expect(extractBakedCredential(second)).toBe(CREDENTIAL);
  });

  test('keeps other text chunks', () => {
    const png = Buffer.from(samplePng());
    const comment = chunk('tEXt', Buffer.from('Comment\0kept'));
    const withComment = Buffer.concat([
      png.subarray(0, png.length - 12),
      comment,
      png.subarray(-12),
    ]);
    const types = parseChunks(bakePng(withComment, CREDENTIAL)).map((c) => c.type);

    expect(types).toEqual(['IHDR', 'IDAT', 'tEXt', 'iTXt', 'IEND']);
  });

  test('throws on a truncated PNG', () => {
    const truncated = samplePng().subarray(0, 30);

    expect(() => bakePng(truncated, CREDENTIAL)).toThrow(TypeError);
  });
});

describe('bakeSvg', () => {
  test('round trips a credential', () => {
    const baked = bakeSvg(SVG, CREDENTIAL);

    expect(extractBakedCredential(new TextEncoder().encode(baked))).toBe(CREDENTIAL);
  });

  test('places the element right after the svg start tag', () => {
    const baked = bakeSvg(SVG, '{"a":1}');

    expect(baked).toContain(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-note="a > b" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{"a":1}]]></openbadges:credential><circle r="4"/></svg>',
    );
    expect(baked.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment')).toBe(true);
  });

  test('splits ]]> so CDATA cannot end early', () => {
    const baked = bakeSvg(SVG, '{"x":"]]><script>alert(1)</script>"}');

    expect(baked).not.toContain(']]><script>');
    expect(extractBakedCredential(new TextEncoder().encode(baked))).toBe(
      '{"x":"]]><script>alert(1)</script>"}',
    );
  });

  test('replaces an existing credential', () => {
    const twice = bakeSvg(bakeSvg(SVG, '{"first":true}'), CREDENTIAL);

    expect(twice.match(/<openbadges:credential>/g)).toHaveLength(1);
    expect(twice.match(/xmlns:openbadges=/g)).toHaveLength(1);
    expect(extractBakedCredential(new TextEncoder().encode(twice))).toBe(CREDENTIAL);
  });

  test('bakes into an empty self-closing svg', () => {
    const baked = bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"/>', '{"a":1}');

    expect(baked).toMatch(/^<svg [^>]*><openbadges:credential>.*<\/openbadges:credential><\/svg>$/);
    expect(extractBakedCredential(new TextEncoder().encode(baked))).toBe('{"a":1}');
  });

  test('throws when there is no svg element', () => {
    expect(() => bakeSvg('<html><body></body></html>', CREDENTIAL)).toThrow(TypeError);
  });
});

describe('extractBakedCredential', () => {
  test('reads entity-encoded text without CDATA', () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential>
    {&quot;a&quot;:&#49;}
  </openbadges:credential>
</svg>`;

    expect(extractBakedCredential(new TextEncoder().encode(svg))).toBe('{"a":1}');
  });

  test('reads a compressed iTXt chunk', () => {
    const png = Buffer.from(samplePng());
    const data = Buffer.concat([
      Buffer.from(`${PNG_CREDENTIAL_KEYWORD}\0\x01\0en\0\0`, 'latin1'),
      zlib.deflateSync(Buffer.from(CREDENTIAL)),
    ]);
    const baked = Buffer.concat([png.subarray(0, -12), chunk('iTXt', data), png.subarray(-12)]);

    expect(extractBakedCredential(baked)).toBe(CREDENTIAL);
  });

  test.each([
    ['empty input', new Uint8Array()],
    ['a PNG without a credential', samplePng()],
    ['an SVG without a credential', new TextEncoder().encode(SVG)],
    ['a PNG signature alone', samplePng().subarray(0, 8)],
    ['a truncated baked PNG', bakePng(samplePng(), CREDENTIAL).subarray(0, 60)],
    ['random bytes', Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) % 256)],
    ['invalid UTF-8', Uint8Array.of(0xff, 0xfe, 0xfd)],
    ['HTML', new TextEncoder().encode('<html><openbadges:credential>{}</openbadges:credential>')],
    [
      'an unknown entity',
      new TextEncoder().encode('<svg><openbadges:credential>&bogus;</openbadges:credential></svg>'),
    ],
  ])('returns null for %s', (_name, bytes) => {
    expect(extractBakedCredential(bytes)).toBeNull();
  });

  test('returns null when the credential chunk CRC is wrong', () => {
    const baked = Buffer.from(bakePng(samplePng(), CREDENTIAL));
    // The byte before IEND's 12 bytes is the last byte of the iTXt chunk's CRC.
    const index = baked.length - 13;
    baked[index] = (baked[index] ?? 0) ^ 0xff;

    expect(extractBakedCredential(baked)).toBeNull();
  });

  test('returns null for an oversized compressed chunk', () => {
    const png = Buffer.from(samplePng());
    const data = Buffer.concat([
      Buffer.from(`${PNG_CREDENTIAL_KEYWORD}\0\x01\0\0\0`, 'latin1'),
      zlib.deflateSync(Buffer.alloc(20 * 1024 * 1024, 0x20)),
    ]);
    const baked = Buffer.concat([png.subarray(0, -12), chunk('iTXt', data), png.subarray(-12)]);

    expect(extractBakedCredential(baked)).toBeNull();
  });

  test('returns null for a compressed chunk that does not inflate', () => {
    const png = Buffer.from(samplePng());
    const data = Buffer.from(`${PNG_CREDENTIAL_KEYWORD}\0\x01\0\0\0not zlib`, 'latin1');
    const baked = Buffer.concat([png.subarray(0, -12), chunk('iTXt', data), png.subarray(-12)]);

    expect(extractBakedCredential(baked)).toBeNull();
  });
});

describe('SVG reading', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const SVG_START =
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">';

  /** Repeats `unit` after `prefix` until the text is `size` characters long. */
  function filled(prefix: string, unit: string, size: number): string {
    return prefix + unit.repeat(Math.ceil((size - prefix.length) / unit.length)).slice(0, size);
  }

  /** Returns the fastest of five runs of `read`, in milliseconds. */
  function fastestRun(read: () => unknown): number {
    let fastest = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      read();
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  }

  test.each([
    ['unclosed start tags', '<openbadges:credential '],
    ['unclosed CDATA sections', '<openbadges:credential><![CDATA['],
    ['unclosed comments', '<!--<openbadges:credential>'],
    ['unclosed quotes', '<openbadges:credential a="<openbadges:credential>'],
  ])('reads 1 MB of %s in linear time', (_name, unit) => {
    const size = 1024 * 1024;
    const hostile = encode(filled(SVG_START, unit, size));
    // The same size of ordinary markup: one element with an attribute after another.
    const benign = encode(filled(SVG_START, '<path d="M0 0h4v4z"></path>', size));

    const hostileMs = fastestRun(() => extractBakedCredential(hostile));
    const benignMs = fastestRun(() => extractBakedCredential(benign));

    expect(extractBakedCredential(hostile)).toBeNull();
    // A scan that goes back over the text takes thousands of times longer here.
    expect(hostileMs).toBeLessThan(Math.max(benignMs, 1) * 20);
  });

  test('reads a closing tag inside CDATA', () => {
    const json = '{"note":"</openbadges:credential> is the closing tag"}';
    const baked = bakeSvg(SVG, json);

    expect(extractBakedCredential(encode(baked))).toBe(json);
  });

  test('rebakes over a closing tag inside CDATA', () => {
    const first = bakeSvg(SVG, '{"note":"</openbadges:credential><circle r=\\"9\\"/>"}');
    const second = bakeSvg(first, CREDENTIAL);

    expect(second.match(/<openbadges:credential>/g)).toHaveLength(1);
    expect(second).not.toContain('r=\\"9\\"');
    expect(extractBakedCredential(encode(second))).toBe(CREDENTIAL);
  });

  test('ignores a credential inside a comment', () => {
    const commented = `${SVG_START}<!-- <openbadges:credential>{"a":1}</openbadges:credential> --></svg>`;

    expect(extractBakedCredential(encode(commented))).toBeNull();
  });

  test('bakes beside a commented-out credential', () => {
    const commented = `${SVG_START}<!-- <openbadges:credential>{"a":1}</openbadges:credential> --></svg>`;
    const baked = bakeSvg(commented, '{"b":2}');

    expect(baked).toContain('<!-- <openbadges:credential>{"a":1}</openbadges:credential> -->');
    expect(extractBakedCredential(encode(baked))).toBe('{"b":2}');
  });

  test('reads text around comments in the element', () => {
    const svg = `${SVG_START}<openbadges:credential>{"a":<!-- one -->1}</openbadges:credential></svg>`;

    expect(extractBakedCredential(encode(svg))).toBe('{"a":1}');
  });

  test.each([
    [
      'inside CDATA',
      `${SVG_START}<![CDATA[<openbadges:credential>{}</openbadges:credential>]]></svg>`,
    ],
    [
      'after the root element',
      `${SVG_START}</svg><openbadges:credential>{}</openbadges:credential>`,
    ],
    [
      'with a child element',
      `${SVG_START}<openbadges:credential><b>{}</b></openbadges:credential></svg>`,
    ],
    [
      'with a mismatched end tag',
      `${SVG_START}<g><openbadges:credential>{}</openbadges:credential></svg>`,
    ],
    ['in an unclosed root', `${SVG_START}<openbadges:credential>{}</openbadges:credential>`],
    [
      'after a prolog with text',
      `text${SVG_START}<openbadges:credential>{}</openbadges:credential></svg>`,
    ],
    ['in an empty element', `${SVG_START}<openbadges:credential/></svg>`],
  ])('returns null for a credential %s', (_name, svg) => {
    expect(extractBakedCredential(encode(svg))).toBeNull();
  });

  test('reads past a DOCTYPE with an internal subset', () => {
    const svg = `<?xml version="1.0"?>
<!DOCTYPE svg [ <!ENTITY note "a > b ]"> <!-- ] > --> ]>
${SVG_START}<openbadges:credential><![CDATA[{"a":1}]]></openbadges:credential></svg>`;

    expect(extractBakedCredential(encode(svg))).toBe('{"a":1}');
  });

  test('throws when baking into malformed SVG', () => {
    expect(() => bakeSvg(`${SVG_START}<g></svg>`, CREDENTIAL)).toThrow(TypeError);
  });
});
