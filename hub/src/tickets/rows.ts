import { type BusinessHours, DEFAULT_HOURS } from './business-hours.js';
import type { AttachmentView, ThreadEntry, TicketState } from './types.js';

export type Row = Record<string, unknown>;

export const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
export const date = (v: unknown) => (v ? new Date(v as string) : null);

/** The raw ticket row, typed. */
export interface TicketRow {
  id: string;
  client_id: string;
  instance_id: string | null;
  opened_by: string | null;
  subject: string;
  state: TicketState;
  snoozed_until: Date | null;
  category: string;
  priority: string;
  assignee_id: string | null;
  reply_token: string;
  created_at: Date;
  updated_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  waiting_since: Date | null;
  paused_ms: number;
  first_response_breached_at: Date | null;
  resolution_breached_at: Date | null;
  draft_reply: string | null;
  draft_by: string | null;
  proposed_resolution: string | null;
  escalated_at: Date | null;
  escalation_reason: string | null;
  /** Joined: the client's plan, name and business hours. */
  plan?: string;
  client_name?: string;
  time_zone?: string | null;
  day_start_hour?: number | null;
  day_end_hour?: number | null;
  work_days?: number[] | null;
}

export function ticketRow(r: Row): TicketRow {
  return {
    ...(r as unknown as TicketRow),
    snoozed_until: date(r.snoozed_until),
    created_at: date(r.created_at) as Date,
    updated_at: date(r.updated_at) as Date,
    first_response_at: date(r.first_response_at),
    resolved_at: date(r.resolved_at),
    waiting_since: date(r.waiting_since),
    first_response_breached_at: date(r.first_response_breached_at),
    resolution_breached_at: date(r.resolution_breached_at),
    paused_ms: Number(r.paused_ms ?? 0),
    escalated_at: date(r.escalated_at),
  };
}

export function hoursOf(r: TicketRow): BusinessHours {
  if (!r.time_zone) return DEFAULT_HOURS;
  return {
    timeZone: r.time_zone,
    dayStartHour: Number(r.day_start_hour ?? 9),
    dayEndHour: Number(r.day_end_hour ?? 17),
    workDays: (r.work_days ?? [1, 2, 3, 4, 5]).map(Number),
  };
}

export const toEntry = (r: Row): ThreadEntry => ({
  id: String(r.id),
  kind: r.kind as ThreadEntry['kind'],
  author: r.author as ThreadEntry['author'],
  authorId: (r.author_id as string | null) ?? null,
  authorEmail: (r.author_email as string | null) ?? null,
  body: String(r.body),
  via: String(r.via),
  automatic: Boolean(r.automatic),
  meta: r.meta ?? null,
  createdAt: iso(r.created_at) as string,
});

export const toAttachment = (r: Row): AttachmentView => ({
  id: String(r.id),
  messageId: (r.message_id as string | null) ?? null,
  filename: String(r.filename),
  contentType: String(r.content_type),
  size: Number(r.size),
  internal: Boolean(r.internal),
  createdAt: iso(r.created_at) as string,
});

/** Ticket rows with the client's plan and hours joined in. */
export const TICKET_SELECT = `SELECT t.*, c.plan, c.name AS client_name, s.time_zone, s.day_start_hour, s.day_end_hour, s.work_days
  FROM tickets t JOIN clients c ON c.id = t.client_id LEFT JOIN support_client_settings s ON s.client_id = t.client_id`;
