//! The sales dashboard panels: value booked and collected by month, the opportunity pipeline
//! by stage, and receivables overdue now by age. Amounts are in the company's currency (the
//! department is the order owner's).

use crate::sales::orders::domain::{overdue, Installment};
use crate::service::panels::{major, Calendar, Chart, Filter, Label, Panel, PanelData, Series};
use crate::service::{Desk, DeskResult};
use crate::store::decode;

/// The sales panels.
pub fn panels() -> Vec<Panel> {
    vec![
        Panel {
            id: "sales-revenue",
            area: "sales",
            title_key: "web_dash.panel.sales_revenue",
            run: |d, f| Box::pin(revenue(d, f)),
        },
        Panel {
            id: "sales-pipeline",
            area: "sales",
            title_key: "web_dash.panel.sales_pipeline",
            run: |d, f| Box::pin(pipeline(d, f)),
        },
        Panel {
            id: "sales-overdue",
            area: "sales",
            title_key: "web_dash.panel.sales_overdue",
            run: |d, f| Box::pin(receivables(d, f)),
        },
    ]
}

/// Orders booked (by the month they were taken) and payments collected (by the day paid).
async fn revenue(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let tz = desk.company.time_zone;
    let (from, to) = f.span_ms(tz);
    let currency = desk.company.currency.as_str().to_string();
    let booked: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT o.created_at, o.amount_minor FROM orders o JOIN employees e ON e.id = o.owner_id \
         WHERE o.created_at >= $1 AND o.created_at < $2 AND o.currency = $3 \
         AND ($4 = '' OR e.department_code = $4)",
    )
    .bind(from)
    .bind(to)
    .bind(&currency)
    .bind(f.dept())
    .fetch_all(desk.store.pool())
    .await?;
    let paid: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT p.id, p.paid_on, p.amount_minor FROM payments p JOIN orders o ON o.id = p.order_id \
         JOIN employees e ON e.id = o.owner_id \
         WHERE p.paid_on >= $1 AND p.paid_on <= $2 AND o.currency = $3 \
         AND ($4 = '' OR e.department_code = $4)",
    )
    .bind(f.from.to_string())
    .bind(f.to.to_string())
    .bind(&currency)
    .bind(f.dept())
    .fetch_all(desk.store.pool())
    .await?;
    let months = Calendar::months(f, tz);
    let (mut b, mut c) = (vec![0i64; months.len()], vec![0i64; months.len()]);
    for (at, minor) in booked {
        if let Some(i) = months.index_of(at) {
            b[i] += minor;
        }
    }
    for (id, on, minor) in paid {
        let day: chrono::NaiveDate = on
            .parse()
            .map_err(|_| sqlx::Error::from(decode::unknown("payments", id, "paid_on", &on)))?;
        if let Some(i) = months.index_of_day(day) {
            c[i] += minor;
        }
    }
    let series = vec![
        Series {
            name: Label::Key("web_dash.col.booked"),
            values: b.into_iter().map(major).collect(),
        },
        Series {
            name: Label::Key("web_dash.col.collected"),
            values: c.into_iter().map(major).collect(),
        },
    ];
    Ok(PanelData::of(
        Chart::Bars {
            categories: months.labels(),
            series,
        },
        Label::Key("web_dash.col.month"),
    ))
}

/// The pipeline's stages: an opportunity's assessment, then whether it became an order.
const STAGES: [(&str, &str); 5] = [
    ("pending", "web_dash.opp.pending"),
    ("changes_requested", "web_dash.opp.changes_requested"),
    ("approved", "web_dash.opp.approved"),
    ("ordered", "web_dash.opp.ordered"),
    ("rejected", "web_dash.opp.rejected"),
];

/// Opportunities recorded in the period by stage: how many and their value.
async fn pipeline(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let (from, to) = f.span_ms(desk.company.time_zone);
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT CASE WHEN p.status = 'approved' AND EXISTS \
           (SELECT 1 FROM orders o WHERE o.opportunity_id = p.id) THEN 'ordered' ELSE p.status END AS st, \
         COUNT(*), CAST(COALESCE(SUM(CASE WHEN p.currency = $4 THEN p.value_minor ELSE 0 END), 0) AS BIGINT) \
         FROM opportunities p JOIN employees e ON e.id = p.owner_id \
         WHERE p.created_at >= $1 AND p.created_at < $2 AND ($3 = '' OR e.department_code = $3) \
         GROUP BY st",
    )
    .bind(from)
    .bind(to)
    .bind(f.dept())
    .bind(desk.company.currency.as_str())
    .fetch_all(desk.store.pool())
    .await?;
    let find = |code: &str| rows.iter().find(|r| r.0 == code);
    let categories = STAGES.iter().map(|(_, key)| Label::Key(key)).collect();
    let count = STAGES
        .iter()
        .map(|(c, _)| find(c).map_or(0.0, |r| r.1 as f64))
        .collect();
    let value: Vec<f64> = STAGES
        .iter()
        .map(|(c, _)| find(c).map_or(0.0, |r| major(r.2)))
        .collect();
    let series = vec![Series {
        name: Label::Key("web_dash.col.count"),
        values: count,
    }];
    let mut data = PanelData::of(
        Chart::Bars { categories, series },
        Label::Key("web_dash.col.stage"),
    );
    data.add_column(Label::Key("web_dash.col.value"), value);
    Ok(data)
}

/// Age of the oldest unpaid installment: upper bounds in days, the last open.
const LATE: [(&str, i64); 4] = [
    ("web_dash.col.late_30", 30),
    ("web_dash.col.late_60", 60),
    ("web_dash.col.late_90", 90),
    ("web_dash.col.late_more", i64::MAX),
];

/// Receivables overdue today (whatever the period), by how late: orders and amount.
async fn receivables(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let today = desk.today();
    let rows: Vec<(i64, i64, i64, String, i64)> = sqlx::query_as(
        "SELECT o.id, o.paid_minor, t.id, t.due, t.amount_minor \
         FROM orders o JOIN payment_terms t ON t.order_id = o.id JOIN employees e ON e.id = o.owner_id \
         WHERE o.currency = $2 AND ($3 = '' OR e.department_code = $3) \
         AND o.id IN (SELECT order_id FROM payment_terms WHERE due < $1) ORDER BY o.id, t.due",
    )
    .bind(today.to_string())
    .bind(desk.company.currency.as_str())
    .bind(f.dept())
    .fetch_all(desk.store.pool())
    .await?;
    let (mut orders, mut amount) = ([0.0; 4], [0i64; 4]);
    for order in rows.chunk_by(|a, b| a.0 == b.0) {
        let terms = order
            .iter()
            .map(|r| {
                Ok(Installment {
                    due: r
                        .3
                        .parse()
                        .map_err(|_| decode::unknown("payment_terms", r.2, "due", &r.3))?,
                    amount_minor: r.4,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        if let Some((owed, since)) = overdue(&terms, order[0].1, today) {
            let days = (today - since).num_days();
            let i = LATE.iter().position(|(_, max)| days <= *max).unwrap_or(3);
            orders[i] += 1.0;
            amount[i] += owed;
        }
    }
    let categories = LATE.iter().map(|(key, _)| Label::Key(key)).collect();
    let series = vec![Series {
        name: Label::Key("web_dash.col.amount"),
        values: amount.into_iter().map(major).collect(),
    }];
    let mut data = PanelData::of(
        Chart::Bars { categories, series },
        Label::Key("web_dash.col.days_late"),
    );
    data.add_column(Label::Key("web_dash.col.orders"), orders.to_vec());
    Ok(data)
}
