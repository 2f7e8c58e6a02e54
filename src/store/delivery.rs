//! Delivery settings per employee (`delivery_prefs`): the company's from `org.toml`, the
//! employee's own from `/settings email`.

use crate::domain::delivery::{wants_email, EmailPrefs, Purpose};
use crate::domain::directory::EmployeeId;
use crate::store::Conn;

fn flag(v: Option<i64>) -> Option<bool> {
    v.map(|v| v != 0)
}

fn num(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

/// The employee's own settings and the company's, in that order.
pub async fn get(conn: &mut Conn, employee: EmployeeId) -> sqlx::Result<(EmailPrefs, EmailPrefs)> {
    type Row = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT email_prompts, email_updates, org_email_prompts, org_email_updates \
         FROM delivery_prefs WHERE employee_id = $1",
    )
    .bind(employee)
    .fetch_optional(conn)
    .await?;
    let (a, b, c, d) = row.unwrap_or_default();
    Ok((
        EmailPrefs {
            prompts: flag(a),
            updates: flag(b),
        },
        EmailPrefs {
            prompts: flag(c),
            updates: flag(d),
        },
    ))
}

/// The address to email a notification for `purpose` to, if the recipient wants one.
pub async fn email_target(
    conn: &mut Conn,
    employee: EmployeeId,
    purpose: Purpose,
) -> sqlx::Result<Option<String>> {
    type Row = (
        String,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT e.email, e.discord_id, p.email_prompts, p.email_updates, p.org_email_prompts, \
         p.org_email_updates FROM employees e LEFT JOIN delivery_prefs p ON p.employee_id = e.id \
         WHERE e.id = $1 AND e.active = 1",
    )
    .bind(employee)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(email, discord, a, b, c, d)| {
        let own = EmailPrefs {
            prompts: flag(a),
            updates: flag(b),
        };
        let org = EmailPrefs {
            prompts: flag(c),
            updates: flag(d),
        };
        let wanted = wants_email(purpose, discord.is_some(), own, org);
        (wanted && !email.trim().is_empty()).then_some(email)
    }))
}

/// Sets the employee's own settings; `None` leaves a setting as it is.
pub async fn set_own(
    conn: &mut Conn,
    employee: EmployeeId,
    prefs: EmailPrefs,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO delivery_prefs (employee_id, email_prompts, email_updates, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (employee_id) DO UPDATE SET \
         email_prompts = COALESCE(excluded.email_prompts, delivery_prefs.email_prompts), \
         email_updates = COALESCE(excluded.email_updates, delivery_prefs.email_updates), \
         updated_at = excluded.updated_at",
    )
    .bind(employee)
    .bind(num(prefs.prompts))
    .bind(num(prefs.updates))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the company's settings for an employee (from `org.toml`; `None` clears one).
pub async fn set_org(
    conn: &mut Conn,
    handle: &str,
    prefs: EmailPrefs,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO delivery_prefs (employee_id, org_email_prompts, org_email_updates, updated_at) \
         SELECT id, $2, $3, $4 FROM employees WHERE handle = $1 \
         ON CONFLICT (employee_id) DO UPDATE SET org_email_prompts = excluded.org_email_prompts, \
         org_email_updates = excluded.org_email_updates, updated_at = excluded.updated_at",
    )
    .bind(handle)
    .bind(num(prefs.prompts))
    .bind(num(prefs.updates))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}
