//! The monthly finance summary (`schedules.toml` `finance_summary`) to each member of
//! management, in chat with an email copy: budget execution per department this year (the
//! year of the month just ended);
//! receivables (sales installments) and payables (approved supplier payments, approved expense
//! claims) overdue and due in the next [`HORIZON_DAYS`] days; cash in and out in each of the
//! last [`MONTHS`] whole months.

use super::domain::{self, DueSplit, Owed, Sums};
use super::store;
use crate::domain::audit::AuditEvent;
use crate::domain::delivery::Purpose;
use crate::domain::directory::Role;
use crate::domain::money::{Currency, Money};
use crate::finance::ledger::{self, Figures};
use crate::service::{notify, Desk, DeskResult};
use crate::store::outbox::{self, NewMessage, EMAIL};
use crate::store::{self as db, Conn};
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The notification kind (templates `notify/finance_summary.txt`, `email/*/finance_summary.*`).
pub const SUMMARY: &str = "finance_summary";
/// How far ahead "due" reaches.
pub const HORIZON_DAYS: i64 = 30;
/// How many whole months of cash the summary shows.
pub const MONTHS: u32 = 6;

fn split_view(s: &DueSplit, cur: Currency) -> Value {
    json!({
        "overdue": domain::sums_text(&s.overdue, cur), "overdue_count": s.overdue_count,
        "due": domain::sums_text(&s.due, cur), "due_count": s.due_count,
    })
}

fn percent(f: &Figures) -> Value {
    json!(f.percent_used())
}

/// The summary's facts on `today` (company date), as the templates read them.
pub async fn facts(desk: &Desk, conn: &mut Conn, today: NaiveDate) -> DeskResult<Value> {
    let cur = desk.company.currency;
    let money = |m: i64| Money::new(m, cur).to_string();
    let until = today + Duration::days(HORIZON_DAYS);

    // Budget execution per department, in the year of the day before (the summary on
    // 1 January closes the year just ended rather than showing a year with nothing used).
    let year = (today - Duration::days(1)).year();
    let rows = ledger::figures(&mut *conn, year, None, None).await?;
    let mut by_dept: BTreeMap<String, Vec<Figures>> = BTreeMap::new();
    for (d, _, f) in rows {
        by_dept.entry(d).or_default().push(f);
    }
    let dir = db::directory::load(&mut *conn).await?;
    let mut all = Vec::new();
    let departments: Vec<Value> = by_dept
        .iter()
        .map(|(code, list)| {
            let f = domain::sum(list);
            all.push(f);
            let (name, name_zh) = dir
                .department(code)
                .map_or((code.clone(), code.clone()), |d| {
                    (d.name.clone(), d.name_zh.clone())
                });
            json!({
                "code": code, "name": name, "name_zh": name_zh, "allocated": money(f.allocated),
                "used": money(f.used()), "spent": money(f.spent), "percent_used": percent(&f),
            })
        })
        .collect();
    let total = domain::sum(&all);

    // Receivables and payables.
    let receivables = domain::due_split(&store::receivables(&mut *conn).await?, today, until);
    let supplier: Vec<Owed> = crate::procurement::report::store::payables(&mut *conn)
        .await?
        .into_iter()
        .map(|p| Owed {
            due: p.due_on,
            currency: p.currency,
            minor: p.minor,
        })
        .collect();
    let payables = domain::due_split(&supplier, today, until);
    let claims = store::expenses_unpaid(&mut *conn).await?;
    let mut claims_sum = Sums::new();
    for c in &claims {
        *claims_sum.entry(c.currency).or_default() += c.minor;
    }

    // Cash in and out by month.
    let months = domain::last_months(today, MONTHS);
    let (from, to) = match (months.first(), today.with_day(1)) {
        (Some(f), Some(t)) => (*f, t - Duration::days(1)),
        _ => (today, today),
    };
    let cash_in: Vec<(NaiveDate, Currency, i64)> = store::collections(&mut *conn, from, to)
        .await?
        .into_iter()
        .map(|c| (c.paid_on, c.currency, c.minor))
        .collect();
    let mut cash_out: Vec<(NaiveDate, Currency, i64)> = store::supplier_paid(&mut *conn, from, to)
        .await?
        .into_iter()
        .map(|p| (p.paid_on, p.currency, p.paid_minor))
        .collect();
    cash_out.extend(
        store::expenses_paid(&mut *conn, from, to)
            .await?
            .into_iter()
            .map(|x| (x.paid_on, x.currency, x.paid_minor)),
    );
    let cash: Vec<Value> = domain::cash_by_month(&months, &cash_in, &cash_out)
        .iter()
        .map(|m| {
            json!({
                "month": m.month, "in": domain::sums_text(&m.cash_in, cur),
                "out": domain::sums_text(&m.cash_out, cur),
            })
        })
        .collect();

    Ok(json!({
        "today": today.to_string(), "year": year, "horizon_days": HORIZON_DAYS,
        "departments": departments,
        "budget_total": {
            "allocated": money(total.allocated), "used": money(total.used()),
            "spent": money(total.spent), "percent_used": percent(&total),
        },
        "receivables": split_view(&receivables, cur),
        "payables": split_view(&payables, cur),
        "claims": { "unpaid": domain::sums_text(&claims_sum, cur), "count": claims.len() },
        "cash": cash,
    }))
}

/// The job: the summary to each active member of management (chat, and an email copy for
/// those who take updates by email). Returns how many were sent.
pub async fn send(desk: &Desk, conn: &mut Conn, fire_at: i64) -> DeskResult<usize> {
    let today = db::from_ms(fire_at)
        .with_timezone(&desk.company.time_zone)
        .date_naive();
    let payload = facts(desk, &mut *conn, today).await?;
    let dir = db::directory::load(&mut *conn).await?;
    let now = db::to_ms(desk.now());
    let mut sent = 0;
    for e in dir.with_role(Role::Management) {
        let m = notify::message(e.id, SUMMARY, None, payload.clone());
        notify::send(&mut *conn, &m, now).await?;
        if let Some(address) = db::delivery::email_target(&mut *conn, e.id, Purpose::Update).await?
        {
            let email = NewMessage {
                channel: EMAIL,
                address: Some(address),
                ..m
            };
            outbox::enqueue(&mut *conn, &email, now).await?;
        }
        sent += 1;
    }
    Ok(sent)
}

/// [`send`] as a job handler (it audits nothing: it changes nothing).
pub async fn run(desk: &Desk, conn: &mut Conn, fire_at: i64) -> DeskResult<Vec<AuditEvent>> {
    send(desk, conn, fire_at).await.map(|_| Vec::new())
}
