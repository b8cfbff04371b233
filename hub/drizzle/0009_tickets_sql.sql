-- Knowledge-base search: title weighs most, then tags, then the body.
CREATE OR REPLACE FUNCTION kb_articles_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', array_to_string(coalesce(NEW.tags, '{}'), ' ')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER kb_articles_search_trigger BEFORE INSERT OR UPDATE ON kb_articles FOR EACH ROW EXECUTE FUNCTION kb_articles_search_update();
--> statement-breakpoint
CREATE INDEX kb_articles_search_idx ON kb_articles USING gin (search);
--> statement-breakpoint
-- Support requests become tickets: each keeps its id, its text becomes the first message.
INSERT INTO tickets (id, client_id, instance_id, opened_by, subject, state, reply_token, created_at, updated_at, resolved_at)
SELECT id, client_id, instance_id, user_id, subject,
       CASE WHEN status = 'resolved' THEN 'resolved' ELSE 'open' END,
       md5(random()::text || id || clock_timestamp()::text), created_at, created_at,
       CASE WHEN status = 'resolved' THEN created_at ELSE NULL END
FROM support_requests;
--> statement-breakpoint
INSERT INTO ticket_messages (id, ticket_id, kind, author, author_id, author_email, body, via, created_at)
SELECT 'tmsg-' || substr(md5(s.id), 1, 12), s.id, 'message', 'client', s.user_id, u.email, s.body, 'web', s.created_at
FROM support_requests s LEFT JOIN users u ON u.id = s.user_id;
--> statement-breakpoint
DELETE FROM support_requests;
