// QR images and printable label sheets: pure rendering, no I/O.
import QRCode from 'qrcode';

const QR_OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 4 };

export const qrSvg = (text: string, size: number) => QRCode.toString(text, { ...QR_OPTIONS, type: 'svg', width: size });
export const qrPng = (text: string, size: number) => QRCode.toBuffer(text, { ...QR_OPTIONS, type: 'png', width: size });

const escapeXml = (value: string) =>
  value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string);

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

/** One A4 page (210 × 297 mm) of labels: QR, the human-readable code and the product name. */
export function labelSheetSvg(labels: { code: string; url: string; productName: string }[]): string {
  const { columns, rows } = SHEET;
  const margin = 8;
  const width = (210 - 2 * margin) / columns;
  const height = (297 - 2 * margin) / rows;
  const qrSize = Math.min(width, height) - 12;
  const cells = labels.slice(0, columns * rows).map((label, index) => {
    const x = margin + (index % columns) * width;
    const y = margin + Math.floor(index / columns) * height;
    const { path, modules } = qrPath(label.url);
    const scale = qrSize / modules;
    return [
      `<g transform="translate(${x.toFixed(2)} ${y.toFixed(2)})">`,
      `<rect width="${width.toFixed(2)}" height="${height.toFixed(2)}" fill="none" stroke="#ccc" stroke-width="0.2" stroke-dasharray="1 1"/>`,
      `<path transform="translate(${((width - qrSize) / 2).toFixed(2)} 1) scale(${scale.toFixed(4)})" d="${path}" fill="#000"/>`,
      `<text x="${(width / 2).toFixed(2)}" y="${(qrSize + 4.5).toFixed(2)}" font-family="monospace" font-size="3.6" text-anchor="middle" letter-spacing="0.3">${escapeXml(label.code)}</text>`,
      `<text x="${(width / 2).toFixed(2)}" y="${(qrSize + 9).toFixed(2)}" font-family="sans-serif" font-size="2.8" text-anchor="middle">${escapeXml(label.productName.slice(0, 24))}</text>`,
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
