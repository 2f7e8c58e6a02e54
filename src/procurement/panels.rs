//! Procurement's dashboard panels: spend ordered by month (purchase orders sent, as in
//! `/report procurement`) and supplier payables due and overdue now. Amounts are in the
//! company's currency.

use super::report::{domain, store};
use crate::service::panels::{major, Calendar, Chart, Filter, Label, Panel, PanelData, Series};
use crate::service::{Desk, DeskResult};

/// Procurement's panels.
pub fn panels() -> Vec<Panel> {
    vec![
        Panel {
            id: "procurement-spend",
            area: "procurement",
            title_key: "web_dash.panel.procurement_spend",
            run: |d, f| Box::pin(spend(d, f)),
        },
        Panel {
            id: "procurement-payables",
            area: "procurement",
            title_key: "web_dash.panel.procurement_payables",
            run: |d, f| Box::pin(payables(d, f)),
        },
    ]
}

/// Purchase orders sent in the period by month: value and how many (the department is the
/// requisition's).
async fn spend(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let tz = desk.company.time_zone;
    let (from, to) = f.span_ms(tz);
    let mut conn = desk.store.pool().acquire().await?;
    let orders = store::sent_orders(&mut conn, from, to).await?;
    let months = Calendar::months(f, tz);
    let (mut value, mut count) = (vec![0i64; months.len()], vec![0.0; months.len()]);
    for o in orders.iter().filter(|o| {
        o.currency == desk.company.currency
            && f.department.as_ref().is_none_or(|d| *d == o.department)
    }) {
        if let Some(i) = months.index_of(o.sent_at) {
            value[i] += o.total_minor;
            count[i] += 1.0;
        }
    }
    let series = vec![Series {
        name: Label::Key("web_dash.col.spend"),
        values: value.into_iter().map(major).collect(),
    }];
    let mut data = PanelData::of(
        Chart::Bars {
            categories: months.labels(),
            series,
        },
        Label::Key("web_dash.col.month"),
    );
    data.add_column(Label::Key("web_dash.col.orders"), count);
    Ok(data)
}

/// Supplier payments approved and unpaid now: overdue and due (whatever the period; the
/// department is the purchase order's).
async fn payables(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let mut conn = desk.store.pool().acquire().await?;
    let mut rows = store::payables(&mut conn).await?;
    if let Some(dept) = &f.department {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT y.id FROM supplier_payments y JOIN purchase_orders p ON p.id = y.po_id \
             WHERE y.status = 'approved' AND p.department_code = $1",
        )
        .bind(dept)
        .fetch_all(&mut *conn)
        .await?;
        rows.retain(|r| ids.iter().any(|(id,)| *id == r.payment_id));
    }
    rows.retain(|r| r.currency == desk.company.currency);
    let (overdue, overdue_sum, due, due_sum) = domain::payables(&rows, desk.today());
    let sum = |s: &domain::Sums| major(s.get(&desk.company.currency).copied().unwrap_or(0));
    let categories = vec![
        Label::Key("web_dash.col.overdue"),
        Label::Key("web_dash.col.due"),
    ];
    let series = vec![Series {
        name: Label::Key("web_dash.col.amount"),
        values: vec![sum(&overdue_sum), sum(&due_sum)],
    }];
    let mut data = PanelData::of(
        Chart::Bars { categories, series },
        Label::Key("web_dash.col.status"),
    );
    data.add_column(
        Label::Key("web_dash.col.payments"),
        vec![overdue.len() as f64, due.len() as f64],
    );
    Ok(data)
}
