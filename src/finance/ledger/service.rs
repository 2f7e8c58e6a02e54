//! Moving documents' positions, checking `budget.control`, and reading a line's figures.

use super::domain::{self, Compared, Figures, Split, Verdict};
use super::store::{self as rows, Key};
use crate::approval::subject::Fact;
use crate::domain::directory::{Employee, Role};
use crate::domain::money::Money;
use crate::domain::Msg;
use crate::finance::settings::{Control, Level, Stage};
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

/// A document the ledger holds a position for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Requisition(i64),
    PurchaseOrder(i64),
    Payment(i64),
    Expense(i64),
}

impl Doc {
    /// Its reference, the position's key: `REQ-000042`.
    pub fn reference(self) -> String {
        match self {
            Doc::Requisition(id) => format!("REQ-{id:06}"),
            Doc::PurchaseOrder(id) => format!("PO-{id:06}"),
            Doc::Payment(id) => format!("PAY-{id:06}"),
            Doc::Expense(id) => format!("EXP-{id:06}"),
        }
    }
}

/// A document about to add to a budget line, as [`check`] sees it.
#[derive(Debug, Clone)]
pub struct Charge<'a> {
    pub stage: Stage,
    pub department: &'a str,
    /// The category as the document has it; `None` is `budget.default_category`.
    pub category: Option<&'a str>,
    /// The date it is charged on (a requisition's submission, a claim's date; a PO and a
    /// payment are charged where their requisition was).
    pub on: NaiveDate,
    /// What it adds to the line, in minor units (a PO: only what it adds over the part of its
    /// requisition it orders; may be ≤ 0, then nothing is checked).
    pub adds: i64,
    /// The author acknowledged a warning (`ack:yes` or the button).
    pub ack: bool,
}

/// What [`check`] found, for the reply and the approval prompt.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// The year's line as it stands before the document; `None`: the department has no budget
    /// in force for the year (nothing checked).
    pub year: Option<Compared>,
    /// The warnings the author acknowledged (empty when none).
    pub acknowledged: Vec<Compared>,
    /// The category charged (the default one when the document has none).
    pub category: String,
    /// The department charged.
    pub department: String,
}

fn money(desk: &Desk, minor: i64) -> String {
    Money::new(minor, desk.company.currency).to_string()
}

/// The category a document is charged to.
fn category_of(desk: &Desk, category: Option<&str>) -> String {
    category
        .filter(|c| !c.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| desk.company.budget.default_category.clone())
}

/// The figures of a compared period as message arguments.
fn figures_msg(desk: &Desk, key: &'static str, charged: &Checked, c: &Compared) -> Msg {
    Msg::new(key)
        .arg("department", &charged.department)
        .arg("category", &charged.category)
        .arg("level", c.level.as_str())
        .arg("period", &c.period)
        .arg("allocated", money(desk, c.allocated))
        .arg("used", money(desk, c.used))
        .arg("available", money(desk, c.available()))
        .arg("adds", money(desk, c.adds))
        .arg("after", money(desk, c.after()))
        .arg("over", money(desk, -c.after()))
}

/// Checks `charge` against `budget.control`, in the caller's transaction, after locking the
/// budget in force for the year so that concurrent charges are checked one after the other
/// (call it before writing the document). Refuses with the figures (`ledger.stop`, or
/// `ledger.warn` when a warning is not acknowledged); records nothing itself.
pub async fn check(conn: &mut Conn, desk: &Desk, charge: &Charge<'_>) -> DeskResult<Checked> {
    let mut out = Checked {
        category: category_of(desk, charge.category),
        department: charge.department.to_string(),
        ..Checked::default()
    };
    let year = charge.on.year();
    if !rows::lock_year(&mut *conn, year).await?
        || !rows::has_budget(&mut *conn, year, charge.department).await?
    {
        return Ok(out);
    }
    let lines = rows::lines(&mut *conn, year, charge.department, &out.category).await?;
    let used = rows::used_by_month(&mut *conn, year, charge.department, &out.category).await?;
    let settings = &desk.company.budget;
    out.year = Some(Compared {
        level: Level::Year,
        period: year.to_string(),
        control: settings.control(Level::Year, charge.stage),
        allocated: domain::allocated_in(&lines, &domain::months_of(&year.to_string())),
        used: used.iter().sum(),
        adds: charge.adds.max(0),
    });
    if charge.adds <= 0 {
        return Ok(out);
    }
    let compared = domain::compare(
        settings,
        charge.stage,
        charge.on,
        &lines,
        &used,
        charge.adds,
    );
    match domain::verdict(&compared) {
        Verdict::Pass => Ok(out),
        Verdict::Stop(c) => Err(figures_msg(desk, "ledger.stop", &out, &c).into()),
        Verdict::Warn(ws) if charge.ack => {
            out.acknowledged = ws;
            Ok(out)
        }
        Verdict::Warn(ws) => {
            let mut msgs: Vec<Msg> = ws
                .iter()
                .map(|c| figures_msg(desk, "ledger.warn", &out, c))
                .collect();
            msgs.push(Msg::new("ledger.ack_hint"));
            Err(msgs.into())
        }
    }
}

