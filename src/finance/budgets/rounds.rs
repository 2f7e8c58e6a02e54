//! Opening a budget round (or moving its due date), and the round's timed work: heads who
//! have not submitted are reminded before the due date, and their superiors hear the day
//! after it.

use super::domain::{self, DraftStatus, RoundStatus};
use super::service::{audit_subject, department_facts, tell, ASK_NOTE, LATE_NOTE, REMIND_NOTE};
use super::store::{self as rows, Round};
use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Directory, Employee, EmployeeId, Role};
use crate::domain::when::local_to_utc;
use crate::domain::Msg;
use crate::finance::settings::Level;
use crate::service::jobs::{kind, schedule};
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::jobs::NewJob;
use crate::store::{self, audit, Conn};
use chrono::{Duration, NaiveDate, NaiveTime};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What opening a round did.
#[derive(Debug, Clone)]
pub struct Opened {
    pub round: Round,
    /// The departments whose heads were asked (codes).
    pub asked: Vec<String>,
    /// Departments without a head: nobody drafts for them.
    pub headless: Vec<String>,
    /// When the round was open already: its due date before.
    pub moved_from: Option<String>,
    /// When heads are reminded (none when that day has passed).
    pub remind_on: Option<NaiveDate>,
}

/// Opens `year`'s round (finance): a draft for every department with a head, each head asked
/// to draft by `due`; reminders and escalation scheduled. Opening a drafting round again with
/// another due date moves the deadline.
pub async fn open(
    desk: &Desk,
    actor: &Employee,
    year: i64,
    due: NaiveDate,
    period: Option<&str>,
) -> DeskResult<Opened> {
    crate::access::require(actor, "budget.round")?;
    let today = desk.today();
    let mut problems = Vec::new();
    let level = match period {
        None => Some(Level::Year),
        Some(p) => Level::parse(p).or_else(|| {
            problems.push(Msg::new("budget.bad_phasing").arg("value", p));
            None
        }),
    };
    let year = i32::try_from(year).unwrap_or(i32::MAX);
    if let Err(more) = domain::check_round(year, due, today) {
        problems.extend(more);
    }
    let Some(level) = level.filter(|_| problems.is_empty()) else {
        return Err(problems.into());
    };
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let due_s = due.to_string();
    // Heads draft in the one round that is open: another year waits until it is consolidated.
    if let Some(other) = rows::drafting_round(&mut tx)
        .await?
        .filter(|r| r.year != year)
    {
        return Err(Msg::new("budget.other_round_open")
            .arg("year", year)
            .arg("other", other.year)
            .into());
    }
    let (round, moved_from) = match rows::round_of_year(&mut tx, year).await? {
        None => match rows::insert_round(&mut tx, year, level, &due_s, actor.id, now_ms).await {
            Ok(r) => (r, None),
            // Someone opened the year's round between our read and the insert.
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Err(Msg::new("budget.round_opened_meanwhile")
                    .arg("year", year)
                    .into())
            }
            Err(e) => return Err(e.into()),
        },
        Some(r) if r.status == RoundStatus::Drafting => {
            let r = rows::lock_round(&mut tx, r.id, now_ms).await?.unwrap_or(r);
            // Moving the deadline keeps the phasing unless `period:` says otherwise.
            let level = if period.is_some() { level } else { r.period };
            if r.due_on == due_s && r.period == level {
                return Err(Msg::new("budget.round_unchanged")
                    .arg("year", year)
                    .arg("due", due)
                    .into());
            }
            if r.period != level && !rows::lines(&mut tx, r.id, None).await?.is_empty() {
                return Err(Msg::new("budget.phasing_fixed")
                    .arg("year", year)
                    .arg("level", r.period.as_str())
                    .into());
            }
            rows::set_due(&mut tx, r.id, &due_s, level, now_ms).await?;
            let before = r.due_on.clone();
            let r = rows::round(&mut tx, r.id).await?.unwrap_or(r);
            (r, Some(before))
        }
        Some(r) => {
            return Err(Msg::new("budget.round_closed")
                .arg("year", year)
                .arg("status", r.status.as_str())
                .into())
        }
    };
    let mut asked = Vec::new();
    let mut headless = Vec::new();
    for d in &dir.departments {
        let Some(head) = dir.head_of(&d.code) else {
            headless.push(d.code.clone());
            continue;
        };
        rows::ensure_draft(&mut tx, round.id, &d.code, now_ms).await?;
        let draft = rows::draft(&mut tx, round.id, &d.code).await?;
        if !draft.is_some_and(|d| d.status.editable()) {
            continue; // submitted already: nothing to ask
        }
        let mut payload = round_facts(&round, &dir, &d.code);
        payload["moved_from"] = json!(moved_from);
        tell(&mut tx, head.id, ASK_NOTE, None, payload, true, now_ms).await?;
        asked.push(d.code.clone());
    }
    let remind_on = domain::remind_day(due, desk.company.budget.remind_days_before, today);
    schedule_chasers(&mut tx, desk, &round, remind_on, now_ms).await?;
    let summary = match &moved_from {
        None => format!(
            "{year} round opened, phased by {}, due {due}; {} departments asked",
            level.as_str(),
            asked.len()
        ),
        Some(before) => format!(
            "{year} round due date moved from {before} to {due}; {} departments asked again",
            asked.len()
        ),
    };
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "budget.round_open",
        &audit_subject(year, None),
        summary,
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(Opened {
        round,
        asked,
        headless,
        moved_from,
        remind_on,
    })
}

