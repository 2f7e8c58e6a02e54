//! Inspection reminders: `procurement.inspection_reminder_days` before a sent or confirmed
//! PO's delivery date, the central office, the requester's department head and the requester
//! are reminded to prepare the goods-receipt inspection, once per PO.

use super::domain::inspection_due;
use super::store as pos;
use crate::domain::audit::AuditEvent;
use crate::domain::directory::Role;
use crate::service::{notify, Desk, DeskResult};
use crate::store::{self, Conn};
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

/// The daily run at `at_ms` (its fire time).
pub async fn remind(desk: &Desk, conn: &mut Conn, at_ms: i64) -> DeskResult<Vec<AuditEvent>> {
    let today = Utc
        .timestamp_millis_opt(at_ms)
        .single()
        .unwrap_or_else(|| desk.now())
        .with_timezone(&desk.company.time_zone)
        .date_naive();
    let days = desk.company.procurement.inspection_reminder_days;
    let until = today + Duration::days(i64::from(days));
    let dir = store::directory::load(&mut *conn).await?;
    let now_ms = store::to_ms(desk.now());
    for po in pos::inspection_pending(&mut *conn, until).await? {
        if !inspection_due(po.status, po.delivery_on, today, days) {
            continue;
        }
        if !pos::mark_inspection_reminded(&mut *conn, po.id, now_ms).await? {
            continue;
        }
        let supplier = crate::procurement::suppliers::store::get(&mut *conn, po.supplier_id)
            .await?
            .map(|s| s.name)
            .unwrap_or_default();
        let mut to: Vec<i64> = dir
            .with_role(Role::Bcmo)
            .iter()
            .filter(|e| e.active)
            .map(|e| e.id)
            .collect();
        to.extend(dir.head_of(&po.department).map(|h| h.id));
        to.push(po.requester_id);
        to.sort_unstable();
        to.dedup();
        let r = super::service::reference(po.id).to_string();
        for id in to {
            let m = notify::message(
                id,
                notify::kind::PO_INSPECTION_DUE,
                Some(&r),
                json!({
                    "ref": r, "item": po.item, "quantity": po.quantity, "supplier": supplier,
                    "delivery": po.delivery_on.map(|d| d.to_string()), "place": po.place,
                }),
            );
            notify::send(&mut *conn, &m, now_ms).await?;
        }
    }
    Ok(vec![])
}
