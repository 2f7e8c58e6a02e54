-- Operators' counts and the inbox at scale: pending rounds without reading the decided ones
-- (`/metrics` counts them on every scrape).
CREATE INDEX approvals_pending ON approvals (created_at) WHERE status = 'pending';
