import { connect } from 'node:net';

/** Whether something accepts TCP connections at `url` (a broker, Redis): tests on it skip when not. */
export function reachable(url: string, defaultPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const s = connect(Number(u.port || defaultPort), u.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
