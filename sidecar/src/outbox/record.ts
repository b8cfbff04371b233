import { crc32 } from 'node:zlib';

/**
 * On-disk framing of one outbox record:
 *   [u32 BE payload length][u32 BE crc32 of payload][payload: UTF-8 JSON]
 * The checksum tells a record torn by kill -9 (length runs past the end of the file) from a
 * corrupt one (bytes present but wrong), so recovery can keep everything before it.
 */
export const HEADER_BYTES = 8;
/** No record is bigger than this; a larger length field means the header itself is garbage. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** What a record holds: the stream and the whole enveloped message (without `base`). */
export interface OutboxRecord {
  stream: string;
  bootId: string;
  seq: number;
  message: Record<string, unknown>;
}

export function encodeRecord(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload) >>> 0, 4);
  return Buffer.concat([header, payload]);
}

/** One record found while scanning a segment. */
export interface ScannedRecord {
  offset: number;
  /** Total bytes including the header. */
  size: number;
  payload: Buffer;
}

export type ScanEnd =
  | { kind: 'eof' }
  | { kind: 'torn'; offset: number }
  | { kind: 'corrupt'; offset: number; why: string };

/** Walks a segment's bytes. Stops at the first torn or corrupt record and says which. */
export function scanSegment(buf: Buffer): { records: ScannedRecord[]; end: ScanEnd } {
  const records: ScannedRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < HEADER_BYTES) return { records, end: { kind: 'torn', offset: off } };
    const len = buf.readUInt32BE(off);
    const sum = buf.readUInt32BE(off + 4);
    if (len === 0 || len > MAX_RECORD_BYTES)
      return { records, end: { kind: 'corrupt', offset: off, why: `bad length ${len}` } };
    if (off + HEADER_BYTES + len > buf.length) return { records, end: { kind: 'torn', offset: off } };
    const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
    if (crc32(payload) >>> 0 !== sum)
      return { records, end: { kind: 'corrupt', offset: off, why: 'checksum mismatch' } };
    records.push({ offset: off, size: HEADER_BYTES + len, payload });
    off += HEADER_BYTES + len;
  }
  return { records, end: { kind: 'eof' } };
}

/** Parses a record payload; null when the JSON is not a record (treated as corrupt). */
export function decodePayload(payload: Buffer): OutboxRecord | null {
  try {
    const j = JSON.parse(payload.toString('utf8')) as { k?: unknown; m?: Record<string, unknown> };
    const m = j.m;
    if (typeof j.k !== 'string' || !m || typeof m !== 'object') return null;
    if (typeof m.bootId !== 'string' || typeof m.seq !== 'number') return null;
    return { stream: j.k, bootId: m.bootId, seq: m.seq, message: m };
  } catch {
    return null;
  }
}

export function encodePayload(stream: string, message: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ k: stream, m: message }), 'utf8');
}
