import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** What a name answers: TXT strings, A/AAAA addresses (a function answers each query anew). */
export interface Zone {
  TXT?: string[];
  A?: string[] | (() => string[]);
  AAAA?: string[] | (() => string[]);
}

/**
 * An authoritative DNS server on a loopback UDP port speaking the real wire format (dns-packet):
 * the hub's resolver is pointed at it with `DS_DNS_SERVERS`. Unknown names answer NXDOMAIN.
 * `queries` lists every question asked, as `TYPE name`. Answers have TTL 0, so nothing is cached.
 */
export async function startDnsServer(zones: Record<string, Zone> = {}) {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    queries.push(`${question.type} ${name}`);
    const zone = zones[name];
    const answers: dnsPacket.Answer[] = [];
    if (zone && question.type === 'TXT')
      for (const t of zone.TXT ?? []) answers.push({ type: 'TXT', name: question.name, ttl: 0, data: t });
    if (zone && (question.type === 'A' || question.type === 'AAAA')) {
      const v = zone[question.type];
      for (const a of (typeof v === 'function' ? v() : v) ?? [])
        answers.push({ type: question.type, name: question.name, ttl: 0, data: a });
    }
    const reply = dnsPacket.encode({
      id: q.id,
      type: 'response',
      // authoritative answer; NXDOMAIN (rcode 3) when the name is unknown
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (zone ? 0 : 3),
      questions: q.questions,
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  return {
    /** For DS_DNS_SERVERS. */
    server: `127.0.0.1:${port}`,
    zones,
    queries,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}
