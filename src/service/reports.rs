//! Reports for the central office and department heads.

use crate::approval::domain::ApprovalStatus;
use crate::domain::directory::Employee;
use crate::domain::money::{Currency, Money};
use crate::domain::Msg;
use crate::sales::opportunities::domain::conversion_percent;
use crate::service::digests::percentile;
use crate::service::{Desk, DeskResult};
use crate::service_desk::inquiries::domain::{Kind, Status};
use crate::store::{self, reports};
use chrono::Duration;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The days a report period covers: `week`, `month` (default), `quarter`, `year`.
pub fn period_days(period: Option<&str>) -> Result<i64, Msg> {
    match period.unwrap_or("month") {
        "week" => Ok(7),
        "month" => Ok(30),
        "quarter" => Ok(90),
        "year" => Ok(365),
        other => Err(Msg::new("report.bad_period").arg("value", other)),
    }
}

fn counts<'a>(items: impl Iterator<Item = &'a str>) -> Vec<Value> {
    let mut m: BTreeMap<&str, i64> = BTreeMap::new();
    for i in items {
        *m.entry(i).or_default() += 1;
    }
    let mut v: Vec<(&str, i64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter()
        .map(|(k, n)| json!({ "name": k, "count": n }))
        .collect()
}

fn minutes(mut v: Vec<i64>) -> Value {
    v.sort_unstable();
    json!({ "count": v.len(), "median": percentile(&v, 50), "p90": percentile(&v, 90) })
}

/// Scores given: how many, the average (tenths), and how many of each 1–5.
fn satisfaction(rows: &[reports::InquiryFacts]) -> Value {
    let scores: Vec<i64> = rows.iter().filter_map(|r| r.satisfaction).collect();
    let average = (!scores.is_empty()).then(|| {
        format!(
            "{:.1}",
            scores.iter().sum::<i64>() as f64 / scores.len() as f64
        )
    });
    let each: Vec<usize> = (1..=5)
        .map(|n| scores.iter().filter(|s| **s == n).count())
        .collect();
    json!({ "count": scores.len(), "average": average, "each": each })
}

/// `/report service`: inquiries logged in the last `days` days — by category and department
/// (open and resolved), service-level compliance, first-response and resolution times
/// (median, p90, in minutes), and the top complaint categories.
pub async fn service(desk: &Desk, actor: &Employee, days: i64) -> DeskResult<Value> {
    crate::access::require(actor, "report.service")?;
    // Up to and including now.
    let to = store::to_ms(desk.now()) + 1;
    let from = to - Duration::days(days).num_milliseconds();
    let mut conn = desk.store.pool().acquire().await?;
    let rows = reports::inquiries(&mut conn, from, to).await?;
    let dir = store::directory::load(&mut conn).await?;
    let dept = |code: &str| {
        dir.department(code)
            .map(|d| (d.name.clone(), d.name_zh.clone()))
            .unwrap_or((code.to_string(), code.to_string()))
    };
    let resolved = rows.iter().filter(|r| r.status == Status::Resolved).count();
    let uncategorized = "-";
    let by_category = counts(
        rows.iter()
            .map(|r| r.category.as_deref().unwrap_or(uncategorized)),
    );
    let mut by_department: Vec<Value> = counts(rows.iter().map(|r| r.department_code.as_str()));
    for d in &mut by_department {
        let code = d["name"].as_str().unwrap_or_default().to_string();
        let open = rows
            .iter()
            .filter(|r| r.department_code == code && r.status != Status::Resolved)
            .count();
        let (en, zh) = dept(&code);
        d["open"] = json!(open);
        d["name"] = json!(en);
        d["name_zh"] = json!(zh);
    }
    let complaints = counts(
        rows.iter()
            .filter(|r| r.kind == Kind::Complaint)
            .map(|r| r.category.as_deref().unwrap_or(uncategorized)),
    );
    let met = rows.iter().filter(|r| r.breaches == 0).count();
    let first: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.first_response_at.map(|f| (f - r.created_at) / 60_000))
        .collect();
    let resolution: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.resolved_at.map(|f| (f - r.created_at) / 60_000))
        .collect();
    Ok(json!({
        "days": days, "from_ms": from, "to_ms": to,
        "total": rows.len(), "resolved": resolved, "open": rows.len() - resolved,
        "by_kind": counts(rows.iter().map(|r| r.kind.as_str())),
        "by_category": by_category, "by_department": by_department,
        "sla_met": met, "sla_percent": if rows.is_empty() { None } else { Some(met * 100 / rows.len()) },
        "first_response": minutes(first), "resolution": minutes(resolution),
        "top_complaints": complaints.into_iter().take(5).collect::<Vec<_>>(),
        "satisfaction": satisfaction(&rows),
    }))
}

