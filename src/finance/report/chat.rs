//! `/report budget`: the handler and the view (no business rules here). Departments and
//! categories are named in the reader's language.

use super::domain::{self, category_name, department_name};
use super::service::{self, BudgetReport};
use crate::chat::actions::{Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::{Directory, Employee};
use crate::domain::money::{Currency, Money};
use crate::domain::term::Vocabulary;
use crate::domain::Locale;
use crate::finance::ledger::Figures;
use crate::service::DeskError;
use serde_json::{json, Value};

/// The `/report budget` action.
pub fn actions() -> Vec<Handler> {
    vec![Handler::new(service::ACTION, |c, a, i, l| {
        Box::pin(c.report_budget(a, i, l))
    })]
}

fn figures(f: &Figures, cur: Currency) -> Value {
    let m = |minor| Money::new(minor, cur).to_string();
    json!({
        "allocated": m(f.allocated), "requested": m(f.requested), "committed": m(f.committed),
        "spent": m(f.spent), "used": m(f.used()), "available": m(f.available()),
        "variance": m(f.variance()), "over": f.available() < 0,
        "variance_percent": domain::variance_basis_points(f).map(domain::signed_percent),
        "percent_used": f.percent_used(),
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    if let (Some(m), Value::Object(e)) = (v.as_object_mut(), extra) {
        m.extend(e);
    }
    v
}

/// The report as the reply template reads it.
pub fn view(r: &BudgetReport, dir: &Directory, terms: &Vocabulary, locale: Locale) -> Value {
    let cur = r.currency;
    let dept = |code: &str| department_name(dir, code, locale);
    let cat = |code: &str| category_name(terms, code, locale);
    let departments: Vec<Value> = r
        .table
        .departments
        .iter()
        .map(|d| {
            let lines: Vec<Value> = d
                .lines
                .iter()
                .map(|l| {
                    with(
                        figures(&l.figures, cur),
                        json!({ "category": cat(&l.category) }),
                    )
                })
                .collect();
            json!({
                "code": d.department, "name": dept(&d.department), "lines": lines,
                "subtotal": figures(&d.subtotal, cur),
            })
        })
        .collect();
    let overruns: Vec<Value> = r
        .table
        .overruns
        .iter()
        .map(|o| {
            json!({
                "department": dept(&o.department), "category": cat(&o.category),
                "allocated": Money::new(o.allocated, cur).to_string(),
                "used": Money::new(o.used, cur).to_string(),
                "over": Money::new(o.over, cur).to_string(),
            })
        })
        .collect();
    json!({
        "year": r.year, "department": r.department.as_deref().map(dept), "own_only": r.own_only,
        "departments": departments, "total": figures(&r.table.total, cur),
        "several": r.table.departments.len() > 1, "overruns": overruns,
    })
}

impl Chat {
    async fn report_budget(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let report =
            service::budget(&self.desk, actor, inv.int("year"), inv.str("department")).await?;
        let mut conn = self.desk.store.pool().acquire().await?;
        let dir = crate::store::directory::load(&mut conn).await?;
        drop(conn);
        let v = view(&report, &dir, &self.desk.company.terms, locale);
        self.render(locale, "reply/budget_report.txt", v)
    }
}
