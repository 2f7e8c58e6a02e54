//! The service desk's dashboard panels, by the month inquiries were logged: service-level
//! compliance, first-response and resolution times, satisfaction, and complaints by category.
//! The same facts as `/report service` (`store::reports::inquiries`).

use crate::service::panels::{
    hours, percentile, Calendar, Chart, Filter, Label, Panel, PanelData, Series,
};
use crate::service::{Desk, DeskResult};
use crate::service_desk::inquiries::domain::Kind;
use crate::store::reports::{self, InquiryFacts};
use std::collections::BTreeMap;

/// The service desk's panels.
pub fn panels() -> Vec<Panel> {
    vec![
        Panel {
            id: "service-sla",
            area: "service",
            title_key: "web_dash.panel.service_sla",
            run: |d, f| Box::pin(sla(d, f)),
        },
        Panel {
            id: "service-times",
            area: "service",
            title_key: "web_dash.panel.service_times",
            run: |d, f| Box::pin(times(d, f)),
        },
        Panel {
            id: "service-satisfaction",
            area: "service",
            title_key: "web_dash.panel.service_satisfaction",
            run: |d, f| Box::pin(satisfaction(d, f)),
        },
        Panel {
            id: "service-complaints",
            area: "service",
            title_key: "web_dash.panel.service_complaints",
            run: |d, f| Box::pin(complaints(d, f)),
        },
    ]
}

/// The inquiries logged in the period (of the department, when filtered), by month.
async fn by_month(desk: &Desk, f: &Filter) -> DeskResult<(Calendar, Vec<Vec<InquiryFacts>>)> {
    let tz = desk.company.time_zone;
    let (from, to) = f.span_ms(tz);
    let mut conn = desk.store.pool().acquire().await?;
    let rows = reports::inquiries(&mut conn, from, to).await?;
    let months = Calendar::months(f, tz);
    let mut out = vec![Vec::new(); months.len()];
    for r in rows {
        if f.department
            .as_ref()
            .is_some_and(|d| *d != r.department_code)
        {
            continue;
        }
        if let Some(i) = months.index_of(r.created_at) {
            out[i].push(r);
        }
    }
    Ok((months, out))
}

/// Per month: the share (%) of inquiries without a service-level breach, and how many.
async fn sla(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let (months, rows) = by_month(desk, f).await?;
    let met = rows
        .iter()
        .map(|m| {
            if m.is_empty() {
                f64::NAN
            } else {
                let ok = m.iter().filter(|r| r.breaches == 0).count();
                (ok * 1000 / m.len()) as f64 / 10.0
            }
        })
        .collect();
    let count = rows.iter().map(|m| m.len() as f64).collect();
    let series = vec![Series {
        name: Label::Key("web_dash.col.sla_met"),
        values: met,
    }];
    let mut data = PanelData::of(
        Chart::Lines {
            categories: months.labels(),
            series,
        },
        Label::Key("web_dash.col.month"),
    );
    data.add_column(Label::Key("web_dash.col.inquiries"), count);
    Ok(data)
}

/// Per month: median hours to the first response and to resolution.
async fn times(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let (months, rows) = by_month(desk, f).await?;
    let median = |pick: fn(&InquiryFacts) -> Option<i64>| -> Vec<f64> {
        rows.iter()
            .map(|m| {
                let mut v: Vec<i64> = m.iter().filter_map(pick).collect();
                hours(percentile(&mut v, 50))
            })
            .collect()
    };
    let series = vec![
        Series {
            name: Label::Key("web_dash.col.first_response_h"),
            values: median(|r| r.first_response_at.map(|t| t - r.created_at)),
        },
        Series {
            name: Label::Key("web_dash.col.resolution_h"),
            values: median(|r| r.resolved_at.map(|t| t - r.created_at)),
        },
    ];
    Ok(PanelData::of(
        Chart::Lines {
            categories: months.labels(),
            series,
        },
        Label::Key("web_dash.col.month"),
    ))
}

/// Per month: the average satisfaction score (1–5) of the inquiries logged then, and how many
/// were scored.
async fn satisfaction(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let (months, rows) = by_month(desk, f).await?;
    let scores: Vec<Vec<i64>> = rows
        .iter()
        .map(|m| m.iter().filter_map(|r| r.satisfaction).collect())
        .collect();
    let avg = scores
        .iter()
        .map(|s| {
            if s.is_empty() {
                f64::NAN
            } else {
                (s.iter().sum::<i64>() as f64 * 100.0 / s.len() as f64).round() / 100.0
            }
        })
        .collect();
    let series = vec![Series {
        name: Label::Key("web_dash.col.average_score"),
        values: avg,
    }];
    let mut data = PanelData::of(
        Chart::Lines {
            categories: months.labels(),
            series,
        },
        Label::Key("web_dash.col.month"),
    );
    data.add_column(
        Label::Key("web_dash.col.scored"),
        scores.iter().map(|s| s.len() as f64).collect(),
    );
    Ok(data)
}

/// Complaints logged in the period by category, most first.
async fn complaints(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let (_, rows) = by_month(desk, f).await?;
    let mut counts: BTreeMap<Option<String>, f64> = BTreeMap::new();
    for r in rows.iter().flatten().filter(|r| r.kind == Kind::Complaint) {
        *counts.entry(r.category.clone()).or_default() += 1.0;
    }
    let mut counts: Vec<(Option<String>, f64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.total_cmp(&a.1));
    let categories = counts
        .iter()
        .map(|(c, _)| match c {
            // The category's names from routing.toml (the code when it has none).
            Some(c) => match desk.routing.categories.iter().find(|t| t.code == *c) {
                Some(t) => Label::Both {
                    en: t.name.clone(),
                    zh: t.name_zh.clone(),
                },
                None => Label::Text(c.clone()),
            },
            None => Label::Key("web_dash.col.uncategorized"),
        })
        .collect();
    let series = vec![Series {
        name: Label::Key("web_dash.col.complaints"),
        values: counts.iter().map(|(_, n)| *n).collect(),
    }];
    Ok(PanelData::of(
        Chart::Bars { categories, series },
        Label::Key("web_dash.col.category"),
    ))
}
