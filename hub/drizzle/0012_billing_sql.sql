-- Issued invoices and credit notes are immutable: only their payment state (status, paid_at) and
-- Stripe references may change; corrections are credit notes. Rows are never deleted.
CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'invoices cannot be deleted (issue a credit note)';
  END IF;
  IF NEW.number IS DISTINCT FROM OLD.number OR NEW.kind IS DISTINCT FROM OLD.kind
     OR NEW.client_id IS DISTINCT FROM OLD.client_id OR NEW.period IS DISTINCT FROM OLD.period
     OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.lines::text IS DISTINCT FROM OLD.lines::text
     OR NEW.subtotal IS DISTINCT FROM OLD.subtotal OR NEW.tax_rate IS DISTINCT FROM OLD.tax_rate
     OR NEW.tax IS DISTINCT FROM OLD.tax OR NEW.total IS DISTINCT FROM OLD.total
     OR NEW.bill_to::text IS DISTINCT FROM OLD.bill_to::text OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
     OR NEW.due_at IS DISTINCT FROM OLD.due_at OR NEW.credit_for IS DISTINCT FROM OLD.credit_for THEN
    RAISE EXCEPTION 'issued invoices are immutable (issue a credit note)';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_no_change BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_immutable();
