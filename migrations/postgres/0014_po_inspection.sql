-- When a purchase order's inspection reminder went out (sent once per PO, before its
-- delivery date).
ALTER TABLE purchase_orders ADD COLUMN inspection_reminded_at BIGINT;