/// Records in the audit trail that `actor` acknowledged `checked`'s warnings for `reference`
/// (nothing when there were none), in the caller's transaction.
pub async fn acknowledge(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    reference: &str,
    checked: &Checked,
) -> DeskResult<()> {
    if checked.acknowledged.is_empty() {
        return Ok(());
    }
    let over: Vec<String> = checked
        .acknowledged
        .iter()
        .map(|c| {
            format!(
                "{} {} over by {} ({} available, {} asked)",
                c.level,
                c.period,
                money(desk, -c.after()),
                money(desk, c.available()),
                money(desk, c.adds)
            )
        })
        .collect();
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "budget.acknowledge",
        reference,
        format!(
            "budget warning acknowledged for {} / {}: {}",
            checked.department,
            checked.category,
            over.join("; ")
        ),
    );
    audit::append(conn, &desk.keys.audit, e).await?;
    Ok(())
}

/// The facts an approval prompt shows of a checked document: the line's availability before
/// and after it, and any acknowledged warning. Empty when nothing was checked.
pub fn position_facts(desk: &Desk, checked: &Checked) -> Vec<Fact> {
    let Some(y) = &checked.year else {
        return Vec::new();
    };
    let mut out = vec![
        Fact::of(
            "fact.budget_line",
            format!(
                "{} · {} · {}: {}",
                checked.department,
                checked.category,
                y.period,
                money(desk, y.allocated)
            ),
        ),
        Fact::of(
            "fact.budget_available",
            format!(
                "{} → {}",
                money(desk, y.available()),
                money(desk, y.after())
            ),
        ),
    ];
    for c in &checked.acknowledged {
        out.push(Fact::of(
            "fact.budget_warning",
            format!("{}: −{}", c.period, money(desk, -c.after())),
        ));
    }
    out.into_iter().flatten().collect()
}

/// The line of a reply that says where the budget stands before and after a document, in
/// the reader's words (`None` when nothing was checked).
pub fn position_msg(desk: &Desk, checked: &Checked) -> Option<Msg> {
    let y = checked.year.as_ref()?;
    Some(figures_msg(desk, "ledger.position", checked, y))
}

/// The company date of a stored UTC time in milliseconds.
fn date_of(desk: &Desk, at_ms: i64) -> NaiveDate {
    store::from_ms(at_ms)
        .with_timezone(&desk.company.time_zone)
        .date_naive()
}

/// Where a requisition is charged: its department, its category (or the default) and the
/// month it was first submitted; the position's key once it has one.
async fn requisition_key(conn: &mut Conn, desk: &Desk, id: i64) -> DeskResult<Option<Key>> {
    if let Some(p) = rows::position(&mut *conn, &Doc::Requisition(id).reference()).await? {
        return Ok(Some(p.key));
    }
    let Some(r) = crate::procurement::requisitions::store::get(&mut *conn, id).await? else {
        return Ok(None);
    };
    if r.draft.total.currency != desk.company.currency {
        return Ok(None);
    }
    let on = date_of(desk, r.created_at_ms);
    Ok(Some(Key {
        department: r.department.clone(),
        category: category_of(desk, r.draft.category.as_deref()),
        year: on.year(),
        month: on.month(),
    }))
}

/// The date a requisition is charged on (for checking its POs and payments).
pub async fn requisition_date(conn: &mut Conn, desk: &Desk, id: i64) -> DeskResult<NaiveDate> {
    let key = requisition_key(conn, desk, id).await?;
    Ok(key
        .and_then(|k| NaiveDate::from_ymd_opt(k.year, k.month, 1))
        .unwrap_or_else(|| desk.today()))
}

/// Where `doc`'s amount stands by its current state (`None`: no such document). Needs only
/// the connection, so the approval engine's outcome hooks can call it through [`resync`].
async fn split_of(conn: &mut Conn, doc: Doc) -> DeskResult<Option<Split>> {
    use crate::procurement::orders::store as pos;
    Ok(match doc {
        Doc::Requisition(id) => {
            match crate::procurement::requisitions::store::get(&mut *conn, id).await? {
                Some(r) => {
                    let ordered = pos::ordered_of(&mut *conn, id).await?;
                    let unordered = (r.draft.quantity - ordered).max(0) * r.draft.unit_price.minor;
                    Some(domain::requisition(
                        r.status.as_str(),
                        r.draft.total.minor,
                        unordered,
                    ))
                }
                None => None,
            }
        }
        Doc::PurchaseOrder(id) => match pos::get(&mut *conn, id).await? {
            Some(po) => {
                let paid = pos::paid_of(&mut *conn, id).await?;
                Some(domain::purchase_order(
                    po.status.live(),
                    po.total.minor,
                    paid,
                ))
            }
            None => None,
        },
        Doc::Payment(id) => crate::procurement::payments::store::get(&mut *conn, id)
            .await?
            .map(|p| domain::payment(p.paid_minor.unwrap_or(0))),
        Doc::Expense(id) => rows::claim(&mut *conn, id)
            .await?
            .map(|c| domain::expense(&c.status, c.amount_minor, c.paid_minor)),
    })
}

