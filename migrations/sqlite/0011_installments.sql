-- Payment terms as installments: several due dates and amounts per order (payments settle the
-- earliest first). The single due date of 0009 becomes the first installment.
-- Keep in step with the other backend's 0011.
CREATE TABLE payment_terms (
    id           INTEGER PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES orders(id),
    due          TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (order_id, due)
);
CREATE INDEX payment_terms_due ON payment_terms (due);

INSERT INTO payment_terms (order_id, due, amount_minor, created_at)
SELECT id, payment_due, COALESCE(amount_due_minor, amount_minor), updated_at
FROM orders WHERE payment_due IS NOT NULL;

ALTER TABLE orders DROP COLUMN payment_due;
ALTER TABLE orders DROP COLUMN amount_due_minor;
