/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one
 * `[seconds, code, data]` event a line. Only output (`o`) and resize (`r`) events matter for
 * playback; bad lines are skipped, never thrown.
 */

/** A parsed recording: terminal size and the events to replay, in time order. */
export interface Asciicast {
  width: number;
  height: number;
  events: { t: number; kind: 'o' | 'r'; data: string }[];
  /** Lines that could not be read. */
  skipped: number;
}

export function parseAsciicast(text: string): Asciicast {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let width = 80;
  let height = 24;
  let skipped = 0;
  const events: Asciicast['events'] = [];
  lines.forEach((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      skipped++;
      return;
    }
    if (i === 0 && v && typeof v === 'object' && !Array.isArray(v)) {
      const h = v as { width?: unknown; height?: unknown };
      if (typeof h.width === 'number' && h.width > 0) width = h.width;
      if (typeof h.height === 'number' && h.height > 0) height = h.height;
      return;
    }
    const e = Array.isArray(v) ? (v as unknown[]) : [];
    const [t, code, data] = e;
    if (typeof t !== 'number' || !Number.isFinite(t) || typeof code !== 'string' || typeof data !== 'string') skipped++;
    // Input (`i`) and marker (`m`) events are valid but not played.
    else if (code === 'o' || code === 'r') events.push({ t: Math.max(0, t), kind: code, data });
  });
  events.sort((a, b) => a.t - b.t);
  return { width, height, events, skipped };
}

/** `COLSxROWS` of a resize event, or null. */
export function parseResize(data: string): { cols: number; rows: number } | null {
  const m = /^(\d+)x(\d+)$/.exec(data.trim());
  return m ? { cols: Number(m[1]), rows: Number(m[2]) } : null;
}