/// The documents whose positions follow `doc`'s: a PO's requisition, a payment's PO (and its
/// requisition).
async fn upstream(conn: &mut Conn, doc: Doc) -> DeskResult<Vec<Doc>> {
    use crate::procurement::orders::store as pos;
    Ok(match doc {
        Doc::PurchaseOrder(id) => match pos::get(&mut *conn, id).await? {
            Some(po) => vec![Doc::Requisition(po.requisition_id)],
            None => vec![],
        },
        Doc::Payment(id) => match crate::procurement::payments::store::get(&mut *conn, id).await? {
            Some(p) => {
                let mut v = vec![Doc::PurchaseOrder(p.po_id)];
                if let Some(po) = pos::get(&mut *conn, p.po_id).await? {
                    v.push(Doc::Requisition(po.requisition_id));
                }
                v
            }
            None => vec![],
        },
        _ => vec![],
    })
}

/// Where a document is charged: its position's key once it has one; else a requisition's
/// department, category (or the default) and first submission month, a PO's and a payment's
/// requisition's, a claim's department, category and date.
async fn key_of(conn: &mut Conn, desk: &Desk, doc: Doc) -> DeskResult<Option<Key>> {
    if let Some(p) = rows::position(&mut *conn, &doc.reference()).await? {
        return Ok(Some(p.key));
    }
    match doc {
        Doc::Requisition(id) => requisition_key(conn, desk, id).await,
        Doc::PurchaseOrder(_) | Doc::Payment(_) => {
            let req = upstream(&mut *conn, doc)
                .await?
                .into_iter()
                .find(|d| matches!(d, Doc::Requisition(_)));
            match req {
                Some(Doc::Requisition(id)) => requisition_key(conn, desk, id).await,
                _ => Ok(None),
            }
        }
        Doc::Expense(id) => {
            let Some(c) = rows::claim(&mut *conn, id).await? else {
                return Ok(None);
            };
            if c.currency != desk.company.currency.as_str() {
                return Ok(None);
            }
            let on = c
                .spent_on
                .parse::<NaiveDate>()
                .unwrap_or_else(|_| desk.today());
            Ok(Some(Key {
                department: c.department_code,
                category: c.category,
                year: on.year(),
                month: on.month(),
            }))
        }
    }
}

/// Recomputes where `doc`'s amount stands from its current state and moves its position
/// there (recording the move), with the documents that follow it (a PO's requisition, a
/// payment's PO and requisition), in the caller's transaction; then sends the line's notices
/// that are due (each once). Call after every change of a document's state.
pub async fn sync(conn: &mut Conn, desk: &Desk, doc: Doc, now_ms: i64) -> DeskResult<()> {
    let mut docs = upstream(&mut *conn, doc).await?;
    docs.insert(0, doc);
    // Decreases first, so a move from one document to another never counts twice, even
    // for a moment (the alerts read the line after each move).
    let mut moves = Vec::new();
    for d in docs {
        let (Some(key), Some(split)) = (
            key_of(&mut *conn, desk, d).await?,
            split_of(&mut *conn, d).await?,
        ) else {
            continue;
        };
        moves.push((d, key, split));
    }
    let mut ordered = Vec::new();
    for (d, key, split) in moves {
        let before = rows::position(&mut *conn, &d.reference())
            .await?
            .map(|p| p.split)
            .unwrap_or_default();
        ordered.push((split.minus(&before).total(), d, key, split));
    }
    ordered.sort_by_key(|m| m.0);
    for (_, d, key, split) in ordered {
        move_to(&mut *conn, Some(desk), d, &key, &split, now_ms).await?;
    }
    Ok(())
}

/// [`sync`] for documents that already have a position, with the connection alone: the
/// approval engine's outcome hooks (`Subject::on_finished`) call it. An outcome never adds to
/// a line (approval moves requested to committed; the rest release), so no notice is due.
pub async fn resync(conn: &mut Conn, doc: Doc, now_ms: i64) -> DeskResult<()> {
    let mut docs = upstream(&mut *conn, doc).await?;
    docs.insert(0, doc);
    for d in docs {
        let Some(p) = rows::position(&mut *conn, &d.reference()).await? else {
            continue;
        };
        if let Some(split) = split_of(&mut *conn, d).await? {
            move_to(&mut *conn, None, d, &p.key, &split, now_ms).await?;
        }
    }
    Ok(())
}

