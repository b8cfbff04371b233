import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Mailer } from '../security/mailer.js';
import { type TicketMailConfig, TicketMailer } from './notify.js';
import { TicketService } from './service.js';

export { TicketService } from './service.js';

/** The ticket service with its mail notifications wired in. */
export function createTickets(db: Db, mailer: Mailer, config: TicketMailConfig, log: Logger): TicketService {
  const svc = new TicketService(db, log.child({ mod: 'tickets' }));
  svc.mailer = new TicketMailer(db, mailer, config, log.child({ mod: 'ticket-mail' }), (id, mailId) =>
    svc.setMailId(id, mailId),
  );
  return svc;
}
