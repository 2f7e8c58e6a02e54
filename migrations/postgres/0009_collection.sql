-- Payment terms on sales orders, and the payments received. Keep in step with the other
-- backend's 0009.
ALTER TABLE orders ADD COLUMN payment_due TEXT;
ALTER TABLE orders ADD COLUMN amount_due_minor BIGINT;
ALTER TABLE orders ADD COLUMN paid_minor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE payments (
    id           BIGSERIAL PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES orders(id),
    amount_minor BIGINT NOT NULL,
    paid_on      TEXT NOT NULL,
    author_id    BIGINT NOT NULL REFERENCES employees(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX payments_order ON payments (order_id, id);
