import type { Server } from 'node:net';

/** A port that could not be bound; `setting` names the variable to change. */
export class PortInUseError extends Error {
  constructor(
    readonly setting: string,
    readonly port: number,
    readonly bind: string,
    cause?: unknown,
  ) {
    super(`port ${port} on ${bind} is already in use: set ${setting} to another port`);
    this.cause = cause;
  }
}

/** Listens and resolves the bound port; EADDRINUSE becomes a PortInUseError naming `setting`. */
export function listenOn(server: Server, port: number, bind: string, setting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e.code === 'EADDRINUSE' || e.code === 'EACCES' ? new PortInUseError(setting, port, bind, e) : e);
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, bind);
  });
}

/** Fails fast (before the database is opened) when a fixed port is taken. Port 0 always passes. */
export async function assertPortFree(port: number, bind: string, setting: string): Promise<void> {
  if (port === 0) return;
  const { createServer } = await import('node:net');
  const probe = createServer();
  await listenOn(probe, port, bind, setting);
  await new Promise<void>((r) => probe.close(() => r()));
}
