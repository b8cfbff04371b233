/**
 * Brand images are uploaded by partners and served to anyone on their domain, so only raster
 * formats recognised by their first bytes are kept (no SVG: it can carry script), within a size
 * cap. The stored type is the sniffed one, never the uploader's word.
 */
export const IMAGE_KINDS = ['logo', 'favicon'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

export const IMAGE_LIMITS: Record<ImageKind, { maxBytes: number; types: readonly string[] }> = {
  logo: { maxBytes: 256 * 1024, types: ['image/png', 'image/jpeg', 'image/webp'] },
  favicon: { maxBytes: 64 * 1024, types: ['image/png', 'image/x-icon'] },
};

const SIGNATURES: [string, (b: Buffer) => boolean][] = [
  ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  [
    'image/webp',
    (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  ],
  ['image/x-icon', (b) => b.subarray(0, 4).equals(Buffer.from([0, 0, 1, 0]))],
];

export function sniffImage(b: Buffer): string | null {
  return SIGNATURES.find(([, test]) => test(b))?.[0] ?? null;
}

/** The image's real type, or the reason it is refused (for a 400/413 the uploader can act on). */
export function checkImage(kind: ImageKind, data: Buffer): { type: string } | { problem: string; tooLarge?: true } {
  const limit = IMAGE_LIMITS[kind];
  if (data.length === 0) return { problem: `the ${kind} is empty` };
  if (data.length > limit.maxBytes)
    return { problem: `the ${kind} is ${data.length} bytes; at most ${limit.maxBytes} are allowed`, tooLarge: true };
  const type = sniffImage(data);
  if (!type || !limit.types.includes(type))
    return { problem: `the ${kind} must be ${limit.types.join(', ')} (found ${type ?? 'an unknown format'})` };
  return { type };
}
