import type { Mail } from '../../security/mailer.js';
import type { Notification } from '../notifier.js';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** An alert mail: subject with the count and the first summary, a plain and an HTML body. */
export function alertMail(n: Notification, to: string): Mail {
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const first = firing[0] ?? n.alerts[0];
  const subject =
    n.status === 'resolved'
      ? `[RESOLVED] ${first?.annotations.summary ?? first?.ruleId ?? 'alert'}`
      : `[FIRING:${firing.length}] ${first?.annotations.summary ?? first?.ruleId}`;
  const lines = n.alerts.map((a) =>
    `${a.status.toUpperCase()} ${a.severity} ${a.annotations.summary ?? a.ruleId}\n  ${a.annotations.description ?? ''}\n  ${a.url ?? ''}`.trimEnd(),
  );
  const rows = n.alerts
    .map(
      (a) =>
        `<tr><td>${esc(a.status)}</td><td>${esc(a.severity)}</td><td>${esc(a.annotations.summary ?? a.ruleId)}</td><td>${a.url ? `<a href="${esc(a.url)}">open</a>` : ''}</td></tr>`,
    )
    .join('');
  return {
    to,
    subject,
    text: `${lines.join('\n\n')}\n`,
    html: `<table><tr><th>status</th><th>severity</th><th>alert</th><th></th></tr>${rows}</table>`,
    headers: { 'X-DeepSignal-Alert-Group': n.dedupKey },
  };
}