/// Moves `doc` to `split` (when it changed) and sends the notices its line now calls for.
async fn move_to(
    conn: &mut Conn,
    desk: Option<&Desk>,
    doc: Doc,
    key: &Key,
    split: &Split,
    now_ms: i64,
) -> DeskResult<()> {
    let reference = doc.reference();
    let before = rows::position(&mut *conn, &reference)
        .await?
        .map(|p| p.split)
        .unwrap_or_default();
    let delta = split.minus(&before);
    if delta.is_zero() {
        return Ok(());
    }
    rows::put(&mut *conn, &reference, key, split, &delta, now_ms).await?;
    if let (Some(desk), true) = (desk, delta.total() > 0) {
        alerts(conn, desk, key, &reference, now_ms).await?;
    }
    Ok(())
}

/// Tells the department's head and finance, once per level, when what the line's documents
/// hold reaches `budget.alert_percents` of its allocation for the year.
async fn alerts(
    conn: &mut Conn,
    desk: &Desk,
    key: &Key,
    reference: &str,
    now_ms: i64,
) -> DeskResult<()> {
    let lines = rows::lines(&mut *conn, key.year, &key.department, &key.category).await?;
    if lines.is_empty() {
        return Ok(());
    }
    let allocated = domain::allocated_in(&lines, &domain::months_of(&key.year.to_string()));
    let used: i64 = rows::used_by_month(&mut *conn, key.year, &key.department, &key.category)
        .await?
        .iter()
        .sum();
    let levels = domain::reached(&desk.company.budget.alert_percents, allocated, used);
    if levels.is_empty() {
        return Ok(());
    }
    let dir = crate::store::directory::load(&mut *conn).await?;
    for level in levels {
        if !rows::alert_once(
            &mut *conn,
            &key.department,
            &key.category,
            key.year,
            level,
            now_ms,
        )
        .await?
        {
            continue;
        }
        let dept = dir.department(&key.department);
        let payload = json!({
            "department": key.department,
            "department_name": dept.map(|d| d.display_name(crate::domain::Locale::En).to_string()),
            "department_name_zh": dept.map(|d| d.display_name(crate::domain::Locale::ZhCn).to_string()),
            "category": key.category, "year": key.year, "level": level,
            "allocated": money(desk, allocated), "used": money(desk, used),
            "available": money(desk, allocated - used), "ref": reference,
        });
        let mut to: Vec<i64> = dir
            .with_role(Role::Finance)
            .into_iter()
            .filter(|e| e.active)
            .map(|e| e.id)
            .collect();
        if let Some(h) = dir.head_of(&key.department) {
            to.push(h.id);
        }
        to.sort_unstable();
        to.dedup();
        for id in to {
            let m = notify::message(id, super::ALERT, None, payload.clone());
            notify::send(&mut *conn, &m, now_ms).await?;
        }
        let e = audit_event(
            desk.now(),
            "system",
            None,
            "budget.alert",
            &format!("{}/{}/{}", key.department, key.category, key.year),
            format!(
                "{level}% of {} used ({} after {reference})",
                money(desk, allocated),
                money(desk, used)
            ),
        );
        audit::append(&mut *conn, &desk.keys.audit, e).await?;
    }
    Ok(())
}

/// The figures of each line of `year` (every department, or one; every category, or one):
/// what is allocated by the budgets in force and what documents hold, one row per department
/// and category that has either, ordered by department and category.
pub async fn figures(
    conn: &mut Conn,
    year: i32,
    department: Option<&str>,
    category: Option<&str>,
) -> DeskResult<Vec<(String, String, Figures)>> {
    let mut map: std::collections::BTreeMap<(String, String), Figures> = Default::default();
    let wanted =
        |d: &str, c: &str| department.is_none_or(|x| x == d) && category.is_none_or(|x| x == c);
    for (d, c, a) in rows::allocated(&mut *conn, year).await? {
        if wanted(&d, &c) {
            map.entry((d, c)).or_default().allocated += a;
        }
    }
    for (d, c, s) in rows::held(&mut *conn, year).await? {
        if wanted(&d, &c) {
            map.entry((d, c)).or_default().add_split(&s);
        }
    }
    Ok(map.into_iter().map(|((d, c), f)| (d, c, f)).collect())
}

/// Whether a control level is checked at all for `stage` (for help texts and replies).
pub fn checked_at(desk: &Desk, stage: Stage) -> Vec<(Level, Control)> {
    [Level::Year, Level::Quarter, Level::Month]
        .into_iter()
        .map(|l| (l, desk.company.budget.control(l, stage)))
        .filter(|(_, c)| *c != Control::Off)
        .collect()
}
