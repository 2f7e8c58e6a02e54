//! A department's draft: its head (or their delegate) adds, changes and removes lines and
//! submits it to finance; finance returns it with a comment.

use super::domain::{self, DraftStatus, RoundStatus};
use super::service::{
    audit_subject, check_line, company_money, department, department_facts, heads, tell,
    UPDATE_NOTE,
};
use super::store::{self as rows, Draft, DraftMove, Line, NewLine, Round};
use crate::domain::directory::{Directory, Employee, Role};
use crate::domain::money::Money;
use crate::domain::Msg;
use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use serde_json::json;

/// What `/budget draft` was given.
#[derive(Debug, Clone)]
pub struct DraftInput<'a> {
    pub department: &'a str,
    pub category: &'a str,
    pub amount: Money,
    pub period: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// One department's draft as its head and finance see it.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub round: Round,
    pub department: String,
    /// `None` for a department with lines but no draft (lines added by a revision).
    pub draft: Option<Draft>,
    pub lines: Vec<Line>,
    pub total: i64,
}

/// Loads a department's draft with its lines and total.
pub(crate) async fn view(conn: &mut Conn, round: &Round, code: &str) -> DeskResult<DraftView> {
    let draft = rows::draft(&mut *conn, round.id, code).await?;
    let lines = rows::lines(&mut *conn, round.id, Some(code)).await?;
    let total = lines.iter().map(|l| l.amount_minor).sum();
    Ok(DraftView {
        round: round.clone(),
        department: code.to_string(),
        draft,
        lines,
        total,
    })
}

/// The department typed, checked to be one `actor` heads (or stands in for), with the open
/// round locked.
async fn own_department(
    conn: &mut Conn,
    desk: &Desk,
    dir: &Directory,
    actor: &Employee,
    typed: &str,
) -> DeskResult<String> {
    let code = department(dir, typed)?.code.clone();
    if !crate::access::budgets::may_draft(heads(conn, desk, dir, actor, &code).await?) {
        return Err(Msg::new("budget.not_head").arg("department", &code).into());
    }
    Ok(code)
}

/// The round departments draft in now, locked; or "no open round".
async fn open_round(conn: &mut Conn, now_ms: i64) -> DeskResult<Round> {
    let r = rows::drafting_round(&mut *conn)
        .await?
        .ok_or_else(|| Msg::new("budget.no_open_round"))?;
    let r = rows::lock_round(conn, r.id, now_ms).await?.unwrap_or(r);
    // Consolidation may have sent it to management between our read and the lock.
    if r.status != RoundStatus::Drafting {
        return Err(Msg::new("budget.round_not_drafting")
            .arg("year", r.year)
            .arg("status", r.status.as_str())
            .into());
    }
    Ok(r)
}

/// Adds or changes a line of a department's draft (amount 0 removes it).
pub async fn draft(desk: &Desk, actor: &Employee, input: DraftInput<'_>) -> DeskResult<DraftView> {
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let code = own_department(&mut tx, desk, &dir, actor, input.department).await?;
    let round = open_round(&mut tx, now_ms).await?;
    let mut problems = Vec::new();
    let cat = check_line(desk, input.category, input.amount, &mut problems);
    let period = domain::line_period(round.year, round.period, input.period)
        .map_err(|m| problems.push(m))
        .ok();
    let (cat, period) = match (cat, period) {
        (Some(c), Some(p)) if problems.is_empty() => (c, p),
        _ => return Err(problems.into()),
    };
    // A department that gained its head after the round opened drafts too.
    rows::ensure_draft(&mut tx, round.id, &code, now_ms).await?;
    let current = view(&mut tx, &round, &code).await?;
    let due = round.due_on.parse().unwrap_or(desk.today());
    let status = current.draft.map_or(DraftStatus::Drafting, |d| d.status);
    domain::may_change(status, due, desk.today())?;
    let amount = input.amount.minor;
    let currency = desk.company.currency.to_string();
    let what = if amount == 0 {
        if !rows::delete_line(&mut tx, round.id, &code, &cat, &period).await? {
            return Err(Msg::new("budget.no_such_line")
                .arg("category", &cat)
                .arg("period", &period)
                .into());
        }
        "removed".to_string()
    } else {
        let line = NewLine {
            round_id: round.id,
            department_code: &code,
            category: &cat,
            period: &period,
            amount_minor: amount,
            currency: &currency,
            note: input.note.map(str::trim),
            updated_by: actor.id,
        };
        rows::upsert_line(&mut tx, &line, now_ms).await?;
        company_money(desk, amount)
    };
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "budget.draft",
        &audit_subject(round.year, Some(&code)),
        format!("{cat} {period}: {what}"),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let out = view(&mut tx, &round, &code).await?;
    tx.commit().await?;
    Ok(out)
}

