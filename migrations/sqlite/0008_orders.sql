-- Sales orders and their stage history. Keep in step with the other backend's 0008.
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    customer_id   BIGINT NOT NULL REFERENCES customers(id),
    owner_id      BIGINT NOT NULL REFERENCES employees(id),
    items         TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    delivery_date TEXT,
    stage         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX orders_owner ON orders (owner_id, id);
CREATE INDEX orders_stage ON orders (stage, id);

CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders(id),
    stage      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    author_id  BIGINT NOT NULL REFERENCES employees(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
