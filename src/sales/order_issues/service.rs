//! Change requests and quality problems on a sales order: raised by any employee, they notify
//! the central office and the order's owner and stay open until the owner, sales or the
//! central office records how they were resolved.

use crate::domain::directory::{Employee, EmployeeId, Role};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::sales::order_issues::domain::IssueKind;
use crate::sales::order_issues::store as rows;
use crate::sales::order_issues::store::Issue;
use crate::sales::orders::store as orders_rows;
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use serde_json::json;

/// Sends one notice about an issue to each of `to` (once each, never to `except`).
async fn tell(
    conn: &mut Conn,
    to: &[EmployeeId],
    except: EmployeeId,
    r: &str,
    payload: &serde_json::Value,
    now: i64,
) -> sqlx::Result<()> {
    let mut told: Vec<EmployeeId> = Vec::new();
    for &id in to {
        if id == except || told.contains(&id) {
            continue;
        }
        told.push(id);
        let m = notify::message(id, notify::kind::ORDER_ISSUE, Some(r), payload.clone());
        notify::send(&mut *conn, &m, now).await?;
    }
    Ok(())
}

/// Raises an issue on an order.
pub async fn raise(
    desk: &Desk,
    actor: &Employee,
    r: Reference,
    kind: &str,
    text: &str,
) -> DeskResult<(Issue, Reference)> {
    let kind = IssueKind::parse(kind.trim()).ok_or_else(|| Msg::new("issue.unknown_kind"))?;
    let text = crate::service_desk::inquiries::domain::check_text("text", text, 2000)?;
    let not_found = || Msg::new("order.not_found").arg("ref", r.to_string());
    if r.kind != RefKind::SalesOrder {
        return Err(not_found().into());
    }
    let mut tx = desk.begin().await?;
    let order = orders_rows::get(&mut tx, r.number)
        .await?
        .ok_or_else(not_found)?;
    let now = store::to_ms(desk.now());
    let issue = rows::insert_issue(&mut tx, order.id, kind, &text, actor.id, now).await?;
    let dir = store::directory::load(&mut tx).await?;
    let mut to: Vec<EmployeeId> = vec![order.owner_id];
    to.extend(dir.with_role(Role::Bcmo).iter().map(|e| e.id));
    let payload = json!({
        "event": "raised", "ref": r.to_string(), "id": issue.id, "kind": kind.as_str(),
        "text": text, "by": actor.name, "resolution": "",
    });
    tell(&mut tx, &to, actor.id, &r.to_string(), &payload, now).await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "order.issue",
        &r.to_string(),
        format!("#{} {}: {text}", issue.id, kind.as_str()),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    tx.commit().await?;
    Ok((issue, r))
}

/// Resolves an open issue with what was done; the one who raised it and the owner are told.
pub async fn resolve(
    desk: &Desk,
    actor: &Employee,
    id: i64,
    resolution: &str,
) -> DeskResult<(Issue, Reference)> {
    let resolution =
        crate::service_desk::inquiries::domain::check_text("resolution", resolution, 2000)?;
    let mut tx = desk.begin().await?;
    let issue = rows::issue(&mut tx, id)
        .await?
        .ok_or_else(|| Msg::new("issue.not_found").arg("id", id))?;
    let order = orders_rows::get(&mut tx, issue.order_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("issue {id} has no order"))?;
    let r = crate::sales::orders::service::reference(order.id);
    if !desk.may_handle_order(actor, order.owner_id) {
        return Err(Msg::new("issue.not_allowed")
            .arg("id", id)
            .arg("roles", desk.order_roles_text())
            .into());
    }
    let now = store::to_ms(desk.now());
    if !rows::resolve_issue(&mut tx, id, &resolution, actor.id, now).await? {
        // Resolved meanwhile: say by whom and how, as it is now.
        let issue = rows::issue(&mut tx, id).await?.unwrap_or(issue);
        let dir = store::directory::load(&mut tx).await?;
        let by = issue
            .resolved_by
            .and_then(|b| dir.by_id(b))
            .map(|e| e.name.clone())
            .unwrap_or_default();
        return Err(Msg::new("issue.already_resolved")
            .arg("id", id)
            .arg("by", by)
            .arg("resolution", issue.resolution.unwrap_or_default())
            .into());
    }
    let payload = json!({
        "event": "resolved", "ref": r.to_string(), "id": id, "kind": issue.kind,
        "text": issue.body, "by": actor.name, "resolution": resolution,
    });
    let to = [issue.author_id, order.owner_id];
    tell(&mut tx, &to, actor.id, &r.to_string(), &payload, now).await?;
    let e = audit_event(
        desk.now(),
        &actor.handle,
        None,
        "order.issue_resolved",
        &r.to_string(),
        format!("#{id}: {resolution}"),
    );
    audit::append(&mut tx, &desk.keys.audit, e).await?;
    let issue = rows::issue(&mut tx, id).await?.unwrap_or(issue);
    tx.commit().await?;
    Ok((issue, r))
}

/// An order's issues, oldest first.
pub async fn of_order(desk: &Desk, order_id: i64) -> DeskResult<Vec<Issue>> {
    let mut conn = desk.store.pool().acquire().await?;
    Ok(rows::issues_of(&mut conn, order_id).await?)
}
