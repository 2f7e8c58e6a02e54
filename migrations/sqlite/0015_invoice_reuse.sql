-- An invoice number is used once per supplier by the requests that still claim it: a
-- rejected or cancelled request frees it, and "INV-1" and "inv-1" are the same invoice.
DROP INDEX supplier_payments_invoice;
CREATE UNIQUE INDEX supplier_payments_invoice ON supplier_payments (supplier_id, UPPER(invoice))
    WHERE status NOT IN ('rejected', 'cancelled');
-- When finance was reminded of an approved payment: once before its due date, once overdue.
ALTER TABLE supplier_payments ADD COLUMN due_reminded_at BIGINT;
ALTER TABLE supplier_payments ADD COLUMN overdue_reminded_at BIGINT;
