/** Shown at / when the dashboard has not been built (dashboard/out is missing). */
export function placeholderPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Deep Signal hub</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#111}code{background:#f3f3f3;padding:0 .3em}</style>
</head><body><h1>Deep Signal hub</h1>
<p>The hub is running. The dashboard has not been built yet: run <code>npm run build -w dashboard</code> and restart.</p>
<ul><li><a href="/docs">API documentation (OpenAPI)</a></li><li><a href="/healthz">Health</a></li><li><a href="/metrics">Prometheus metrics</a></li></ul>
<p>Log in with <code>POST /api/v1/auth/login</code> using the admin shown when the hub started.</p>
</body></html>`;
}
