//! The audit trail: append in the caller's transaction; read back to verify or export.

use crate::domain::audit::{AuditEvent, ChainKey, StoredEvent};
use crate::store::Conn;
use sqlx::FromRow;

/// Appends an event, chaining its hash to the previous one (keyed with `key` once the
/// database's chain is keyed). Locks the chain head's row (on SQLite the single writer already
/// excludes others), so call it last in a transaction to hold that lock briefly. The head row
/// is updated once per event: it is the hottest row.
pub async fn append(conn: &mut Conn, key: &ChainKey, mut event: AuditEvent) -> sqlx::Result<i64> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    let (last, prev, keyed_from): (i64, String, Option<i64>) = sqlx::query_as(&format!(
        "SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1{lock}"
    ))
    .fetch_one(&mut *conn)
    .await?;
    let seq = last + 1;
    event.seq = seq;
    let hash = event.seal(key, keyed_from, &prev);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, on_behalf_of, action, subject, summary, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(event.at_ms)
    .bind(&event.actor)
    .bind(&event.on_behalf_of)
    .bind(&event.action)
    .bind(&event.subject)
    .bind(&event.summary)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(conn)
        .await?;
    Ok(seq)
}

#[derive(FromRow)]
struct Row {
    seq: i64,
    at: i64,
    actor: String,
    on_behalf_of: Option<String>,
    action: String,
    subject: String,
    summary: String,
    prev_hash: String,
    hash: String,
}

impl From<Row> for StoredEvent {
    fn from(r: Row) -> StoredEvent {
        StoredEvent {
            event: AuditEvent {
                seq: r.seq,
                at_ms: r.at,
                actor: r.actor,
                on_behalf_of: r.on_behalf_of,
                action: r.action,
                subject: r.subject,
                summary: r.summary,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A page of events with `seq > after`, in order, at `at >= since_ms`.
pub async fn page(
    conn: &mut Conn,
    after: i64,
    since_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<StoredEvent>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, at, actor, on_behalf_of, action, subject, summary, prev_hash, hash FROM audit_events \
         WHERE seq > $1 AND at >= $2 ORDER BY seq LIMIT $3",
    )
    .bind(after)
    .bind(since_ms)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(StoredEvent::from).collect())
}

/// Events about one subject, in order.
pub async fn for_subject(conn: &mut Conn, subject: &str) -> sqlx::Result<Vec<StoredEvent>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, at, actor, on_behalf_of, action, subject, summary, prev_hash, hash FROM audit_events \
         WHERE subject = $1 ORDER BY seq",
    )
    .bind(subject)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(StoredEvent::from).collect())
}

/// The recorded chain head: last sequence number and hash.
pub async fn head(conn: &mut Conn) -> sqlx::Result<(i64, String)> {
    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Where the keyed chain begins and the proof that the key holder set it (`None`s: not keyed).
pub async fn keying(conn: &mut Conn) -> sqlx::Result<(Option<i64>, Option<String>)> {
    sqlx::query_as("SELECT keyed_from, keyed_check FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await
}
