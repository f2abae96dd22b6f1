/**
 * Structural checks of uploaded PNG images, following the PNG specification (W3C, third edition):
 * the chunk layout, the IHDR fields, and the size of the decompressed image data.
 */
import { inflateSync } from 'node:zlib';
import { crc32, isPng } from '../credentials/baking.ts';

const SIGNATURE_LENGTH = 8;

/** The image header fields that the checks use. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** A PNG's header and its image data, the IDAT chunks' contents in order. */
export interface PngStructure {
  header: PngHeader;
  imageData: Uint8Array[];
}

/** Bit depths allowed for each colour type: greyscale, RGB, palette, grey with alpha, RGBA. */
const BIT_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

// The seven Adam7 passes of an interlaced image: first column, first row, column step, row step.
const ADAM7_PASSES = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function parseHeader(data: Uint8Array): PngHeader | string {
  if (data.length !== 13) {
    return 'its IHDR chunk has the wrong length';
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header: PngHeader = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: data[8] ?? 0,
    colorType: data[9] ?? 0,
    interlaced: data[12] === 1,
  };
  if (header.width === 0 || header.height === 0 || header.width > 0x7fffffff) {
    return `its size of ${header.width}x${header.height} pixels is invalid`;
  }
  if (!BIT_DEPTHS[header.colorType]?.includes(header.bitDepth)) {
    return `colour type ${header.colorType} with bit depth ${header.bitDepth} is invalid`;
  }
  if (data[10] !== 0 || data[11] !== 0 || (data[12] !== 0 && data[12] !== 1)) {
    return 'its IHDR chunk names an unknown compression, filter or interlace method';
  }
  return header;
}

/**
 * Reads a PNG's chunks and checks their layout: the signature, IHDR first with valid fields,
 * every chunk inside the file with a valid CRC, a PLTE before the image data of a palette image,
 * one or more consecutive IDAT chunks, and IEND. Returns the header and image data, or a
 * sentence saying what is wrong, such as "it has no image data (IDAT chunk)".
 */
export function readPngStructure(png: Uint8Array): PngStructure | string {
  if (!isPng(png)) {
    return 'it does not start with the PNG signature';
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const imageData: Uint8Array[] = [];
  let header: PngHeader | null = null;
  let palette = false;
  let imageDataEnded = false;
  let offset = SIGNATURE_LENGTH;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > png.length) {
      return 'a chunk runs past the end of the file, so the file is cut short';
    }
    const typeAndData = png.subarray(offset + 4, offset + 8 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    const data = typeAndData.subarray(4);
    if (crc32(typeAndData) !== view.getUint32(offset + 8 + length)) {
      return `its ${type} chunk is damaged (wrong CRC)`;
    }
    offset = end;

    if (header === null) {
      if (type !== 'IHDR') {
        return 'it does not start with an IHDR chunk';
      }
      const parsed = parseHeader(data);
      if (typeof parsed === 'string') {
        return parsed;
      }
      header = parsed;
      continue;
    }
    if (type === 'IDAT') {
      if (imageDataEnded) {
        return 'its IDAT chunks are not consecutive';
      }
      imageData.push(data);
      continue;
    }
    imageDataEnded = imageData.length > 0;
    if (type === 'PLTE') {
      palette = true;
    } else if (type === 'IEND') {
      if (imageData.length === 0) {
        return 'it has no image data (IDAT chunk)';
      }
      if (header.colorType === 3 && !palette) {
        return 'it is a palette image without a palette (PLTE chunk)';
      }
      return { header, imageData };
    }
  }
  return 'it has no IEND chunk, so the file is cut short';
}

/** Computes the length of a PNG's decompressed image data: each row's bytes plus a filter byte. */
export function expectedImageDataLength(header: PngHeader): number {
  const bitsPerPixel = header.bitDepth * (CHANNELS[header.colorType] ?? 1);
  const rowLength = (width: number) => 1 + Math.ceil((width * bitsPerPixel) / 8);
  if (!header.interlaced) {
    return header.height * rowLength(header.width);
  }
  let total = 0;
  for (const [firstColumn, firstRow, columnStep, rowStep] of ADAM7_PASSES) {
    const columns = Math.ceil(Math.max(0, header.width - firstColumn) / columnStep);
    const rows = Math.ceil(Math.max(0, header.height - firstRow) / rowStep);
    if (columns > 0 && rows > 0) {
      total += rows * rowLength(columns);
    }
  }
  return total;
}

/**
 * Decompresses the image data and checks that it contains exactly the rows the header describes.
 * Returns a sentence saying what is wrong, or null. Decompression stops one byte past the expected
 * length, so memory use is bounded by the header: check the pixel size before calling this.
 */
export function checkPngImageData(structure: PngStructure): string | null {
  const expected = expectedImageDataLength(structure.header);
  let inflated: Buffer;
  try {
    inflated = inflateSync(Buffer.concat(structure.imageData), { maxOutputLength: expected + 1 });
  } catch (error) {
    if (error instanceof RangeError) {
      return 'its image data is larger than its size in pixels allows';
    }
    return 'its image data is damaged or cut short (it does not decompress)';
  }
  if (inflated.length !== expected) {
    return `its image data has ${inflated.length} bytes where its size in pixels needs ${expected}`;
  }
  return null;
}
