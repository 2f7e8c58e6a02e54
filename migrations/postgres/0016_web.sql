-- The web desk: sign-in links, the requests for them (rate limit), and browser sessions.
-- Tokens and session ids are stored as SHA-256 hashes: a copy of the database opens nothing.
CREATE TABLE web_signin_tokens (
    token_hash TEXT PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX web_signin_tokens_expiry ON web_signin_tokens (expires_at);
-- One row per sign-in request for an address (known or not), keyed by a hash of it.
CREATE TABLE web_signin_requests (
    address_hash TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX web_signin_requests_address ON web_signin_requests (address_hash, at);
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    employee_id BIGINT NOT NULL REFERENCES employees(id),
    csrf TEXT NOT NULL,
    via TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX web_sessions_employee ON web_sessions (employee_id);
