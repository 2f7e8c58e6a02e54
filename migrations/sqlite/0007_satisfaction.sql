-- Satisfaction scores on resolved inquiries, and bizdesk's own secrets (the key that signs
-- satisfaction links; made once, shared by every process on this database).
ALTER TABLE inquiries ADD COLUMN satisfaction BIGINT;
ALTER TABLE inquiries ADD COLUMN satisfaction_comment TEXT;
ALTER TABLE inquiries ADD COLUMN satisfaction_at BIGINT;

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
