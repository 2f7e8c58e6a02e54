//! The outbox: every outbound message, written in the transaction that causes it.

use crate::domain::directory::EmployeeId;
use crate::domain::words::words;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// Channels a message can leave by.
pub const CHAT: &str = "chat";
/// Email, to `address`.
pub const EMAIL: &str = "email";

/// A message to write.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub channel: &'static str,
    pub recipient: Option<EmployeeId>,
    /// For email: where it goes (kept on the row, so a later directory change does not
    /// redirect a message already written).
    pub address: Option<String>,
    pub kind: &'static str,
    pub subject_ref: Option<String>,
    /// JSON the delivery renders in the recipient's language.
    pub payload: serde_json::Value,
    /// For an edit of an earlier message (e.g. closing a prompt): that message's id.
    pub edits: Option<i64>,
}

words!(
    /// Where a message stands.
    OutboxStatus {
        /// Waiting for (or leased to) a delivery worker.
        Pending = "pending",
        Sent = "sent",
        /// Given up: a dead letter, until an operator retries it.
        Dead = "dead",
    }
);

/// A stored message.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: i64,
    /// [`CHAT`] or [`EMAIL`].
    pub channel: String,
    pub recipient_id: Option<i64>,
    pub address: Option<String>,
    /// A notification kind (`service::notify::kind`), which picks its template.
    pub kind: String,
    pub subject_ref: Option<String>,
    pub payload: String,
    pub edits_id: Option<i64>,
    pub status: OutboxStatus,
    pub attempts: i64,
    /// Until when a worker holds it (its lease), if claimed.
    pub locked_until: Option<i64>,
    pub provider_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(FromRow)]
struct MessageRecord {
    id: i64,
    channel: String,
    recipient_id: Option<i64>,
    address: Option<String>,
    kind: String,
    subject_ref: Option<String>,
    payload: String,
    edits_id: Option<i64>,
    status: String,
    attempts: i64,
    locked_until: Option<i64>,
    provider_id: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Message {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Message> {
        let r = MessageRecord::from_row(row)?;
        if r.channel != CHAT && r.channel != EMAIL {
            return Err(decode::unknown("outbox", r.id, "channel", &r.channel).into());
        }
        Ok(Message {
            status: decode::column("outbox", r.id, "status", &r.status)?,
            id: r.id,
            channel: r.channel,
            recipient_id: r.recipient_id,
            address: r.address,
            kind: r.kind,
            subject_ref: r.subject_ref,
            payload: r.payload,
            edits_id: r.edits_id,
            attempts: r.attempts,
            locked_until: r.locked_until,
            provider_id: r.provider_id,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
        })
    }
}

const COLS: &str =
    "id, channel, recipient_id, address, kind, subject_ref, payload, edits_id, status, attempts, locked_until, \
    provider_id, last_error, created_at, sent_at";

/// Enqueues a message; returns its id.
pub async fn enqueue(conn: &mut Conn, m: &NewMessage, now_ms: i64) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (channel, recipient_id, address, kind, subject_ref, payload, edits_id, status, next_attempt_at, created_at) \
         VALUES ($1, $2, $8, $3, $4, $5, $6, 'pending', $7, $7) RETURNING id",
    )
    .bind(m.channel)
    .bind(m.recipient)
    .bind(m.kind)
    .bind(&m.subject_ref)
    .bind(m.payload.to_string())
    .bind(m.edits)
    .bind(now_ms)
    .bind(&m.address)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Pending messages of a channel for one recipient that no worker holds at `now_ms`, oldest
/// first.
pub async fn pending_for(
    conn: &mut Conn,
    channel: &str,
    recipient: EmployeeId,
    now_ms: i64,
) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM outbox WHERE channel = $1 AND recipient_id = $2 AND status = 'pending' \
         AND (locked_until IS NULL OR locked_until < $3) ORDER BY id"
    ))
    .bind(channel)
    .bind(recipient)
    .bind(now_ms)
    .fetch_all(conn)
    .await
}

/// Marks a message delivered, if it is still pending; returns whether this call did it.
pub async fn mark_sent(
    conn: &mut Conn,
    id: i64,
    provider_id: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sent', provider_id = $2, sent_at = $3, attempts = attempts + 1, locked_until = NULL \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(provider_id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Prompts and reminders (chat messages with decision buttons) sent for a round's tasks, for
/// closing.
pub async fn prompts_for_tasks(conn: &mut Conn, subject_ref: &str) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM outbox WHERE subject_ref = $1 \
         AND kind IN ('approval_prompt', 'approval_reminder') AND channel = 'chat' ORDER BY id"
    ))
    .bind(subject_ref)
    .fetch_all(conn)
    .await
}

/// Ids of a subject's prompts that already have a closing edit.
pub async fn closed_prompt_ids(conn: &mut Conn, subject_ref: &str) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(Option<i64>,)> = sqlx::query_as(
        "SELECT edits_id FROM outbox WHERE subject_ref = $1 AND kind = 'prompt_closed'",
    )
    .bind(subject_ref)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().filter_map(|(id,)| id).collect())
}