/// Sums per currency, formatted: `¥36,000.00` (or several, joined, when currencies mix).
fn sums(m: &BTreeMap<Currency, i64>) -> String {
    m.iter()
        .map(|(cur, minor)| Money::new(*minor, *cur).to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `/report sales`: orders taken in the last `days` days by their current stage; value booked
/// and payments collected by month (company time zone); overdue receivables now; and how many
/// opportunities recorded in the period were approved and became orders.
pub async fn sales(desk: &Desk, actor: &Employee, days: i64) -> DeskResult<Value> {
    crate::access::require(actor, "report.sales")?;
    let to = store::to_ms(desk.now()) + 1;
    let from = to - Duration::days(days).num_milliseconds();
    let tz = desk.company.time_zone;
    let day_of = |ms: i64| store::from_ms(ms).with_timezone(&tz).date_naive();
    let mut conn = desk.store.pool().acquire().await?;
    let orders = reports::orders(&mut conn, from, to).await?;
    let by_stage: Vec<Value> = desk
        .company
        .order_stages
        .iter()
        .map(|s| {
            let here: Vec<&reports::OrderFacts> =
                orders.iter().filter(|o| o.stage == s.code).collect();
            let mut value: BTreeMap<Currency, i64> = BTreeMap::new();
            for o in &here {
                *value.entry(o.amount.currency).or_default() += o.amount.minor;
            }
            json!({ "code": s.code, "name": s.name, "name_zh": s.name_zh, "count": here.len(), "value": sums(&value) })
        })
        .filter(|v| v["count"] != 0)
        .collect();
    // month → (booked, collected), per currency.
    type Month = (BTreeMap<Currency, i64>, BTreeMap<Currency, i64>);
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    for o in &orders {
        let m = day_of(o.created_at).format("%Y-%m").to_string();
        *months
            .entry(m)
            .or_default()
            .0
            .entry(o.amount.currency)
            .or_default() += o.amount.minor;
    }
    let (first_day, last_day) = (day_of(from), day_of(to - 1));
    let paid = reports::payments(&mut conn, first_day, last_day).await?;
    for (amount, on) in &paid {
        let m = on.format("%Y-%m").to_string();
        *months
            .entry(m)
            .or_default()
            .1
            .entry(amount.currency)
            .or_default() += amount.minor;
    }
    let revenue: Vec<Value> = months
        .iter()
        .map(|(m, (booked, collected))| {
            json!({ "month": m, "booked": sums(booked), "collected": sums(collected) })
        })
        .collect();
    let overdue = reports::overdue_payments(&mut conn, &desk.today().to_string()).await?;
    let opps = reports::opportunities(&mut conn, from, to).await?;
    let approved = opps
        .iter()
        .filter(|(s, _)| *s == ApprovalStatus::Approved)
        .count() as i64;
    let converted = opps
        .iter()
        .filter(|(s, n)| *s == ApprovalStatus::Approved && *n > 0)
        .count() as i64;
    Ok(json!({
        "days": days, "from_ms": from, "to_ms": to, "orders": orders.len(), "by_stage": by_stage,
        "revenue": revenue, "overdue": overdue,
        "opportunities": { "total": opps.len(), "approved": approved, "converted": converted,
            "percent": conversion_percent(approved, converted) },
    }))
}
