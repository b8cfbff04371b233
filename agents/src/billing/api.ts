import type { HubClient } from '../hub-client.js';

/** What a client's invoice for a period would be before it is issued (`GET /billing/invoice-preview`). */
export interface InvoicePreview {
  clientId: string;
  clientName: string;
  status: string;
  period: string;
  planAtStart: string;
  statusAtStart: string;
  changes: {
    at: string;
    fromPlan: string | null;
    toPlan: string | null;
    fromStatus: string | null;
    toStatus: string | null;
  }[];
  messages: number;
  /** Messages of the three periods before, oldest first. */
  priorMessages: number[];
  /** Net cents. */
  subtotal: number;
  currency: string;
  invoiceId: string | null;
  hold: InvoiceHold | null;
}

/** A hold on an invoice, set before it is issued (`/billing/holds`). */
export interface InvoiceHold {
  clientId: string;
  period: string;
  reason: string;
  evidence: Record<string, unknown>;
  heldBy: string;
  active: boolean;
}

/** A client's billing view (`GET /clients/:id/billing`): only what the agent reads. */
export interface ClientBilling {
  allowance: { plan: string; models: string[] };
}

/** A server type with its monthly gross price per location (`GET /deploy/catalogue`). */
export interface ServerType {
  name: string;
  cores: number;
  memoryGb: number;
  diskGb: number;
  architecture?: string;
  monthlyPrice: Record<string, number>;
}

/** Where an instance runs (`GET /instances/:id/server`). */
export interface InstanceServer {
  instanceId: string;
  serverType: string | null;
  location: string | null;
  monthlyPrice: number | null;
}

/** The billing agent's calls that the shared client does not type. */
export const billingApi = {
  preview: (hub: HubClient, period?: string) =>
    hub.call<{ period: string; lastRun: string | null; invoices: InvoicePreview[] }>(
      'GET',
      '/billing/invoice-preview',
      { query: { period } },
    ),
  hold: (hub: HubClient, h: { clientId: string; period: string; reason: string; evidence: Record<string, unknown> }) =>
    hub.call<InvoiceHold>('POST', '/billing/holds', { body: h }),
  runInvoices: (hub: HubClient, period: string) =>
    hub.call<{ period: string; issued: number; skipped: number; held: number; failed: number }>(
      'POST',
      '/billing/run',
      {
        body: { period },
      },
    ),
  runReminders: (hub: HubClient) =>
    hub.call<{ sent: number; paused: number }>('POST', '/billing/reminders/run', { body: {} }),
  clientBilling: (hub: HubClient, clientId: string) =>
    hub.call<ClientBilling>('GET', `/clients/${encodeURIComponent(clientId)}/billing`),
  catalogue: (hub: HubClient) => hub.call<{ serverTypes: ServerType[] }>('GET', '/deploy/catalogue'),
  server: (hub: HubClient, instanceId: string) =>
    hub.call<InstanceServer>('GET', `/instances/${encodeURIComponent(instanceId)}/server`),
};
