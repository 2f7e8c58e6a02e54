//! Moving documents' positions as they move: each document has one position, charged where
//! its chain started (a requisition's department, category and first submission month; a PO
//! and its payments where their requisition is; a claim's department, category and date).

use super::domain::{self, Split};
use super::store::{self as rows, Key};
use super::Doc;
use crate::approval::domain::ApprovalStatus;
use crate::domain::directory::Role;
use crate::finance::company_money;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

/// A document as the ledger needs it: where its amount stands, where it would be charged
/// when it has no position yet (`None` for a PO or a payment: their requisition says), and
/// the document it follows.
struct Loaded {
    split: Split,
    origin: Option<Key>,
    follows: Option<Doc>,
}

/// The category a document is charged to.
pub(super) fn category_of(desk: &Desk, category: Option<&str>) -> String {
    category
        .filter(|c| !c.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| desk.company.budget.default_category.clone())
}

fn key_on(department: &str, category: String, on: NaiveDate) -> Key {
    Key {
        department: department.to_string(),
        category,
        year: on.year(),
        month: on.month(),
    }
}

/// Loads `doc` once (`None`: no such document, or one in another currency, which the ledger
/// does not count). `desk` is needed only to place a document that has no position yet.
async fn load(conn: &mut Conn, desk: Option<&Desk>, doc: Doc) -> DeskResult<Option<Loaded>> {
    use crate::procurement::orders::store as pos;
    Ok(match doc {
        Doc::Requisition(id) => {
            let Some(r) = crate::procurement::requisitions::store::get(&mut *conn, id).await?
            else {
                return Ok(None);
            };
            let status = r.status;
            let ordered = match status {
                ApprovalStatus::Approved => pos::ordered_of(&mut *conn, id).await?,
                _ => 0,
            };
            let unordered = (r.draft.quantity - ordered).max(0) * r.draft.unit_price.minor;
            let origin = match desk {
                Some(d) if r.draft.total.currency == d.company.currency => {
                    let on = store::from_ms(r.created_at_ms)
                        .with_timezone(&d.company.time_zone)
                        .date_naive();
                    let category = category_of(d, r.draft.category.as_deref());
                    Some(key_on(&r.department, category, on))
                }
                Some(_) => return Ok(None),
                None => None,
            };
            Some(Loaded {
                split: domain::requisition(status, r.draft.total.minor, unordered),
                origin,
                follows: None,
            })
        }
        Doc::PurchaseOrder(id) => match pos::get(&mut *conn, id).await? {
            Some(po) => {
                let paid = pos::paid_of(&mut *conn, id).await?;
                Some(Loaded {
                    split: domain::purchase_order(po.status.live(), po.total.minor, paid),
                    origin: None,
                    follows: Some(Doc::Requisition(po.requisition_id)),
                })
            }
            None => None,
        },
        Doc::Payment(id) => crate::procurement::payments::store::get(&mut *conn, id)
            .await?
            .map(|p| Loaded {
                split: domain::payment(p.paid_minor.unwrap_or(0)),
                origin: None,
                follows: Some(Doc::PurchaseOrder(p.po_id)),
            }),
        Doc::Expense(id) => match rows::claim(&mut *conn, id).await? {
            Some(c) => {
                let origin = match desk {
                    Some(d) if c.currency == d.company.currency.as_str() => {
                        Some(key_on(&c.department_code, c.category.clone(), c.spent_on))
                    }
                    Some(_) => return Ok(None),
                    None => None,
                };
                Some(Loaded {
                    split: domain::expense(c.status, c.amount_minor, c.paid_minor),
                    origin,
                    follows: None,
                })
            }
            None => None,
        },
    })
}

/// One document's move: where it is charged, where it was and where it goes.
struct Move {
    doc: Doc,
    key: Key,
    before: Split,
    after: Split,
}