/// 09:00 of `day` in the company's time zone.
fn morning(desk: &Desk, day: NaiveDate) -> i64 {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN);
    store::to_ms(local_to_utc(day.and_time(nine), desk.company.time_zone))
}

/// The reminder and the escalation of a round's due date; keyed by the due date, so a moved
/// deadline gets its own jobs (the old ones find the date changed and do nothing).
async fn schedule_chasers(
    conn: &mut Conn,
    desk: &Desk,
    round: &Round,
    remind_on: Option<NaiveDate>,
    now_ms: i64,
) -> DeskResult<()> {
    let due = &round.due_on;
    let Ok(due_day) = due.parse::<NaiveDate>() else {
        return Ok(());
    };
    let payload = json!({ "round_id": round.id, "due": due });
    let mut jobs = vec![NewJob::new(
        kind::BUDGET_ESCALATE,
        payload.clone(),
        morning(desk, due_day + Duration::days(1)),
        format!("budget.escalate:{}:{due}", round.id),
    )];
    if let Some(day) = remind_on {
        jobs.push(NewJob::new(
            kind::BUDGET_REMIND,
            payload,
            morning(desk, day).max(now_ms),
            format!("budget.remind:{}:{due}", round.id),
        ));
    }
    for job in &jobs {
        schedule(&mut *conn, desk.store.backend(), job, now_ms).await?;
    }
    Ok(())
}

/// What a notification about a round shows of one department's part in it.
fn round_facts(round: &Round, dir: &Directory, code: &str) -> Value {
    let mut v = department_facts(dir, code);
    v["year"] = json!(round.year);
    v["due"] = json!(round.due_on);
    v["period"] = json!(round.period.as_str());
    v
}

/// The round a chasing job is for, if the job still applies: the round is drafting and its
/// due date is the job's.
async fn chased_round(conn: &mut Conn, payload: &Value) -> DeskResult<Option<Round>> {
    let (Some(id), Some(due)) = (payload["round_id"].as_i64(), payload["due"].as_str()) else {
        return Ok(None);
    };
    Ok(rows::round(conn, id)
        .await?
        .filter(|r| r.status == RoundStatus::Drafting && r.due_on == due))
}

/// The departments of a round whose drafts are not submitted, with their heads.
async fn late<'a>(
    conn: &mut Conn,
    round: &Round,
    dir: &'a Directory,
) -> DeskResult<Vec<(String, DraftStatus, &'a Employee)>> {
    let mut out = Vec::new();
    for d in rows::drafts(conn, round.id).await? {
        if !d.status.editable() {
            continue;
        }
        if let Some(head) = dir.head_of(&d.department_code) {
            out.push((d.department_code, d.status, head));
        }
    }
    Ok(out)
}

/// The scheduler's `budget.remind`: each head whose draft is not submitted is reminded.
pub async fn remind(desk: &Desk, conn: &mut Conn, payload: &Value) -> DeskResult<Vec<AuditEvent>> {
    let Some(round) = chased_round(&mut *conn, payload).await? else {
        return Ok(vec![]);
    };
    let dir = store::directory::load(&mut *conn).await?;
    let now_ms = store::to_ms(desk.now());
    for (code, status, head) in late(&mut *conn, &round, &dir).await? {
        let mut f = round_facts(&round, &dir, &code);
        f["status"] = json!(status.as_str());
        tell(&mut *conn, head.id, REMIND_NOTE, None, f, true, now_ms).await?;
        rows::mark_chased(&mut *conn, round.id, &code, false, now_ms).await?;
    }
    Ok(vec![])
}

/// The scheduler's `budget.escalate`: the superior of each late department's head (the head
/// of the department above; management where there is none) hears which are late, one
/// message each.
pub async fn escalate(
    desk: &Desk,
    conn: &mut Conn,
    payload: &Value,
) -> DeskResult<Vec<AuditEvent>> {
    let Some(round) = chased_round(&mut *conn, payload).await? else {
        return Ok(vec![]);
    };
    let dir = store::directory::load(&mut *conn).await?;
    let now_ms = store::to_ms(desk.now());
    let mut by_superior: BTreeMap<EmployeeId, Vec<Value>> = BTreeMap::new();
    for (code, status, head) in late(&mut *conn, &round, &dir).await? {
        let superiors: Vec<&Employee> = match dir.superiors_of(&code).first() {
            Some(s) => vec![*s],
            None => dir.with_role(Role::Management),
        };
        let mut f = department_facts(&dir, &code);
        f["head"] = json!(head.name);
        f["status"] = json!(status.as_str());
        for s in superiors {
            by_superior.entry(s.id).or_default().push(f.clone());
        }
        rows::mark_chased(&mut *conn, round.id, &code, true, now_ms).await?;
    }
    for (to, departments) in by_superior {
        let f = json!({
            "year": round.year, "due": round.due_on, "departments": departments,
        });
        tell(&mut *conn, to, LATE_NOTE, None, f, true, now_ms).await?;
    }
    Ok(vec![])
}
