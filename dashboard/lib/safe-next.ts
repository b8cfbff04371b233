/**
 * Where to go after login: only a path on this site. `?next=` comes from the address bar, so
 * `//evil.example`, `/\evil.example` (browsers read `\` as `/`), `https://…` or `javascript:` must
 * not leave it. The value is resolved against our own origin and kept only if it stays there.
 */
export function safeNext(next: string | null | undefined, origin: string): string | null {
  if (!next?.startsWith('/') || /[\\\u0000-\u001f]/.test(next)) return null;
  try {
    const url = new URL(next, origin);
    if (url.origin !== new URL(origin).origin) return null;
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith('//') ? null : path;
  } catch {
    return null;
  }
}
