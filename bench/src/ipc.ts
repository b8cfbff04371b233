import type { ChildProcess } from 'node:child_process';

/**
 * Sends `msg` to a child process and resolves with its first answer that carries `key` (the
 * benchmarks' worker processes answer each request with one such message).
 */
export function request<T>(child: ChildProcess, msg: unknown, key: string, timeoutMs: number): Promise<T> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`worker: no ${key} within ${timeoutMs} ms`)), timeoutMs);
    const on = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      clearTimeout(t);
      child.off('message', on);
      res(m as T);
    };
    child.on('message', on);
    child.send(msg as object);
  });
}
