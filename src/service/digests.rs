//! Recurring summaries: the morning digest (pending approvals with their age, and the day's
//! follow-ups and callbacks, one DM per person), the weekly KPI summary to the central office,
//! and holiday-greeting reminders to callback owners.

use crate::approval::domain::ApprovalStatus;
use crate::collaboration::callbacks::store as callbacks;
use crate::collaboration::followups::store as followups;
use crate::domain::directory::{EmployeeId, Role};
use crate::domain::when::local_to_utc;
use crate::service::{notify, Desk, DeskResult};
use crate::store::{self, reports, Conn};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The company-local day containing `at`, as `[start, end)` in UTC ms, and its date.
fn local_day(desk: &Desk, at: DateTime<Utc>) -> (i64, i64, String) {
    let tz = desk.company.time_zone;
    let date = at.with_timezone(&tz).date_naive();
    // Where midnight does not exist (a DST change at 00:00), the day starts at the first
    // valid time after it.
    let start = |d: chrono::NaiveDate| local_to_utc(d.and_time(NaiveTime::MIN), tz);
    let next = date.succ_opt().unwrap_or(date);
    (
        store::to_ms(start(date)),
        store::to_ms(start(next)),
        date.to_string(),
    )
}

/// One person's day: pending tasks, follow-ups, callbacks, and (for finance) overdue payments,
/// overdue supplier payables and supplier invoices waiting for finance's settlement.
type Day = (
    Vec<Value>,
    Vec<Value>,
    Vec<Value>,
    Vec<Value>,
    Vec<Value>,
    Vec<Value>,
);

/// The morning digest for the day of `fire_at`: one DM per person with pending approvals
/// (and their age) or follow-ups and callbacks due that day. Returns how many were sent.
pub async fn daily(desk: &Desk, conn: &mut Conn, fire_at: i64) -> DeskResult<usize> {
    let at = store::from_ms(fire_at);
    let (from, to, date) = local_day(desk, at);
    let mut per: BTreeMap<EmployeeId, Day> = BTreeMap::new();
    for t in reports::all_open_tasks(&mut *conn).await? {
        per.entry(t.assignee_id).or_default().0.push(json!({
            "ref": t.subject_ref, "stage": t.stage_name, "stage_zh": t.stage_name_zh,
            "since_ms": t.created_at,
        }));
    }
    for f in followups::open_due_between(&mut *conn, from, to).await? {
        per.entry(f.owner_id).or_default().1.push(json!({
            "id": f.id, "ref": f.subject_ref, "note": f.note, "due_at_ms": f.due_at,
        }));
    }
    for c in callbacks::due_between(&mut *conn, from, to).await? {
        per.entry(c.owner_id).or_default().2.push(json!({
            "id": c.id, "customer": c.customer, "note": c.note, "due_at_ms": c.due_at,
        }));
    }
    let dir = store::directory::load(&mut *conn).await?;
    // Finance sees every order whose payment is overdue (due before today, not fully paid).
    let overdue = reports::overdue_payments(&mut *conn, &date).await?;
    if !overdue.is_empty() {
        for e in dir.with_role(crate::domain::directory::Role::Finance) {
            per.entry(e.id).or_default().3 = overdue.clone();
        }
    }
    // And every approved supplier payment past its due date.
    let day = at.with_timezone(&desk.company.time_zone).date_naive();
    let payables = crate::procurement::payments::service::payables(&mut *conn, day, true).await?;
    if !payables.is_empty() {
        for e in dir.with_role(crate::domain::directory::Role::Finance) {
            per.entry(e.id).or_default().4 = payables.clone();
        }
    }
    // And every supplier invoice that failed the three-way match and waits for finance (not
    // an approval task, so not in /inbox).
    let unsettled = crate::procurement::payments::service::unsettled(&mut *conn).await?;
    if !unsettled.is_empty() {
        for e in dir.with_role(crate::domain::directory::Role::Finance) {
            per.entry(e.id).or_default().5 = unsettled.clone();
        }
    }
    let now = store::to_ms(desk.now());
    let mut sent = 0;
    for (to, (tasks, followups, callbacks, overdue, payables, unsettled)) in per {
        if dir.by_id(to).is_none() {
            continue; // deactivated since
        }
        let m = notify::message(
            to,
            notify::kind::DAILY_DIGEST,
            None,
            json!({ "date": date, "at_ms": fire_at, "tasks": tasks, "followups": followups,
                    "callbacks": callbacks, "overdue": overdue, "payables": payables,
                    "unsettled": unsettled }),
        );
        notify::send(&mut *conn, &m, now).await?;
        sent += 1;
    }
    Ok(sent)
}

