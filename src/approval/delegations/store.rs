//! Delegations between approvers.

use crate::approval::delegations::domain::Delegation;
use crate::domain::directory::EmployeeId;
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(FromRow)]
struct Row {
    id: i64,
    delegator_id: i64,
    delegate_id: i64,
    starts_on: String,
    ends_on: String,
}

impl Row {
    fn into_domain(self) -> sqlx::Result<Delegation> {
        let day = |column, text: &str| {
            text.parse::<NaiveDate>()
                .map_err(|_| decode::unknown("delegations", self.id, column, text))
        };
        Ok(Delegation {
            id: self.id,
            delegator: self.delegator_id,
            delegate: self.delegate_id,
            starts_on: day("starts_on", &self.starts_on)?,
            ends_on: day("ends_on", &self.ends_on)?,
        })
    }
}

const COLS: &str = "id, delegator_id, delegate_id, starts_on, ends_on";

/// Revokes the delegator's current delegations and records a new one; returns its id.
pub async fn replace(
    conn: &mut Conn,
    delegator: EmployeeId,
    delegate: EmployeeId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    now_ms: i64,
) -> sqlx::Result<i64> {
    revoke_all(&mut *conn, delegator, now_ms).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO delegations (delegator_id, delegate_id, starts_on, ends_on, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(delegator)
    .bind(delegate)
    .bind(starts_on.to_string())
    .bind(ends_on.to_string())
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Revokes every unrevoked delegation of a delegator; returns how many.
pub async fn revoke_all(conn: &mut Conn, delegator: EmployeeId, now_ms: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE delegations SET revoked_at = $2 WHERE delegator_id = $1 AND revoked_at IS NULL",
    )
    .bind(delegator)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Unrevoked delegations given by someone that have not ended before `today`.
pub async fn given_by(
    conn: &mut Conn,
    delegator: EmployeeId,
    today: NaiveDate,
) -> sqlx::Result<Vec<Delegation>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM delegations WHERE delegator_id = $1 AND revoked_at IS NULL AND ends_on >= $2 ORDER BY id"
    ))
    .bind(delegator)
    .bind(today.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// Delegations in force on `today` where `column` (`delegator_id` or `delegate_id`) is `who`.
async fn in_force(
    conn: &mut Conn,
    column: &str,
    who: EmployeeId,
    today: NaiveDate,
) -> sqlx::Result<Vec<Delegation>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM delegations WHERE {column} = $1 AND revoked_at IS NULL \
         AND starts_on <= $2 AND ends_on >= $2 ORDER BY id"
    ))
    .bind(who)
    .bind(today.to_string())
    .fetch_all(conn)
    .await?;
    let all = rows
        .into_iter()
        .map(Row::into_domain)
        .collect::<sqlx::Result<Vec<Delegation>>>()?;
    Ok(all.into_iter().filter(|d| d.active_on(today)).collect())
}

/// Who has delegated to `delegate` with a delegation in force on `today`.
pub async fn delegators_of(
    conn: &mut Conn,
    delegate: EmployeeId,
    today: NaiveDate,
) -> sqlx::Result<Vec<EmployeeId>> {
    Ok(in_force(conn, "delegate_id", delegate, today)
        .await?
        .into_iter()
        .map(|d| d.delegator)
        .collect())
}

/// Who stands in for `delegator` on `today`.
pub async fn delegates_of(
    conn: &mut Conn,
    delegator: EmployeeId,
    today: NaiveDate,
) -> sqlx::Result<Vec<EmployeeId>> {
    Ok(in_force(conn, "delegator_id", delegator, today)
        .await?
        .into_iter()
        .map(|d| d.delegate)
        .collect())
}
