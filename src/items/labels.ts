// QR images and printable label sheets: pure rendering, no I/O.
import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { escapeXml } from '../web/html.js';
import { firstCharacters } from '../web/text.js';

const QR_OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 4 };

export const qrSvg = (text: string, size: number) => QRCode.toString(text, { ...QR_OPTIONS, type: 'svg', width: size });

/** One PNG chunk: length, type, data and the CRC of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * The QR as a PNG `size` pixels wide, drawn pixel for pixel as the qrcode package's renderer draws it
 * (quiet zone included), but as a 1-bit greyscale image whose rows are built once per module row.
 * The package's renderer fills and filters a full RGBA image on the event loop: a 2048-pixel QR
 * held every request up for over a second, and this route is public.
 */
export function qrPng(text: string, size: number): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
  const modules = qr.modules.size;
  const span = modules + 2 * QR_OPTIONS.margin;
  // the package's scale: the width asked for, when the symbol fits in it (else 4 pixels a module)
  const scale = size >= span ? size / span : 4;
  const width = Math.floor(span * scale);
  const margin = QR_OPTIONS.margin * scale;
  // the module each pixel column (or row) shows, -1 in the quiet zone
  const moduleAt = Int32Array.from({ length: width }, (_, i) =>
    i >= margin && i < width - margin ? Math.floor((i - margin) / scale) : -1,
  );
  const stride = 1 + Math.ceil(width / 8);
  // filter type 0, then one bit a pixel: 0 is black, 1 white
  const rowOf = (module: number): Buffer => {
    const row = Buffer.alloc(stride, 0xff);
    row[0] = 0;
    if (module < 0) return row;
    for (let x = 0; x < width; x++) {
      const column = moduleAt[x];
      if (column >= 0 && qr.modules.get(module, column)) row[1 + (x >> 3)] &= ~(0x80 >> (x & 7));
    }
    return row;
  };
  const rows = new Map<number, Buffer>();
  const image = Buffer.concat(
    Array.from(moduleAt, (module) => {
      const row = rows.get(module) ?? rowOf(module);
      rows.set(module, row);
      return row;
    }),
  );
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(image)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The QR symbol as one SVG path of unit squares, quiet zone included, in module units. */
export function qrPath(text: string): { path: string; modules: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = QR_OPTIONS.margin;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (qr.modules.get(row, col)) path += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  return { path, modules: size + 2 * quiet };
}

const SHEET = { columns: 4, rows: 8 };
export const LABELS_PER_SHEET = SHEET.columns * SHEET.rows;

export type Label = { code: string; url: string; productName: string; lotNumber: string | null; productionDate: string | null };

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
/** A generous estimate of a line's width in mm: CJK characters one em, others 0.6 em (monospace). */
const estimatedWidth = (text: string, fontSize: number) =>
  Array.from(text).reduce((sum, ch) => sum + (WIDE.test(ch) ? 1 : 0.6), 0) * fontSize;

/** A centred line of text; one estimated wider than the label is squeezed to fit rather than cut. */
function line(text: string, x: number, y: number, fontSize: number, maxWidth: number, attributes = ''): string {
  const fit = estimatedWidth(text, fontSize) > maxWidth ? ` textLength="${maxWidth.toFixed(2)}" lengthAdjust="spacingAndGlyphs"` : '';
  return `<text x="${x.toFixed(2)}" y="${y.toFixed(2)}" font-size="${fontSize}" text-anchor="middle"${attributes}${fit}>${escapeXml(text)}</text>`;
}

/**
 * One A4 page (210 × 297 mm) of labels: the QR, and under it the human-readable code, the product
 * name, the lot number (批号) and the production date (生产日期).
 */
export function labelSheetSvg(labels: Label[]): string {
  const { columns, rows } = SHEET;
  const margin = 8;
  const width = (210 - 2 * margin) / columns;
  const height = (297 - 2 * margin) / rows;
  // the four text lines take the bottom 14.5 mm of a label, leaving a millimetre above the cut
  const qrSize = Math.min(width, height) - 14.5;
  const textWidth = width - 3;
  const centre = width / 2;
  const cells = labels.slice(0, columns * rows).map((label, index) => {
    const x = margin + (index % columns) * width;
    const y = margin + Math.floor(index / columns) * height;
    const { path, modules } = qrPath(label.url);
    const scale = qrSize / modules;
    return [
      `<g transform="translate(${x.toFixed(2)} ${y.toFixed(2)})">`,
      `<rect width="${width.toFixed(2)}" height="${height.toFixed(2)}" fill="none" stroke="#ccc" stroke-width="0.2" stroke-dasharray="1 1"/>`,
      `<path transform="translate(${((width - qrSize) / 2).toFixed(2)} 0.6) scale(${scale.toFixed(4)})" d="${path}" fill="#000"/>`,
      line(label.code, centre, qrSize + 4.2, 3.4, textWidth, ' class="code" font-family="monospace" letter-spacing="0.3"'),
      line(firstCharacters(label.productName, 24), centre, qrSize + 7.4, 2.6, textWidth, ' class="product" font-family="sans-serif"'),
      label.lotNumber
        ? line(`批号 ${label.lotNumber}`, centre, qrSize + 10.3, 2.4, textWidth, ' class="lot" font-family="sans-serif"')
        : '',
      label.productionDate
        ? line(`生产日期 ${label.productionDate}`, centre, qrSize + 13, 2.4, textWidth, ' class="date" font-family="sans-serif"')
        : '',
      '</g>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">',
    '<rect width="210" height="297" fill="#fff"/>',
    ...cells,
    '</svg>',
  ].join('\n');
}
