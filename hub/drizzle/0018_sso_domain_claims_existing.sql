-- Domains set up for SSO before claims needed proof get a pending claim (a fresh token, 7 days):
-- their logins wait until the owner publishes the TXT record or the operator approves the claim,
-- because a domain taken first-come-first-served may not belong to the client that took it.
INSERT INTO sso_domain_claims (id, client_id, domain, token, expires_at)
SELECT 'dom-' || substr(md5(random()::text || client_id), 1, 12), client_id, lower(oidc->>'allowedDomain'),
       md5(random()::text || client_id || clock_timestamp()::text), now() + interval '7 days'
FROM client_settings
WHERE oidc IS NOT NULL AND coalesce(oidc->>'allowedDomain', '') <> ''
ON CONFLICT DO NOTHING;
