/**
 * The fleet benchmark's browser: a child process with one Socket.IO client in the fleet room,
 * apart from the simulated instances, so that handling a frame does not wait behind thousands of
 * simulated sidecars in their event loop (a real browser runs on another machine). Driven over
 * IPC: `{measure: 'start'}` clears and answers `{probing: true}`; `{measure: 'stop'}` answers
 * `{frames: [key, wallMs][]}` with key `<instanceId>|<sample t ms>`; `{exit: true}` ends it.
 * Hub URL and token come in DS_PROBE_URL and DS_PROBE_TOKEN.
 */
import { io } from 'socket.io-client';

const now = () => performance.timeOrigin + performance.now();
let frames: [string, number][] = [];
const socket = io(process.env.DS_PROBE_URL ?? '', {
  path: '/socket.io',
  auth: { token: process.env.DS_PROBE_TOKEN },
  transports: ['websocket'],
});
socket.on('metrics', (e: { instanceId: string; t: string }) => {
  frames.push([`${e.instanceId}|${Date.parse(e.t)}`, now()]);
});
socket.on('connect', () => process.send?.({ ready: true }));

process.on('message', (m: { measure?: 'start' | 'stop'; exit?: boolean }) => {
  if (m.measure === 'start') {
    frames = [];
    process.send?.({ probing: true });
  } else if (m.measure === 'stop') {
    process.send?.({ frames });
    frames = [];
  } else if (m.exit) {
    socket.close();
    process.exit(0);
  }
});
