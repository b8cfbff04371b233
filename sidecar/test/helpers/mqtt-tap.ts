import net from 'node:net';
import { parseMessage } from '@deepsignal/protocol';
import mqttPacket, { type Packet } from 'mqtt-packet';

/** A sequenced message as it crossed the wire from the sidecar (retransmissions included). */
export interface WireMessage {
  kind: string;
  bootId: string;
  seq: number;
  message: Record<string, unknown>;
}

/**
 * A TCP proxy in front of a real broker that reads the MQTT both ways: it records every message a
 * sidecar publishes (so a test sees replays and duplicates as sent), and with `dropAcks` it
 * swallows the hub's `…/ack` publishes, so the hub commits data the sidecar never hears about.
 * Sidecar-to-hub bytes are forwarded untouched; hub-to-sidecar packets are re-encoded.
 */
export interface MqttTap {
  url: string;
  sent: WireMessage[];
  droppedAcks: number;
  dropAcks: boolean;
  close(): Promise<void>;
}

export async function startMqttTap(target: { host: string; port: number }): Promise<MqttTap> {
  const sockets = new Set<net.Socket>();
  const tap: MqttTap = {
    url: '',
    sent: [],
    droppedAcks: 0,
    dropAcks: false,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = net.createServer((client) => {
    const hub = net.connect(target.port, target.host);
    sockets.add(client).add(hub);
    const end = () => {
      client.destroy();
      hub.destroy();
      sockets.delete(client);
      sockets.delete(hub);
    };
    client.on('error', end).on('close', end);
    hub.on('error', end).on('close', end);
    let protocolVersion = 4;
    const fromClient = mqttPacket.parser();
    fromClient.on('packet', (p: Packet) => {
      if (p.cmd === 'connect') protocolVersion = p.protocolVersion ?? 4;
      if (p.cmd !== 'publish') return;
      const m = parseMessage(p.topic, p.payload as Buffer, 'sidecar->hub');
      if (!m.ok) return;
      const msg = m.value.message as unknown as Record<string, unknown> & { bootId?: string; seq?: number };
      if (typeof msg.bootId === 'string' && typeof msg.seq === 'number')
        tap.sent.push({ kind: m.value.kind, bootId: msg.bootId, seq: msg.seq, message: msg });
    });
    fromClient.on('error', end);
    client.on('data', (d) => {
      hub.write(d);
      fromClient.parse(d);
    });
    // Created on the hub's first bytes: by then the client's CONNECT said which MQTT version it speaks.
    let fromHub: ReturnType<typeof mqttPacket.parser> | null = null;
    hub.on('data', (d) => {
      if (!fromHub) {
        fromHub = mqttPacket.parser({ protocolVersion });
        fromHub.on('packet', (p: Packet) => {
          if (p.cmd === 'publish' && p.topic.endsWith('/ack') && tap.dropAcks) {
            tap.droppedAcks++;
            // Still acknowledge the QoS 1 delivery to the broker, so it does not resend it later.
            if (p.qos === 1 && p.messageId !== undefined)
              hub.write(mqttPacket.generate({ cmd: 'puback', messageId: p.messageId }, { protocolVersion }));
            return;
          }
          client.write(mqttPacket.generate(p, { protocolVersion }));
        });
        fromHub.on('error', end);
      }
      fromHub.parse(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tap.url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return tap;
}
