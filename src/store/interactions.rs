//! Interactions already acted on, so a replayed one acts once.

use crate::store::Conn;

/// Records an interaction id; returns false when it was recorded before (a replay).
pub async fn first_delivery(conn: &mut Conn, id: &str, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("INSERT INTO discord_interactions (id, received_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets interaction ids received before `cutoff` (ms); returns how many.
pub async fn prune(conn: &mut Conn, cutoff: i64) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM discord_interactions WHERE received_at < $1")
        .bind(cutoff)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
