-- Customers: who the company sells to and serves. Keep in step with the other backend's 0005.
CREATE TABLE customers (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    company     TEXT NOT NULL DEFAULT '',
    -- Lowercased; '' when unknown. Unique when known, so an import never doubles a customer.
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    locale      TEXT,
    owner_id    BIGINT REFERENCES employees(id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX customers_email ON customers (email) WHERE email <> '';
CREATE INDEX customers_name ON customers (name);
