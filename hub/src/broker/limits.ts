import type { Socket } from 'node:net';
import { LIMITS, parseTopic } from '@deepsignal/protocol';

/**
 * Largest MQTT packet (remaining length) read from an authenticated connection: the protocol's
 * 256 KiB payload limit [SPEC 3.4] plus room for the topic and packet id.
 */
export const MAX_PACKET_BYTES = LIMITS.maxMessageBytes + 1024;
/** Before login only a CONNECT is valid, and ours are a few hundred bytes. */
export const MAX_PREAUTH_PACKET_BYTES = 16 * 1024;
/** A connection that has not completed its CONNECT within this time is closed. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Largest retained message per instance: only `status` is retained [SPEC 2.3], and it is small. */
export const MAX_RETAINED_BYTES = 4 * 1024;

/**
 * Follows MQTT framing (fixed header, remaining length, body) over the raw bytes and says when a
 * packet declares more than `limit()` bytes, as soon as its length field is read: the parser
 * behind it would otherwise buffer up to the 256 MiB a length field can declare.
 */
export function packetSizeGuard(limit: () => number): (chunk: Buffer) => boolean {
  let stage: 'type' | 'length' | 'body' = 'type';
  let len = 0;
  let mul = 1;
  let left = 0;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (stage === 'type') {
        stage = 'length';
        len = 0;
        mul = 1;
        i++;
      } else if (stage === 'length') {
        const b = chunk[i++];
        len += (b & 127) * mul;
        mul *= 128;
        if (len > limit()) return false;
        if (b & 128) {
          if (mul > 128 ** 3) return false; // more than 4 length bytes: malformed
          continue;
        }
        left = len;
        stage = left === 0 ? 'type' : 'body';
      } else {
        const take = Math.min(left, chunk.length - i);
        i += take;
        left -= take;
        if (left === 0) stage = 'type';
      }
    }
    return true;
  };
}

/**
 * Applies the packet size limit to a connection before any byte reaches the MQTT parser: the
 * socket's `push` (what the stream machinery calls with each chunk read) checks the framing and
 * destroys the connection at the first packet over the limit.
 */
export function guardPacketSizes(socket: Socket, limit: () => number, onTooLarge: () => void): void {
  const ok = packetSizeGuard(limit);
  const push = socket.push.bind(socket);
  socket.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (Buffer.isBuffer(chunk) && !ok(chunk)) {
      onTooLarge();
      socket.destroy();
      return false;
    }
    return push(chunk, encoding);
  };
}

/** Whether a publish may keep its retain flag: only `status` [SPEC 2.3], and only a small one. */
export function mayRetain(topic: string, payload: Buffer | string): boolean {
  const t = parseTopic(topic);
  return t.ok && t.value.kind === 'status' && Buffer.byteLength(payload) <= MAX_RETAINED_BYTES;
}
