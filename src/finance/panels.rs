//! Finance's dashboard panels: budget execution per department (allocated, used, spent) for
//! the year the filter's period ends in. Amounts are in the company's currency.

use super::ledger;
use super::report::domain;
use crate::service::panels::{major, Chart, Filter, Label, Panel, PanelData, Series};
use crate::service::{Desk, DeskResult};
use chrono::Datelike;
use std::collections::BTreeMap;

/// Finance's panels, in the order the dashboard shows them.
pub fn panels() -> Vec<Panel> {
    vec![Panel {
        id: "finance-budget",
        area: "finance",
        title_key: "web_dash.panel.finance_budget",
        run: |d, f| Box::pin(budget(d, f)),
    }]
}

/// Allocated, used (requested + committed + spent) and spent per department for the year of
/// the period's last day, with what is used in percent of what is allocated.
async fn budget(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let mut conn = desk.store.pool().acquire().await?;
    let dept = f.department.as_deref();
    let rows = ledger::figures(&mut conn, f.to.year(), dept, None).await?;
    let dir = crate::store::directory::load(&mut conn).await?;
    drop(conn);
    let mut by_dept: BTreeMap<String, Vec<ledger::Figures>> = BTreeMap::new();
    for (d, _, fig) in rows {
        by_dept.entry(d).or_default().push(fig);
    }
    let sums: Vec<(String, ledger::Figures)> = by_dept
        .into_iter()
        .map(|(d, list)| (d, domain::sum(&list)))
        .collect();
    let categories = sums
        .iter()
        .map(|(code, _)| match dir.department(code) {
            Some(d) => Label::Both {
                en: d.name.clone(),
                zh: d.name_zh.clone(),
            },
            None => Label::Text(code.clone()),
        })
        .collect();
    let series = |key: &'static str, value: fn(&ledger::Figures) -> i64| Series {
        name: Label::Key(key),
        values: sums.iter().map(|(_, f)| major(value(f))).collect(),
    };
    let mut data = PanelData::of(
        Chart::Bars {
            categories,
            series: vec![
                series("web_dash.col.allocated", |f| f.allocated),
                series("web_dash.col.used", |f| f.used()),
                series("web_dash.col.spent", |f| f.spent),
            ],
        },
        Label::Key("web_dash.col.department"),
    );
    data.add_column(
        Label::Key("web_dash.col.percent_used"),
        sums.iter()
            .map(|(_, f)| f.percent_used().map_or(f64::NAN, |p| p as f64))
            .collect(),
    );
    Ok(data)
}
