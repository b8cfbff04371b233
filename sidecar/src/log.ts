/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the sidecar writes its own log lines (stderr by default; journald captures it). */
export type Logger = (level: LogLevel, msg: string) => void;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger writing `ts level [instance] msg` lines to stderr at or above `min`. */
export function stderrLogger(min: LogLevel, tag: string): Logger {
  return (level, msg) => {
    if (RANK[level] < RANK[min]) return;
    process.stderr.write(`${new Date().toISOString()} ${level} [${tag}] ${msg}\n`);
  };
}

/** A logger that keeps nothing (fleet simulations run hundreds of sidecars in one process). */
export const silentLogger: Logger = () => {};
