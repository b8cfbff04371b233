import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { clients } from '../schema.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A client's claim to an email domain for single sign-on. Only a verified claim (a DNS TXT record
 * the hub found, or the operator's approval) routes logins; several clients may hold pending
 * claims for one domain, so the first to claim cannot lock out the rightful owner, but only one
 * claim per domain can be verified (the partial unique index).
 */
export const ssoDomainClaims = pgTable(
  'sso_domain_claims',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** Lowercase, e.g. `acme.com`. */
    domain: text('domain').notNull(),
    /** Value of the TXT record `_deepsignal-challenge.<domain>` = `deepsignal-verification=<token>`. */
    token: text('token').notNull(),
    /** pending | verified */
    status: text('status').notNull().default('pending'),
    /** `dns`, or `user:<id>` of the admin who approved it. */
    verifiedBy: text('verified_by'),
    verifiedAt: ts('verified_at'),
    /** A pending claim is void after this (7 days after it was made). */
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sso_domain_claims_client_domain_idx').on(t.clientId, t.domain),
    uniqueIndex('sso_domain_claims_verified_idx').on(t.domain).where(sql`status = 'verified'`),
    index('sso_domain_claims_domain_idx').on(t.domain),
  ],
);

/**
 * A single sign-on login in flight, between the redirect to the identity provider and its
 * callback (10 minutes at most). In the database, so the callback may reach any hub; taken once
 * (`DELETE … RETURNING`), so a replayed callback finds nothing.
 */
export const ssoLoginsPending = pgTable(
  'sso_logins_pending',
  {
    /** sha256 of the `state` parameter (the state itself travels only in the browser's URL). */
    stateHash: text('state_hash').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** PKCE code verifier and OIDC nonce of this login. */
    verifier: text('verifier').notNull(),
    nonce: text('nonce').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sso_logins_pending_expires_idx').on(t.expiresAt)],
);
