//! What every budget use case shares: references, money, departments typed by people, who
//! heads a department today, and the notifications budgets send.

use super::store::Budget;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::subject::Summary;
use crate::domain::delivery::Purpose;
use crate::domain::directory::{Department, Directory, Employee, EmployeeId};
use crate::domain::money::{format_stored, Money};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::{Locale, Msg};
use crate::service::{notify, Desk, DeskResult};
use crate::store::outbox::{self, EMAIL};
use crate::store::{self, Conn};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// To a department's head: draft your lines (a round opened, or its due date moved).
pub const ASK_NOTE: &str = "budget_draft_request";
/// To a head whose draft is not submitted yet, days before the due date.
pub const REMIND_NOTE: &str = "budget_remind";
/// To a head's superior, the day after the due date: which departments are late.
pub const LATE_NOTE: &str = "budget_late";
/// A draft or a budget moved: submitted (to finance), returned (to the head), in force (to
/// the heads), a revision decided (to the department's head).
pub const UPDATE_NOTE: &str = "budget_update";

/// The reference of budget approval `id`, e.g. `BUD-000001`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Budget,
        number: id,
    }
}

/// An amount as stored, formatted like every other amount (`36,000.00 CNY`).
pub fn money(minor: i64, currency: &str) -> String {
    format_stored(minor, currency)
}

pub use crate::finance::company_money;

/// The department a person typed (code, English or Chinese name), or the refusal listing
/// them.
pub fn department<'a>(dir: &'a Directory, typed: &str) -> Result<&'a Department, Msg> {
    dir.find_department(typed)
        .ok_or_else(|| dir.unknown_department(typed.trim()))
}

/// A department's names for notifications and replies (code, English, Chinese).
pub fn department_facts(dir: &Directory, code: &str) -> Value {
    let d = dir.department(code);
    json!({
        "department": code,
        "department_name": d.map_or(code, |d| d.display_name(Locale::En)),
        "department_zh": d.map_or(code, |d| d.display_name(Locale::ZhCn)),
    })
}

/// The category a person typed, as its configured code, or the refusal listing them.
pub fn category(desk: &Desk, typed: &str) -> Result<String, Msg> {
    let code = desk
        .company
        .terms
        .resolve("requisition_categories", typed)
        .map(str::to_string)
        .unwrap_or_else(|| typed.trim().to_lowercase());
    let all = &desk.company.categories;
    if all.contains(&code) {
        Ok(code)
    } else {
        Err(Msg::new("budget.unknown_category")
            .arg("category", typed.trim())
            .arg("choices", all.join(", ")))
    }
}

/// Refuses an amount in another currency, or a negative one (`zero_ok`: 0 is allowed).
pub fn check_amount(desk: &Desk, amount: Money, zero_ok: bool) -> Result<(), Msg> {
    let currency = desk.company.currency;
    if amount.currency != currency {
        return Err(Msg::new("budget.wrong_currency").arg("currency", currency));
    }
    if amount.minor < 0 || (!zero_ok && amount.minor == 0) {
        return Err(Msg::new("budget.negative_amount"));
    }
    Ok(())
}

/// Checks a line's category and amount (0 allowed), adding what is wrong to `problems`;
/// the category's code when it is one.
pub fn check_line(
    desk: &Desk,
    typed_category: &str,
    amount: Money,
    problems: &mut Vec<Msg>,
) -> Option<String> {
    let cat = category(desk, typed_category)
        .map_err(|m| problems.push(m))
        .ok();
    if let Err(m) = check_amount(desk, amount, true) {
        problems.push(m);
    }
    cat
}

/// Whether `actor` heads department `code`, or stands in for its head today.
pub async fn heads(
    conn: &mut Conn,
    desk: &Desk,
    dir: &Directory,
    actor: &Employee,
    code: &str,
) -> DeskResult<bool> {
    if dir.head_of(code).is_none() {
        return Ok(false);
    }
    Ok(headed(conn, dir, actor, desk.today())
        .await?
        .iter()
        .any(|c| c == code))
}

/// The departments `actor` heads on `today`: theirs, and those of the heads they stand in for.
pub async fn headed(
    conn: &mut Conn,
    dir: &Directory,
    actor: &Employee,
    today: NaiveDate,
) -> DeskResult<Vec<String>> {
    let mut heads = vec![actor.id];
    heads.extend(crate::approval::delegations::store::delegators_of(conn, actor.id, today).await?);
    Ok(dir
        .departments
        .iter()
        .filter(|d| {
            d.head
                .as_deref()
                .and_then(|h| dir.by_handle(h))
                .is_some_and(|h| heads.contains(&h.id))
        })
        .map(|d| d.code.clone())
        .collect())
}

/// Sends a chat notification; with `prompt`, also an email copy to those who take prompts by
/// email (a request to act: draft, a reminder, an escalation).
pub async fn tell(
    conn: &mut Conn,
    to: EmployeeId,
    kind: &'static str,
    subject_ref: Option<&str>,
    payload: Value,
    prompt: bool,
    now_ms: i64,
) -> DeskResult<()> {
    let m = notify::message(to, kind, subject_ref, payload);
    notify::send(&mut *conn, &m, now_ms).await?;
    if prompt {
        if let Some(address) =
            store::delivery::email_target(&mut *conn, to, Purpose::Prompt).await?
        {
            let email = outbox::NewMessage {
                channel: EMAIL,
                address: Some(address),
                ..m
            };
            outbox::enqueue(&mut *conn, &email, now_ms).await?;
        }
    }
    Ok(())
}

/// The subject of a round's audit events (`budget:2027`, `budget:2027:SAL`).
pub fn audit_subject(year: i32, dept: Option<&str>) -> String {
    match dept {
        Some(d) => format!("budget:{year}:{d}"),
        None => format!("budget:{year}"),
    }
}

/// Opens the `[budget]` approval of `budget` (management), asked for by `actor`, in the
/// caller's transaction: `department` and `category` are what the policy's conditions see.
pub async fn open_approval(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    budget: &Budget,
    (department, category): (&str, Option<&str>),
    summary: Summary,
) -> DeskResult<Progress> {
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: budget.id,
        reference: reference(budget.id),
        round: 1,
        facts: SubjectFacts {
            requester: actor.id,
            department: department.to_string(),
            amount_minor: budget.amount_minor,
            category: category.map(str::to_string),
        },
        summary,
    };
    let dir = store::directory::load(&mut *conn).await?;
    approvals::open_round(conn, desk, &spec, actor, &dir).await
}
