/**
 * Writes the golden test vectors under protocol/vectors/. Run: `npx tsx protocol/scripts/make-vectors.ts`.
 * Deterministic: the key pair is kept in vectors/keys.json and Ed25519 signatures are deterministic,
 * so re-running only changes files when the protocol changes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, generateHubKeyPair, type HubKeyPair, signCommand, type UnsignedCommand } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const write = (rel: string, data: unknown) => {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
};

const keyFile = join(root, 'keys.json');
const keys: HubKeyPair & { note: string } = existsSync(keyFile)
  ? JSON.parse(readFileSync(keyFile, 'utf8'))
  : { note: 'TEST KEY ONLY: published on purpose for the signing vectors.', ...generateHubKeyPair() };
write('keys.json', keys);
const other: HubKeyPair = generateHubKeyPair(); // a key the sidecar does not trust (not persisted: only its failure matters)

const I = 'inst-0001';
const T0 = 1_764_000_000_000; // 2025-11-24T16:00:00Z
const env = (seq: number, extra: object = {}) => ({
  v: 1,
  id: `msg-${seq}`,
  instanceId: I,
  bootId: 'boot-a1',
  seq,
  ts: T0 + seq * 5000,
  ...extra,
});

// ---- topics
write('topics.json', {
  valid: [
    { topic: `ds/v1/${I}/metrics`, instanceId: I, kind: 'metrics' },
    { topic: `ds/v1/${I}/status`, instanceId: I, kind: 'status' },
    { topic: `ds/v1/${I}/cmd-result`, instanceId: I, kind: 'cmd-result' },
    { topic: `ds/v1/${I}/console/sess-9/in`, instanceId: I, kind: 'console', channelId: 'sess-9', direction: 'in' },
    { topic: `ds/v1/${I}/transfer/tx_1/out`, instanceId: I, kind: 'transfer', channelId: 'tx_1', direction: 'out' },
  ],
  invalid: [
    { topic: 'ds/v2/inst/metrics', why: 'other protocol version' },
    { topic: 'ds/v1//metrics', why: 'empty instance id' },
    { topic: 'ds/v1/+/metrics', why: 'wildcard as id' },
    { topic: 'ds/v1/#', why: 'wildcard' },
    { topic: `ds/v1/${I}/metrics/extra`, why: 'extra level' },
    { topic: `ds/v1/${I}/nope`, why: 'unknown kind' },
    { topic: `ds/v1/${I}/console/+/in`, why: 'wildcard session id' },
    { topic: `ds/v1/${I}/console/s1/sideways`, why: 'bad direction' },
    { topic: 'ds/v1/../metrics', why: 'dot-dot id' },
  ],
  refusedIds: ['', '+', '#', 'a/b', 'a+b', 'x#', ' ', 'a'.repeat(65), '..'],
});

// ---- messages: valid and invalid payloads of every kind
const sample = {
  t: T0,
  cpu: 12.5,
  load1: 0.4,
  load5: 0.3,
  load15: 0.2,
  memUsed: 1_200_000_000,
  memTotal: 4_000_000_000,
  swapUsed: 0,
  swapTotal: 1_000_000_000,
  disks: [{ mount: '/', used: 10_000_000_000, total: 40_000_000_000 }],
  netRx: 1200,
  netTx: 3400,
  uptime: 86400,
  openclaw: { pid: 4242, cpu: 3.1, rss: 950_000_000 },
};
const messages: Record<
  string,
  { topic: string; valid: object[]; invalid: { name: string; payload: unknown; reason: string }[] }
> = {
  status: {
    topic: `ds/v1/${I}/status`,
    valid: [env(1, { state: 'online' }), env(2, { state: 'offline', reason: 'last will' })],
    invalid: [
      { name: 'unknown state', payload: env(1, { state: 'sleeping' }), reason: 'invalid' },
      {
        name: 'spoofed instance',
        payload: { ...env(1, { state: 'online' }), instanceId: 'inst-0002' },
        reason: 'spoofed',
      },
    ],
  },
  hello: {
    topic: `ds/v1/${I}/hello`,
    valid: [
      env(1, {
        sidecarVersion: '0.1.0',
        protocolVersion: 1,
        openclawVersion: '2026.9.6',
        capabilities: ['ping', 'model.set', 'collector:system'],
        hostname: 'client-a-vps',
      }),
      env(1, {
        sidecarVersion: '0.1.0',
        protocolVersion: 1,
        openclawVersion: null,
        capabilities: [],
        hostname: 'bare',
      }),
    ],
    invalid: [
      {
        name: 'missing hostname',
        payload: env(1, { sidecarVersion: '0.1.0', protocolVersion: 1, openclawVersion: null, capabilities: [] }),
        reason: 'invalid',
      },
    ],
  },
  metrics: {
    topic: `ds/v1/${I}/metrics`,
    valid: [
      env(1, { samples: [sample, { ...sample, t: T0 + 1000 }] }),
      env(2, { base: 2, samples: [{ t: T0 + 2000, cpu: 1, openclaw: null }] }),
      env(3, { samples: [sample], futureField: 'ignored' }),
    ],
    invalid: [
      { name: 'empty batch', payload: env(1, { samples: [] }), reason: 'invalid' },
      { name: 'cpu over 100', payload: env(1, { samples: [{ ...sample, cpu: 250 }] }), reason: 'invalid' },
      { name: 'negative memory', payload: env(1, { samples: [{ ...sample, memUsed: -1 }] }), reason: 'invalid' },
      { name: 'string number', payload: env(1, { samples: [{ ...sample, cpu: '12' }] }), reason: 'invalid' },
      { name: 'time in seconds', payload: env(1, { samples: [{ ...sample, t: 1_764_000_000 }] }), reason: 'invalid' },
      { name: 'wrong version', payload: { ...env(1, { samples: [sample] }), v: 2 }, reason: 'bad_version' },
      { name: 'negative seq', payload: env(-1, { samples: [sample] }), reason: 'invalid' },
      {
        name: 'spoofed instance',
        payload: { ...env(1, { samples: [sample] }), instanceId: 'inst-0002' },
        reason: 'spoofed',
      },
      { name: 'not an object', payload: [1, 2, 3], reason: 'invalid' },
    ],
  },
  logs: {
    topic: `ds/v1/${I}/logs`,
    valid: [env(1, { lines: [{ t: T0, level: 'info', subsystem: 'gateway', msg: 'listening on 127.0.0.1:18789' }] })],
    invalid: [
      {
        name: 'unknown level',
        payload: env(1, { lines: [{ t: T0, level: 'loud', subsystem: '', msg: 'x' }] }),
        reason: 'invalid',
      },
      {
        name: 'message too long',
        payload: env(1, { lines: [{ t: T0, level: 'info', subsystem: '', msg: 'x'.repeat(9000) }] }),
        reason: 'invalid',
      },
    ],
  },
  conversations: {
    topic: `ds/v1/${I}/conversations`,
    valid: [
      env(1, {
        messages: [
          {
            messageId: 'm1',
            t: T0,
            sessionKey: 'agent:main:main',
            channel: 'telegram',
            role: 'user',
            text: 'Hi',
            model: null,
          },
          {
            messageId: 'm2',
            t: T0 + 900,
            sessionKey: 'agent:main:main',
            channel: 'telegram',
            role: 'assistant',
            text: 'Hello! How can I help?',
            tokensIn: 1234,
            tokensOut: 12,
            cost: 0.0042,
            model: 'anthropic/claude-sonnet-4-5',
            provider: 'anthropic',
            latencyMs: 900,
          },
        ],
      }),
    ],
    invalid: [
      {
        name: 'unknown role',
        payload: env(1, { messages: [{ messageId: 'm', t: T0, sessionKey: 's', role: 'robot', text: '' }] }),
        reason: 'invalid',
      },
      {
        name: 'fractional tokens',
        payload: env(1, {
          messages: [{ messageId: 'm', t: T0, sessionKey: 's', role: 'user', text: '', tokensIn: 1.5 }],
        }),
        reason: 'invalid',
      },
    ],
  },
  events: {
    topic: `ds/v1/${I}/events`,
    valid: [
      env(1, {
        events: [
          { t: T0, type: 'openclaw.down', severity: 'error', message: 'gateway not reachable' },
          {
            t: T0,
            type: 'openclaw.state',
            data: { present: true, up: true, version: '2026.9.6', model: 'fake/fake-model' },
          },
        ],
      }),
    ],
    invalid: [
      { name: 'bad type chars', payload: env(1, { events: [{ t: T0, type: 'Bad Type!' }] }), reason: 'invalid' },
    ],
  },
  'cmd-result': {
    topic: `ds/v1/${I}/cmd-result`,
    valid: [
      env(1, { commandId: 'cmd-1', state: 'delivered' }),
      env(2, { commandId: 'cmd-1', state: 'running', progress: { pct: 40, message: 'downloading' } }),
      env(3, { commandId: 'cmd-1', state: 'succeeded', result: { pong: true, ts: T0 } }),
      env(4, { commandId: 'cmd-2', state: 'rejected', error: { code: 'expired', message: 'command has expired' } }),
      env(5, {
        commandId: 'cmd-3',
        state: 'running',
        progress: {
          message: 'Scan this QR in WhatsApp → Linked Devices.',
          image: 'data:image/png;base64,iVBORw0KGgo=',
        },
      }),
    ],
    invalid: [
      { name: 'hub-only state', payload: env(1, { commandId: 'c', state: 'queued' }), reason: 'invalid' },
      {
        name: 'progress image not a PNG data URL',
        payload: env(2, { commandId: 'c', state: 'running', progress: { image: 'https://example.com/qr.png' } }),
        reason: 'invalid',
      },
    ],
  },
  ack: {
    topic: `ds/v1/${I}/ack`,
    valid: [{ v: 1, ts: T0, acks: [{ bootId: 'boot-a1', stream: 'metrics', seq: 41 }] }],
    invalid: [
      {
        name: 'unknown stream',
        payload: { v: 1, ts: T0, acks: [{ bootId: 'b', stream: 'status', seq: 1 }] },
        reason: 'invalid',
      },
    ],
  },
  'console/in': {
    topic: `ds/v1/${I}/console/sess-1/in`,
    valid: [
      { v: 1, type: 'input', data: 'ls -la\r' },
      { v: 1, type: 'resize', cols: 120, rows: 40 },
      { v: 1, type: 'ack', bytes: 65536 },
      { v: 1, type: 'close' },
    ],
    invalid: [{ name: 'zero cols', payload: { v: 1, type: 'resize', cols: 0, rows: 10 }, reason: 'invalid' }],
  },
  'console/out': {
    topic: `ds/v1/${I}/console/sess-1/out`,
    valid: [
      { v: 1, type: 'output', seq: 0, data: 'root@vps:~# ' },
      { v: 1, type: 'exit', code: 0 },
    ],
    invalid: [{ name: 'unknown frame', payload: { v: 1, type: 'bell' }, reason: 'invalid' }],
  },
  'transfer/out': {
    topic: `ds/v1/${I}/transfer/tx-1/out`,
    valid: [
      { v: 1, type: 'chunk', seq: 0, data: Buffer.from('hello').toString('base64') },
      {
        v: 1,
        type: 'chunk',
        seq: 1,
        data: '',
        eof: { size: 5, sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' },
      },
    ],
    invalid: [
      {
        name: 'bad checksum',
        payload: { v: 1, type: 'chunk', seq: 1, data: '', eof: { size: 5, sha256: 'xyz' } },
        reason: 'invalid',
      },
    ],
  },
};
for (const [kind, v] of Object.entries(messages)) write(`messages/${kind.replace('/', '-')}.json`, { kind, ...v });

// ---- command params
const commands: Record<string, { valid: unknown[]; invalid: unknown[] }> = {
  ping: { valid: [{}], invalid: [{ extra: 1 }] },
  'openclaw.restart': {
    valid: [{}, { waitReadySec: 30 }, { drain: true, drainSec: 120 }],
    invalid: [{ waitReadySec: -1 }, { drainSec: 5000 }],
  },
  'agent.pause': { valid: [{}], invalid: [{ channels: 'all' }] },
  'agent.resume': { valid: [{}], invalid: [{ now: true }] },
  'model.set': {
    valid: [
      { model: 'anthropic/claude-sonnet-4-5' },
      { model: 'openrouter/meta-llama/llama-3.1-70b' },
      { model: 'anthropic/claude-sonnet-4-5', guard: false, drain: false },
    ],
    invalid: [{}, { model: 'no-provider' }, { model: 42 }, { model: 'a/b', guard: 'yes' }],
  },
  'openclaw.update': {
    valid: [{ version: '2026.9.6' }, { version: 'latest' }],
    invalid: [{}, { version: '1.0; rm -rf /' }],
  },
  'config.get': { valid: [{}], invalid: [{ secrets: true }] },
  'config.apply': {
    valid: [
      { model: 'fake/fake-model' },
      {
        channels: { telegram: { enabled: true, botToken: '123:abc' } },
        identity: { name: 'Ada', emoji: '🤖' },
        files: { 'SOUL.md': '# Soul\nFriendly.' },
        revision: 3,
      },
    ],
    invalid: [{ files: { '../../etc/passwd': 'x' } }, { channels: { email: { enabled: true } } }],
  },
  'logs.tail': { valid: [{}, { lines: 500 }], invalid: [{ lines: 0 }, { lines: 100000 }] },
  'backup.create': { valid: [{ transferId: 'bk-1' }], invalid: [{}, { transferId: 'a/b' }] },
  'backup.restore': {
    valid: [{ transferId: 'bk-1', size: 10, sha256: 'a'.repeat(64) }],
    invalid: [{ transferId: 'bk-1', size: 10 }],
  },
  'console.open': {
    valid: [{ sessionId: 's1' }, { sessionId: 's1', cols: 120, rows: 40 }],
    invalid: [{}, { sessionId: '+' }],
  },
  'console.close': { valid: [{ sessionId: 's1' }], invalid: [{}] },
  'credentials.rotate': { valid: [{ secret: 'x'.repeat(40) }], invalid: [{ secret: 'short' }] },
  'sidecar.update': { valid: [{ version: '0.2.0' }], invalid: [{ version: '' }] },
  'hubkey.rotate': {
    valid: [{ publicKey: keys.publicKey, retireOldAfter: T0 }],
    invalid: [{ publicKey: 'rsa:xyz', retireOldAfter: 0 }],
  },
  'chat.send': {
    valid: [{ message: 'Hello' }, { message: 'Hi', sessionKey: 'agent:main:test' }],
    invalid: [{ message: '' }, {}],
  },
  'channel.login': {
    valid: [{ channel: 'whatsapp' }, { channel: 'whatsapp', force: true, waitSec: 300 }],
    invalid: [{}, { channel: 'telegram' }, { channel: 'whatsapp', waitSec: 5 }, { channel: 'whatsapp', phone: '+1' }],
  },
  'change.rollback': {
    valid: [{}, { snapshotId: 'snap-1796226701947-cmd_abc' }, { drain: false, checkSec: 90 }],
    invalid: [{ snapshotId: '../etc' }, { checkSec: 1 }, { force: true }],
  },
};
write('commands.json', commands);

// ---- signing
const base: UnsignedCommand = {
  v: 1,
  id: 'cmd-0001',
  instanceId: I,
  type: 'model.set',
  params: { model: 'anthropic/claude-sonnet-4-5' },
  issuedAt: T0,
  expiresAt: T0 + 120_000,
  issuer: 'user:admin@example.com',
};
const good = signCommand(base, keys.privateKeyPem);
const now = T0 + 1000;
write('signing.json', {
  publicKey: keys.publicKey,
  keyId: keys.keyId,
  instanceId: I,
  now,
  canonical: canonicalJson(base),
  valid: good,
  refused: [
    { name: 'unsigned', reason: 'missing_signature', command: { ...base } },
    { name: 'tampered params', reason: 'bad_signature', command: { ...good, params: { model: 'evil/model' } } },
    { name: 'tampered type', reason: 'bad_signature', command: { ...good, type: 'openclaw.update' } },
    { name: 'tampered expiry', reason: 'bad_signature', command: { ...good, expiresAt: good.expiresAt + 1 } },
    { name: 'tampered issuer', reason: 'bad_signature', command: { ...good, issuer: 'user:mallory' } },
    { name: 'garbage signature', reason: 'bad_signature', command: { ...good, sig: 'AAAA' } },
    { name: 'signed by another key', reason: 'bad_signature', command: signCommand(base, other.privateKeyPem) },
    {
      name: 'another instance',
      reason: 'wrong_instance',
      command: signCommand({ ...base, instanceId: 'inst-0002' }, keys.privateKeyPem),
    },
    { name: 'expired', reason: 'expired', command: signCommand({ ...base, expiresAt: now - 1 }, keys.privateKeyPem) },
    {
      name: 'issued in the future',
      reason: 'not_yet_valid',
      command: signCommand({ ...base, issuedAt: now + 3_600_000, expiresAt: now + 7_200_000 }, keys.privateKeyPem),
    },
    { name: 'replayed id', reason: 'replayed', command: good, seen: ['cmd-0001'] },
    { name: 'malformed', reason: 'malformed', command: { ...good, issuedAt: 'yesterday' } },
  ],
});
console.log(`vectors written to ${root}`);