/// Sends a department's draft to finance (its head or their delegate); finance is told.
pub async fn submit(desk: &Desk, actor: &Employee, typed: &str) -> DeskResult<DraftView> {
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let code = own_department(&mut tx, desk, &dir, actor, typed).await?;
    let round = open_round(&mut tx, now_ms).await?;
    rows::ensure_draft(&mut tx, round.id, &code, now_ms).await?;
    let current = view(&mut tx, &round, &code).await?;
    let status = current
        .draft
        .as_ref()
        .map_or(DraftStatus::Drafting, |d| d.status);
    if !status.editable() {
        return Err(Msg::new("budget.not_editable")
            .arg("status", status.as_str())
            .into());
    }
    if current.lines.is_empty() {
        return Err(Msg::new("budget.empty_draft")
            .arg("department", &code)
            .into());
    }
    let m = DraftMove {
        from: status,
        to: DraftStatus::Submitted,
        comment: None,
        submitted_by: Some(actor.id),
    };
    let moved = rows::set_draft_status(&mut tx, round.id, &code, &m, now_ms).await?;
    if !moved {
        return Err(Msg::new("budget.not_editable")
            .arg("status", "changed")
            .into());
    }
    let out = view(&mut tx, &round, &code).await?;
    let mut f = department_facts(&dir, &code);
    f["event"] = json!("submitted");
    f["year"] = json!(round.year);
    f["total"] = json!(company_money(desk, out.total));
    f["lines"] = json!(out.lines.len());
    f["by"] = json!(actor.name);
    f["comment"] = json!("");
    for e in dir.with_role(Role::Finance) {
        if e.id != actor.id {
            tell(&mut tx, e.id, UPDATE_NOTE, None, f.clone(), false, now_ms).await?;
        }
    }
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "budget.submit",
        &audit_subject(round.year, Some(&code)),
        format!(
            "submitted: {} lines, {}",
            out.lines.len(),
            company_money(desk, out.total)
        ),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(out)
}

/// Returns a submitted draft to its department with finance's comment (finance); its head
/// is told. `year`: the round of that year, else the one departments draft in now.
pub async fn return_draft(
    desk: &Desk,
    actor: &Employee,
    typed: &str,
    comment: &str,
    year: Option<i64>,
) -> DeskResult<DraftView> {
    crate::access::require(actor, "budget.return")?;
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(Msg::new("budget.comment_needed").into());
    }
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let code = department(&dir, typed)?.code.clone();
    let round = match year {
        Some(y) => rows::round_of_year(&mut tx, i32::try_from(y).unwrap_or(i32::MAX))
            .await?
            .ok_or_else(|| Msg::new("budget.no_round").arg("year", y))?,
        None => rows::drafting_round(&mut tx)
            .await?
            .ok_or_else(|| Msg::new("budget.no_open_round"))?,
    };
    let round = rows::lock_round(&mut tx, round.id, now_ms)
        .await?
        .unwrap_or(round);
    if round.status != RoundStatus::Drafting {
        return Err(Msg::new("budget.round_not_drafting")
            .arg("year", round.year)
            .arg("status", round.status.as_str())
            .into());
    }
    let status = rows::draft(&mut tx, round.id, &code)
        .await?
        .map(|d| d.status);
    if status != Some(DraftStatus::Submitted) {
        return Err(Msg::new("budget.not_submitted")
            .arg("department", &code)
            .arg("status", status.map_or("none", |s| s.as_str()))
            .into());
    }
    let m = DraftMove {
        from: DraftStatus::Submitted,
        to: DraftStatus::Returned,
        comment: Some(comment),
        submitted_by: None,
    };
    rows::set_draft_status(&mut tx, round.id, &code, &m, now_ms).await?;
    let out = view(&mut tx, &round, &code).await?;
    if let Some(head) = dir.head_of(&code) {
        let mut f = department_facts(&dir, &code);
        f["event"] = json!("returned");
        f["year"] = json!(round.year);
        f["total"] = json!(company_money(desk, out.total));
        f["lines"] = json!(out.lines.len());
        f["by"] = json!(actor.name);
        f["comment"] = json!(comment);
        tell(&mut tx, head.id, UPDATE_NOTE, None, f, false, now_ms).await?;
    }
    let e = audit_event(
        now,
        &actor.handle,
        None,
        "budget.return",
        &audit_subject(round.year, Some(&code)),
        "returned to its department for changes",
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok(out)
}