/// The moves of `doc` and the documents it follows (a payment's PO and requisition), placed
/// from the start of the chain: a document without a position is charged where the one it
/// follows is. `desk` `None`: only documents that have a position move.
async fn moves(conn: &mut Conn, desk: Option<&Desk>, doc: Doc) -> DeskResult<Vec<Move>> {
    let mut chain = Vec::new();
    let mut next = Some(doc);
    while let Some(d) = next {
        let Some(loaded) = load(&mut *conn, desk, d).await? else {
            break;
        };
        let position = rows::position(&mut *conn, &d.reference()).await?;
        next = loaded.follows;
        chain.push((d, loaded, position));
    }
    let mut out = Vec::new();
    let mut key: Option<Key> = None;
    for (d, loaded, position) in chain.into_iter().rev() {
        let (k, before) = match position {
            Some(p) => (Some(p.key), p.split),
            None if desk.is_some() => (loaded.origin.or_else(|| key.clone()), Split::default()),
            None => (None, Split::default()),
        };
        if let Some(k) = &k {
            out.push(Move {
                doc: d,
                key: k.clone(),
                before,
                after: loaded.split,
            });
        }
        key = k;
    }
    // Decreases first, so an amount moving from one document to another is never counted
    // twice, even between two statements (the notices read the line after each move).
    out.sort_by_key(|m| m.after.minus(&m.before).total());
    Ok(out)
}

/// Recomputes where `doc`'s amount stands from its current state and moves its position
/// there (recording the move), with the documents it follows (a PO's requisition, a
/// payment's PO and requisition), in the caller's transaction; then sends the line's notices
/// that are due (each once). Call after every change of a document's state.
pub async fn sync(conn: &mut Conn, desk: &Desk, doc: Doc, now_ms: i64) -> DeskResult<()> {
    for m in moves(&mut *conn, Some(desk), doc).await? {
        let delta = m.after.minus(&m.before);
        if delta.is_zero() {
            continue;
        }
        let reference = m.doc.reference();
        rows::put(&mut *conn, &reference, &m.key, &m.after, &delta, now_ms).await?;
        if delta.total() > 0 {
            alerts(&mut *conn, desk, &m.key, &reference, now_ms).await?;
        }
    }
    Ok(())
}

/// [`sync`] for documents that already have a position, with the connection alone: the
/// approval engine's outcome hooks (`Subject::on_finished`) call it. An outcome never adds to
/// a line (approval moves requested to committed; the rest release), so no notice is due.
pub async fn resync(conn: &mut Conn, doc: Doc, now_ms: i64) -> DeskResult<()> {
    for m in moves(&mut *conn, None, doc).await? {
        let delta = m.after.minus(&m.before);
        if !delta.is_zero() {
            rows::put(
                &mut *conn,
                &m.doc.reference(),
                &m.key,
                &m.after,
                &delta,
                now_ms,
            )
            .await?;
        }
    }
    Ok(())
}

/// The date a requisition is charged on: the first of its position's month, or (before it
/// has one) the day it was created; for checking its POs and payments.
pub async fn requisition_date(conn: &mut Conn, desk: &Desk, id: i64) -> DeskResult<NaiveDate> {
    let doc = Doc::Requisition(id);
    let key = match rows::position(&mut *conn, &doc.reference()).await? {
        Some(p) => Some(p.key),
        None => load(&mut *conn, Some(desk), doc)
            .await?
            .and_then(|l| l.origin),
    };
    Ok(key
        .and_then(|k| NaiveDate::from_ymd_opt(k.year, k.month, 1))
        .unwrap_or_else(|| desk.today()))
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
        let name = |l| dept.map(|d| d.display_name(l).to_string());
        let payload = json!({
            "department": key.department,
            "department_name": name(crate::domain::Locale::En),
            "department_name_zh": name(crate::domain::Locale::ZhCn),
            "category": key.category, "year": key.year, "level": level,
            "allocated": company_money(desk, allocated), "used": company_money(desk, used),
            "available": company_money(desk, allocated - used), "ref": reference,
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
                company_money(desk, allocated),
                company_money(desk, used)
            ),
        );
        audit::append(&mut *conn, &desk.keys.audit, e).await?;
    }
    Ok(())
}
