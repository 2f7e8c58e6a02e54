//! Commands held for their author's acknowledgement of a budget warning (the "Submit anyway"
//! button): written when a command is refused with a warning, taken once when pressed.

use crate::store::Conn;

/// Holds `line` for `employee`; returns its id (the button's). Rows older than `keep_ms` go.
pub async fn hold(
    conn: &mut Conn,
    employee: i64,
    line: &str,
    now_ms: i64,
    keep_ms: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO acknowledgements (employee_id, line, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(employee)
    .bind(line)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM acknowledgements WHERE created_at < $1")
        .bind(now_ms - keep_ms)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Takes held command `id` for `employee`, once, if it was held after `since_ms`.
pub async fn take(
    conn: &mut Conn,
    id: i64,
    employee: i64,
    now_ms: i64,
    since_ms: i64,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE acknowledgements SET used_at = $1 WHERE id = $2 AND employee_id = $3 \
         AND used_at IS NULL AND created_at >= $4 RETURNING line",
    )
    .bind(now_ms)
    .bind(id)
    .bind(employee)
    .bind(since_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(l,)| l))
}
