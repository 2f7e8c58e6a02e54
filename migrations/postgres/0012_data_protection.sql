-- Customer data at rest. Keep in step with the other backend's 0012.
-- The audit chain is keyed (HMAC-SHA256, the key in the key file outside the database) from
-- event `keyed_from` on; `keyed_check` proves, under that key, where the keyed part begins.
-- NULL until bizdesk first opens the database with a key file.
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_head ADD COLUMN keyed_check TEXT;
-- When a customer's personal data was erased (`bizdesk customers forget`); NULL: never.
ALTER TABLE customers ADD COLUMN forgotten_at BIGINT;
