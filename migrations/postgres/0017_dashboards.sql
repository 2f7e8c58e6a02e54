-- Indexes for the dashboards (/dash): decided rounds by when they closed, rounds waiting now,
-- reminders and escalations from the audit trail, and orders, opportunities and inquiries
-- by when they were recorded. Keep in step with the other backend's 0017.
CREATE INDEX approvals_closed ON approvals (closed_at);
CREATE INDEX approvals_status ON approvals (status, current_stage);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX opportunities_created ON opportunities (created_at);
CREATE INDEX inquiries_created ON inquiries (created_at);
