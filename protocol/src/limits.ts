/**
 * Size limits enforced on every message. [SPEC 3.4]
 * A message over `maxMessageBytes` is refused before it is parsed.
 */
export const LIMITS = {
  maxMessageBytes: 256 * 1024,
  maxIdLength: 64,
  maxMetricSamples: 600,
  maxMounts: 32,
  maxLogLines: 2000,
  maxLogMessage: 8 * 1024,
  maxConversationMessages: 500,
  maxConversationText: 32 * 1024,
  maxEvents: 200,
  maxEventMessage: 2 * 1024,
  /** A picture in command progress (a pairing QR code as a PNG data URL; OpenClaw's are at most 16 KiB). */
  maxProgressImage: 24 * 1024,
  maxShortString: 256,
  maxCapabilities: 128,
  maxConsoleData: 64 * 1024,
  maxTransferChunk: 128 * 1024,
  maxParamsBytes: 192 * 1024,
} as const;
