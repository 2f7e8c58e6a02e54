//! The approval engine's dashboard panels: what waits (by stage and age), how long decisions
//! take (median and p90 by ISO week), and the reminders and escalations the SLA jobs made
//! (counted from the audit trail, where `sla.rs` records each).

use crate::service::panels::{
    hours, percentile, Calendar, Chart, Filter, Label, Panel, PanelData, Series,
};
use crate::service::{Desk, DeskResult};
use crate::store;
use std::collections::BTreeMap;

/// The approval panels.
pub fn panels() -> Vec<Panel> {
    vec![
        Panel {
            id: "approvals-pending",
            area: "approvals",
            title_key: "web_dash.panel.approvals_pending",
            run: |d, f| Box::pin(pending(d, f)),
        },
        Panel {
            id: "approvals-cycle",
            area: "approvals",
            title_key: "web_dash.panel.approvals_cycle",
            run: |d, f| Box::pin(cycle(d, f)),
        },
        Panel {
            id: "approvals-nudges",
            area: "approvals",
            title_key: "web_dash.panel.approvals_nudges",
            run: |d, f| Box::pin(nudges(d, f)),
        },
    ]
}

/// Age buckets of a waiting stage: upper bounds in hours, the last open.
const AGES: [(&str, i64); 4] = [
    ("web_dash.col.age_1d", 24),
    ("web_dash.col.age_3d", 72),
    ("web_dash.col.age_7d", 168),
    ("web_dash.col.age_more", i64::MAX),
];

/// Rounds pending now (whatever the period), by their current stage and how long it waits.
async fn pending(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT s.name, s.name_zh, COALESCE(s.started_at, a.created_at) \
         FROM approvals a JOIN approval_stages s ON s.approval_id = a.id AND s.idx = a.current_stage \
         JOIN employees e ON e.id = a.requester_id \
         WHERE a.status = 'pending' AND ($1 = '' OR e.department_code = $1)",
    )
    .bind(f.dept())
    .fetch_all(desk.store.pool())
    .await?;
    let now = store::to_ms(desk.now());
    let mut by_stage: BTreeMap<(String, String), [f64; 4]> = BTreeMap::new();
    for (name, zh, since) in rows {
        let age_h = (now - since).max(0) / 3_600_000;
        let i = AGES.iter().position(|(_, max)| age_h < *max).unwrap_or(3);
        by_stage.entry((name, zh)).or_default()[i] += 1.0;
    }
    let categories = by_stage
        .keys()
        .map(|(en, zh)| Label::Both {
            en: en.clone(),
            zh: if zh.is_empty() {
                en.clone()
            } else {
                zh.clone()
            },
        })
        .collect();
    let series = AGES
        .iter()
        .enumerate()
        .map(|(i, (key, _))| Series {
            name: Label::Key(key),
            values: by_stage.values().map(|v| v[i]).collect(),
        })
        .collect();
    Ok(PanelData::of(
        Chart::Bars { categories, series },
        Label::Key("web_dash.col.stage"),
    ))
}

/// Decided rounds by the ISO week they closed in: how many, and the median and p90 hours from
/// submission to decision.
async fn cycle(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let tz = desk.company.time_zone;
    let (from, to) = f.span_ms(tz);
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT a.closed_at, a.closed_at - a.created_at FROM approvals a \
         JOIN employees e ON e.id = a.requester_id \
         WHERE a.closed_at >= $1 AND a.closed_at < $2 \
         AND a.status IN ('approved', 'rejected', 'changes_requested') \
         AND ($3 = '' OR e.department_code = $3)",
    )
    .bind(from)
    .bind(to)
    .bind(f.dept())
    .fetch_all(desk.store.pool())
    .await?;
    let weeks = Calendar::weeks(f, tz);
    let mut took: Vec<Vec<i64>> = vec![Vec::new(); weeks.len()];
    for (closed, ms) in rows {
        if let Some(i) = weeks.index_of(closed) {
            took[i].push(ms);
        }
    }
    let count = took.iter().map(|t| t.len() as f64).collect();
    let median = took.iter_mut().map(|t| hours(percentile(t, 50))).collect();
    let p90 = took.iter_mut().map(|t| hours(percentile(t, 90))).collect();
    let series = vec![
        Series {
            name: Label::Key("web_dash.col.median_h"),
            values: median,
        },
        Series {
            name: Label::Key("web_dash.col.p90_h"),
            values: p90,
        },
    ];
    let mut data = PanelData::of(
        Chart::Lines {
            categories: weeks.labels(),
            series,
        },
        Label::Key("web_dash.col.week"),
    );
    data.add_column(Label::Key("web_dash.col.decided"), count);
    Ok(data)
}

/// Reminders and escalations by the ISO week they were made.
async fn nudges(desk: &Desk, f: &Filter) -> DeskResult<PanelData> {
    let tz = desk.company.time_zone;
    let (from, to) = f.span_ms(tz);
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT v.action, v.at FROM audit_events v \
         WHERE v.action IN ('approval.remind', 'approval.escalate') AND v.at >= $1 AND v.at < $2 \
         AND ($3 = '' OR v.subject IN (SELECT a.subject_ref FROM approvals a \
              JOIN employees e ON e.id = a.requester_id WHERE e.department_code = $3))",
    )
    .bind(from)
    .bind(to)
    .bind(f.dept())
    .fetch_all(desk.store.pool())
    .await?;
    let weeks = Calendar::weeks(f, tz);
    let (mut reminded, mut escalated) = (vec![0.0; weeks.len()], vec![0.0; weeks.len()]);
    for (action, at) in rows {
        if let Some(i) = weeks.index_of(at) {
            if action == "approval.remind" {
                reminded[i] += 1.0;
            } else {
                escalated[i] += 1.0;
            }
        }
    }
    let series = vec![
        Series {
            name: Label::Key("web_dash.col.reminders"),
            values: reminded,
        },
        Series {
            name: Label::Key("web_dash.col.escalations"),
            values: escalated,
        },
    ];
    Ok(PanelData::of(
        Chart::Bars {
            categories: weeks.labels(),
            series,
        },
        Label::Key("web_dash.col.week"),
    ))
}
