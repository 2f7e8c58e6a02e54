//! The outbox: every outbound message, written in the transaction that causes it.

use super::Conn;
use crate::domain::directory::EmployeeId;
use sqlx::FromRow;

/// Channels a message can leave by.
pub const CHAT: &str = "chat";

/// A message to write.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub channel: &'static str,
    pub recipient: Option<EmployeeId>,
    pub kind: &'static str,
    pub subject_ref: Option<String>,
    /// JSON the delivery renders in the recipient's language.
    pub payload: serde_json::Value,
    /// For an edit of an earlier message (e.g. closing a prompt): that message's id.
    pub edits: Option<i64>,
}

/// A stored message.
#[derive(Debug, Clone, FromRow)]
pub struct Message {
    pub id: i64,
    pub channel: String,
    pub recipient_id: Option<i64>,
    pub kind: String,
    pub subject_ref: Option<String>,
    pub payload: String,
    pub edits_id: Option<i64>,
    pub status: String,
    pub attempts: i64,
    pub provider_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLS: &str =
    "id, channel, recipient_id, kind, subject_ref, payload, edits_id, status, attempts, \
    provider_id, last_error, created_at, sent_at";

/// Enqueues a message; returns its id.
pub async fn enqueue(conn: &mut Conn, m: &NewMessage, now_ms: i64) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (channel, recipient_id, kind, subject_ref, payload, edits_id, status, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING id",
    )
    .bind(m.channel)
    .bind(m.recipient)
    .bind(m.kind)
    .bind(&m.subject_ref)
    .bind(m.payload.to_string())
    .bind(m.edits)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Pending messages of a channel for one recipient, oldest first.
pub async fn pending_for(
    conn: &mut Conn,
    channel: &str,
    recipient: EmployeeId,
) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM outbox WHERE channel = $1 AND recipient_id = $2 AND status = 'pending' ORDER BY id"
    ))
    .bind(channel)
    .bind(recipient)
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

/// Prompts (chat messages of kind `approval_prompt`) sent for a round's tasks, for closing.
pub async fn prompts_for_tasks(conn: &mut Conn, subject_ref: &str) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM outbox WHERE subject_ref = $1 AND kind = 'approval_prompt' ORDER BY id"
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