/// The `p`-th percentile (0..=100) of sorted values, by nearest rank.
pub(crate) fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The weekly KPI summary for the seven days before `fire_at`, to everyone in the central
/// office: requisitions submitted, rounds decided (approved / rejected / returned), pending
/// now, cycle time (median, p90), reminders and escalations.
pub async fn weekly_kpi(desk: &Desk, conn: &mut Conn, fire_at: i64) -> DeskResult<usize> {
    let to = fire_at;
    // Seven calendar days back on the wall clock (a DST week has 167 or 169 hours).
    let tz = desk.company.time_zone;
    let local = store::from_ms(fire_at).with_timezone(&tz).naive_local();
    let from = store::to_ms(local_to_utc(local - Duration::days(7), tz));
    let rounds = reports::closed_rounds(&mut *conn, from, to).await?;
    let count = |s: ApprovalStatus| rounds.iter().filter(|r| r.0 == s).count();
    let mut hours: Vec<i64> = rounds
        .iter()
        .filter(|r| r.0 != ApprovalStatus::Withdrawn)
        .map(|r| (r.2 - r.1) / 60_000)
        .collect();
    hours.sort_unstable();
    let kpi = json!({
        "from_ms": from, "to_ms": to,
        "submitted": reports::submitted(&mut *conn, from, to).await?,
        "approved": count(ApprovalStatus::Approved), "rejected": count(ApprovalStatus::Rejected),
        "changes": count(ApprovalStatus::ChangesRequested), "withdrawn": count(ApprovalStatus::Withdrawn),
        "pending": reports::pending_rounds(&mut *conn).await?,
        "median_minutes": percentile(&hours, 50), "p90_minutes": percentile(&hours, 90),
        "reminders": reports::audit_count(&mut *conn, "approval.remind", from, to).await?,
        "escalations": reports::audit_count(&mut *conn, "approval.escalate", from, to).await?,
    });
    let dir = store::directory::load(&mut *conn).await?;
    let now = store::to_ms(desk.now());
    let mut sent = 0;
    for e in dir.with_role(Role::Bcmo) {
        let m = notify::message(e.id, notify::kind::WEEKLY_KPI, None, kpi.clone());
        notify::send(&mut *conn, &m, now).await?;
        sent += 1;
    }
    Ok(sent)
}

/// Holiday greetings: each owner of scheduled callbacks gets the list of their customers to
/// greet. (Emailing customers directly arrives with customer records.)
pub async fn holiday_greetings(desk: &Desk, conn: &mut Conn) -> DeskResult<usize> {
    let mut per: BTreeMap<EmployeeId, Vec<String>> = BTreeMap::new();
    for c in callbacks::all_scheduled(&mut *conn).await? {
        let list = per.entry(c.owner_id).or_default();
        if !list.contains(&c.customer) {
            list.push(c.customer);
        }
    }
    let now = store::to_ms(desk.now());
    let mut sent = 0;
    for (to, customers) in per {
        let m = notify::message(
            to,
            notify::kind::GREETINGS,
            None,
            json!({ "customers": customers }),
        );
        notify::send(&mut *conn, &m, now).await?;
        sent += 1;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }
}