/// Claims up to `limit` due chat messages whose recipient has a Discord id, leasing them until
/// `now + lease_ms` (a crashed worker's rows come back when the lease ends). Several workers
/// never claim the same row: SKIP LOCKED on PostgreSQL, the single writer on SQLite.
pub async fn claim_discord(
    conn: &mut Conn,
    backend: crate::store::Backend,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<Message>> {
    let lock = match backend {
        crate::store::Backend::Postgres => "FOR UPDATE OF o SKIP LOCKED",
        crate::store::Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE outbox SET locked_until = $1 + $2, attempts = attempts + 1 WHERE id IN ( \
           SELECT o.id FROM outbox o JOIN employees e ON e.id = o.recipient_id \
           WHERE o.channel = 'chat' AND o.status = 'pending' AND o.next_attempt_at <= $1 \
             AND (o.locked_until IS NULL OR o.locked_until < $1) AND e.discord_id IS NOT NULL \
           ORDER BY o.id LIMIT $3 {lock}) \
         RETURNING {COLS}"
    ))
    .bind(now_ms)
    .bind(lease_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A message by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Message>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM outbox WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Messages about a subject that could not be delivered: (recipient, reason).
pub async fn undelivered(
    conn: &mut Conn,
    subject_ref: &str,
) -> sqlx::Result<Vec<(Option<i64>, Option<String>)>> {
    sqlx::query_as("SELECT recipient_id, last_error FROM outbox WHERE subject_ref = $1 AND status = 'dead' ORDER BY id")
        .bind(subject_ref)
        .fetch_all(conn)
        .await
}

/// How a leased delivery attempt ended.
pub enum Settle<'a> {
    Sent(&'a str),
    /// Try again at this time; `counts` says whether this was a failed attempt (a wait for
    /// a rate limit or for another message is not).
    Retry {
        at_ms: i64,
        error: &'a str,
        counts: bool,
    },
    Dead(&'a str),
}

/// Records an attempt's outcome, only if we still hold the lease `held`.
pub async fn settle(
    conn: &mut Conn,
    id: i64,
    held: i64,
    outcome: Settle<'_>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let q = match outcome {
        Settle::Sent(provider) => sqlx::query(
            "UPDATE outbox SET status = 'sent', provider_id = $3, sent_at = $4, locked_until = NULL \
             WHERE id = $1 AND locked_until = $2 AND status = 'pending'",
        )
        .bind(id)
        .bind(held)
        .bind(provider)
        .bind(now_ms),
        Settle::Retry { at_ms, error, counts } => sqlx::query(
            "UPDATE outbox SET next_attempt_at = $3, last_error = $4, locked_until = NULL, \
             attempts = attempts - $5 WHERE id = $1 AND locked_until = $2 AND status = 'pending'",
        )
        .bind(id)
        .bind(held)
        .bind(at_ms)
        .bind(error)
        .bind(if counts { 0i64 } else { 1i64 }),
        Settle::Dead(error) => sqlx::query(
            "UPDATE outbox SET status = 'dead', last_error = $3, locked_until = NULL \
             WHERE id = $1 AND locked_until = $2 AND status = 'pending'",
        )
        .bind(id)
        .bind(held)
        .bind(error),
    };
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Claims up to `limit` due email messages, leasing them until `now + lease_ms`, like
/// [`claim_discord`].
pub async fn claim_email(
    conn: &mut Conn,
    backend: crate::store::Backend,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<Message>> {
    let lock = match backend {
        crate::store::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        crate::store::Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE outbox SET locked_until = $1 + $2, attempts = attempts + 1 WHERE id IN ( \
           SELECT id FROM outbox WHERE channel = 'email' AND status = 'pending' \
             AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
           ORDER BY next_attempt_at, id LIMIT $3 {lock}) \
         RETURNING {COLS}"
    ))
    .bind(now_ms)
    .bind(lease_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Earlier emails of the same thread (same subject, same address) as `(id, created_at)`,
/// oldest first: their Message-IDs become this one's In-Reply-To and References.
pub async fn thread_before(
    conn: &mut Conn,
    subject_ref: &str,
    address: &str,
    id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, created_at FROM outbox WHERE channel = 'email' AND subject_ref = $1 \
         AND address = $2 AND id < $3 ORDER BY id",
    )
    .bind(subject_ref)
    .bind(address)
    .bind(id)
    .fetch_all(conn)
    .await
}

/// The latest messages, newest first; only dead letters with `failed`.
pub async fn list(conn: &mut Conn, failed: bool, limit: i64) -> sqlx::Result<Vec<Message>> {
    let filter = if failed { "WHERE status = 'dead'" } else { "" };
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM outbox {filter} ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Puts dead letters back in the queue, due now, with a fresh attempt count; `None` takes
/// every dead letter. Returns the ids requeued.
pub async fn retry_dead(conn: &mut Conn, id: Option<i64>, now_ms: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, \
         locked_until = NULL WHERE status = 'dead' AND ($2 IS NULL OR id = $2) RETURNING id",
    )
    .bind(now_ms)
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
    ids.sort_unstable();
    Ok(ids)
}
