import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { type SidecarProc, spawnSidecar, until } from './helpers/sidecar-proc.js';

/** The web console end to end: browser socket <-> hub <-> MQTT <-> real sidecar process <-> real pty. */
let hub: TestHub;
let sc: SidecarProc;
let instanceId: string;
let socket: Socket;
let output = '';
const exits: { sessionId: string; code: number | null; reason?: string }[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  const inst = await hub.newInstance();
  instanceId = inst.id;
  sc = spawnSidecar(
    { mqttUrl: hub.mqttUrl, id: inst.id, secret: inst.secret, hubKey: hub.hubPublicKey },
    { SHELL: '/bin/sh' },
  );
  await until(() => hub.ctx.fleet.get(instanceId)?.presence === 'online', 20_000, 'sidecar online');
  socket = io(hub.httpUrl, { path: '/socket.io', auth: { token: hub.token }, transports: ['websocket'] });
  await new Promise<void>((res, rej) => {
    socket.once('connect', () => res());
    socket.once('connect_error', rej);
  });
  socket.on('console.output', (e: { data: string }) => {
    output += e.data;
  });
  socket.on('console.exit', (e: { sessionId: string; code: number | null }) => exits.push(e));
}, 40_000);
afterAll(async () => {
  socket?.close();
  await sc?.dispose();
  await hub?.close();
});

describe('web console', () => {
  it('runs a shell through a real pty: input, resize, flow control under a flood, exit, recording, audit', async () => {
    const open = await hub.api<{ sessionId: string }>('POST', `/instances/${instanceId}/console`, {
      cols: 80,
      rows: 24,
    });
    expect(open.status).toBe(201);
    const sid = open.body.sessionId;
    const send = (data: string) => socket.emit('console.input', { sessionId: sid, data });
    let acked = 0;
    const ackAll = () => {
      const n = output.length - acked;
      if (n > 0) socket.emit('console.ack', { sessionId: sid, bytes: n });
      acked = output.length;
    };

    // Keystrokes in, output out (the pty echoes; the shell computes).
    await until(
      async () => {
        send('echo hello-$((6*7))\r');
        await new Promise((r) => setTimeout(r, 300));
        return output.includes('hello-42');
      },
      20_000,
      'echo through the pty',
    );
    ackAll();

    // Resize reaches the pty.
    // The resize and the keystrokes travel apart, so ask again until the pty has the new size.
    socket.emit('console.resize', { sessionId: sid, cols: 100, rows: 30 });
    await until(
      async () => {
        send('stty size\r');
        await new Promise((r) => setTimeout(r, 300));
        return output.includes('30 100');
      },
      20_000,
      'stty size after resize',
    );
    ackAll();

    // Flood without acks: output stops at the 256 KiB window (plus the frame in flight).
    const before = output.length;
    send('yes flood-line-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r');
    await until(() => output.length - before > 200 * 1024, 15_000, 'flood output');
    await new Promise((r) => setTimeout(r, 1500));
    const held = output.length - acked;
    expect(held).toBeLessThanOrEqual(256 * 1024 + 32 * 1024);
    const stalled = output.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(output.length).toBe(stalled); // paused: nothing more arrives without credit
    // Credit lets it flow again.
    ackAll();
    await until(() => output.length > stalled + 64 * 1024, 10_000, 'more output after ack');
    // Stop the flood (Ctrl-C), keep acking until the prompt answers.
    send('\x03');
    const marker = `done-${Date.now() % 1000}`;
    await until(
      async () => {
        ackAll();
        send(`echo ${marker.slice(0, 4)}''${marker.slice(4)}\r`);
        await new Promise((r) => setTimeout(r, 300));
        return output.includes(marker);
      },
      20_000,
      'prompt after Ctrl-C',
    );
    ackAll();

    // Clean exit from the shell side.
    send('exit 3\r');
    await until(() => exits.find((e) => e.sessionId === sid), 10_000, 'console.exit');
    expect(exits.find((e) => e.sessionId === sid)?.code).toBe(3);

    // The recording is asciicast v2 and holds what the terminal showed.
    const rec = await fetch(`${hub.httpUrl}/api/v1/instances/${instanceId}/console/${sid}/recording`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(rec.status).toBe(200);
    const lines = (await rec.text()).trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ version: 2, width: 80, height: 24 });
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.some((e) => e[1] === 'r' && e[2] === '100x30')).toBe(true);
    expect(
      events
        .filter((e) => e[1] === 'o')
        .map((e) => e[2])
        .join(''),
    ).toContain('hello-42');

    const sessions = await hub.api<{ id: string; status: string; exitCode: number }[]>(
      'GET',
      `/instances/${instanceId}/console`,
    );
    expect(sessions.body.find((s) => s.id === sid)).toMatchObject({ status: 'closed', exitCode: 3 });
    const audit = await hub.api<{ action: string; detail: { sessionId?: string } }[]>('GET', `/audit?target=${sid}`);
    expect(audit.body.map((a) => a.action).sort()).toEqual(['console.close', 'console.open']);
  }, 90_000);

  it('closes from the hub side and refuses frames for sessions it did not open', async () => {
    const open = await hub.api<{ sessionId: string }>('POST', `/instances/${instanceId}/console`, {});
    const sid = open.body.sessionId;
    await until(
      async () => {
        socket.emit('console.input', { sessionId: sid, data: 'echo ready-$((1+1))\r' });
        await new Promise((r) => setTimeout(r, 300));
        return output.includes('ready-2');
      },
      20_000,
      'second session ready',
    );
    expect((await hub.api('DELETE', `/instances/${instanceId}/console/${sid}`)).status).toBe(200);
    await until(() => exits.find((e) => e.sessionId === sid), 10_000, 'exit after close');
    // Input for an unknown session does nothing (and does not throw anywhere).
    socket.emit('console.input', { sessionId: 'con-unknown', data: 'x' });
    socket.emit('console.resize', { sessionId: 42, cols: 'x' });
    expect(hub.ctx.ops.console.counters.ignoredFrames).toBeGreaterThanOrEqual(0);
  }, 40_000);
});
