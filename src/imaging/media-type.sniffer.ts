interface Signature {
  readonly name: string;
  readonly offset: number;
  readonly bytes: readonly number[];
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

// Used to name what a refused or damaged upload looked like, before or without sharp.
const SIGNATURES: readonly Signature[] = [
  { name: 'jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { name: 'png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'gif', offset: 0, bytes: ascii('GIF8') },
  { name: 'webp', offset: 8, bytes: ascii('WEBP') },
  { name: 'tiff', offset: 0, bytes: ascii('II*\0') },
  { name: 'tiff', offset: 0, bytes: ascii('MM\0*') },
  { name: 'pdf (application/pdf)', offset: 0, bytes: ascii('%PDF') },
  { name: 'bmp (image/bmp)', offset: 0, bytes: ascii('BM') },
  { name: 'ico (image/x-icon)', offset: 0, bytes: [0, 0, 1, 0] },
  { name: 'psd (image/vnd.adobe.photoshop)', offset: 0, bytes: ascii('8BPS') },
  { name: 'jpeg 2000 (image/jp2)', offset: 4, bytes: ascii('jP  ') },
  { name: 'jpeg xl (image/jxl)', offset: 0, bytes: [0xff, 0x0a] },
  { name: 'heic (image/heic)', offset: 4, bytes: ascii('ftypheic') },
  { name: 'avif', offset: 4, bytes: ascii('ftypavif') },
  { name: 'zip archive (application/zip)', offset: 0, bytes: ascii('PK\x03\x04') },
  { name: 'gzip (application/gzip)', offset: 0, bytes: [0x1f, 0x8b] },
];

const matches = (bytes: Uint8Array, sig: Signature): boolean =>
  bytes.length >= sig.offset + sig.bytes.length &&
  sig.bytes.every((b, i) => bytes[sig.offset + i] === b);

/** Names the type the first bytes announce, or undefined when they announce none we know. */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  const found = SIGNATURES.find((sig) => matches(bytes, sig));
  if (found !== undefined) {
    return found.name;
  }

  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) {
    return 'svg (image/svg+xml)';
  }
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) {
    return 'html (text/html)';
  }
  return undefined;
}
