import { randomBytes, randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@deepsignal/protocol';

/** A fresh boot id: new for every process start, so seqs never repeat within one. [SPEC 3.1] */
export function newBootId(): string {
  return `b${randomBytes(9).toString('base64url')}`;
}

/**
 * Stamps the envelope on outgoing messages: `seq` starts at 0 and grows by one per message
 * within (bootId, stream). [SPEC 3.1, 4.1]
 */
export class Stamper {
  private readonly seqs = new Map<string, number>();

  constructor(
    readonly instanceId: string,
    readonly bootId: string,
    private readonly now: () => number = Date.now,
  ) {}

  stamp<T extends object>(
    stream: string,
    body: T,
  ): T & { v: 1; id: string; instanceId: string; bootId: string; seq: number; ts: number } {
    const seq = (this.seqs.get(stream) ?? -1) + 1; // the first is 0 [SPEC 3.1]
    this.seqs.set(stream, seq);
    return {
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      instanceId: this.instanceId,
      bootId: this.bootId,
      seq,
      ts: this.now(),
      ...body,
    };
  }
}
