import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { AnnouncementService } from '../rollouts/announcements.js';
import type { Mailer } from '../security/mailer.js';

/** A change to a client's server that takes its agent offline for a while. */
export interface ServerChange {
  kind: 'resize' | 'move';
  instanceId: string;
  clientId: string;
  /** What it becomes: the new server type, or the new location. */
  to: string;
  /** For a move: the new location's city and ISO country, when known. */
  place?: { city: string; country: string } | null;
  /** Who asked for it (`user:<id>`), recorded on the announcement. */
  actor: string;
}

/**
 * How long the agent is offline, as told to the client: a resize is Hetzner's change_type (power
 * off, change, power on); a move is a snapshot, a new server from it and the agent starting again.
 */
export const DOWNTIME = { resize: 'about 2 to 5 minutes', move: 'about 5 to 15 minutes' } as const;

const countryName = (code: string) => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
};

/** The wording of the notice (announcement and mail share it). */
export function noticeText(c: ServerChange, hostname: string): { title: string; body: string } {
  if (c.kind === 'resize')
    return {
      title: 'Short downtime: your agent’s server is being resized',
      body: `Your agent (${hostname}) is moving to a larger or different server (${c.to}). It will be offline for ${DOWNTIME.resize} while the server restarts; messages that arrive meanwhile wait on the channel and are answered once it is back.`,
    };
  const where = c.place ? `${c.place.city}, ${countryName(c.place.country)} (${c.to})` : c.to;
  return {
    title: 'Short downtime: your agent’s server is moving',
    body: `Your agent (${hostname}) is moving to a server in ${where}. It will be offline for ${DOWNTIME.move} while its data is copied and the new server starts; messages that arrive meanwhile wait on the channel and are answered once it is back.`,
  };
}

/**
 * Tells a client before its server goes down for a resize or a move: an announcement on the
 * client's dashboard (stored, and live to the client's room) and a mail to its owners. A notice
 * that cannot be sent is logged and does not stop the change the operator asked for.
 */
export class ServerChangeNotices {
  constructor(private readonly d: { db: Db; announcements: AnnouncementService; mailer: Mailer; log: Logger }) {}

  async announce(c: ServerChange): Promise<void> {
    try {
      const host = (
        await this.d.db.query<{ hostname: string }>('SELECT hostname FROM instances WHERE id = $1', [c.instanceId])
      )[0];
      const { title, body } = noticeText(c, host?.hostname ?? c.instanceId);
      await this.d.announcements.create(
        { title, body, level: 'warning' },
        { userId: c.actor.replace(/^user:/, ''), email: '' },
        [c.clientId],
      );
      const owners = await this.d.db.query<{ email: string }>(
        `SELECT email FROM users WHERE client_id = $1 AND role = 'client_owner' AND NOT disabled ORDER BY created_at`,
        [c.clientId],
      );
      for (const o of owners)
        await this.d.mailer
          .send({ to: o.email, subject: title, text: `${body}\n\nNo action is needed on your side.\n` })
          .catch((e) => this.d.log.warn({ err: (e as Error).message, to: o.email }, 'server change mail failed'));
    } catch (e) {
      this.d.log.warn({ err: (e as Error).message, instanceId: c.instanceId }, 'server change notice failed');
    }
  }
}
