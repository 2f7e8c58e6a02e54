-- Discord: each interaction acts once (gateway replays after RESUME are dropped), and outbox
-- rows remember where their message landed so later edits find it.
CREATE TABLE discord_interactions (
    id          TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);
