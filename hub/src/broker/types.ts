/**
 * The hub's side of MQTT, whichever broker is used: the embedded aedes or an external broker
 * reached as a client. Ingest and commands only see this.
 */
export interface BrokerLink {
  mode: 'embedded' | 'external';
  /** URL sidecars use by default (`mqtt://host:port` or `mqtts://…`). */
  url: string;
  /**
   * External broker without shared subscriptions (MQTT 3.1.1 only): every hub receives every
   * sidecar message, so what a hub derives from arrival alone (live metric frames) stays local.
   */
  everyHubReceivesAll?: boolean;
  publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  /** Sidecars connected right now (embedded: exact; external: from presence). */
  connectedCount(): number;
  ready(): boolean;
  close(): Promise<void>;
}

/** Called by a broker for every message a sidecar published on an allowed topic. */
export type MessageSink = (topic: string, payload: Buffer, fromInstance: string | undefined) => AcceptResult;

/** `wait` is a promise when the ingest queue is full: the broker stops reading until it settles. */
export type AcceptResult = { ok: true; wait?: Promise<void> } | { ok: false; reason: string };
