//! `/dash`: the live dashboards. Every panel the areas register ([`crate::registry::panels`])
//! is drawn as a server-rendered SVG chart with its table and a CSV download; the page polls
//! `/dash/version` (desk.js) and reloads when the numbers change. Who sees what is
//! [`crate::access::dashboards`]; a department head's filter is forced to their department.

mod filter;
pub mod svg;

use super::page::{self, label};
use super::session::Viewer;
use super::Web;
use crate::access::dashboards::{self, Scope};
use crate::domain::Locale;
use crate::service::panels::{Cell, Chart, Filter, Label, Panel, PanelData};
use crate::service::{DeskError, DeskResult};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use filter::{Chosen, Raw};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// This part's routes.
pub(super) fn routes() -> Router<Web> {
    Router::new()
        .route("/dash", get(show))
        .route("/dash/version", get(version))
        .route("/dash/{file}", get(csv_file))
}

/// Panels computed recently, per filter, with what could change them: the audit trail's
/// head (every change writes an event) and a 15-second slice of the clock (ages and "today"
/// move on their own). When only the clock moved, the last figures are served while they are
/// computed again in the background; after a change, the first request computes them (one
/// computation at a time, so a burst of requests does not compute the same thing each).
/// Shared by the page, the CSV and the live-update poll.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<Filter, Entry>>,
    computing: tokio::sync::Mutex<()>,
}

/// One filter's figures and when they were computed.
struct Entry {
    seq: i64,
    slice: i64,
    data: Arc<Computed>,
    refreshing: bool,
}

/// Every panel's data for one filter, and their short hash.
struct Computed {
    panels: Vec<(Panel, PanelData)>,
    version: String,
}

/// How many filters the cache keeps before it starts afresh.
const CACHE_ENTRIES: usize = 64;

/// What the cache has for `f` at (`seq`, `slice`).
enum Cached {
    Fresh(Arc<Computed>),
    /// Only the clock moved: these figures, and whether the caller should refresh them.
    Stale(Arc<Computed>, bool),
    Missing,
}

impl Cache {
    fn get(&self, f: &Filter, seq: i64, slice: i64) -> Cached {
        let Ok(mut m) = self.entries.lock() else {
            return Cached::Missing;
        };
        match m.get_mut(f) {
            Some(e) if e.seq == seq && e.slice >= slice => Cached::Fresh(e.data.clone()),
            Some(e) if e.seq == seq => {
                let refresh = !e.refreshing;
                e.refreshing = true;
                Cached::Stale(e.data.clone(), refresh)
            }
            _ => Cached::Missing,
        }
    }

    fn put(&self, f: &Filter, seq: i64, slice: i64, data: Arc<Computed>) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= CACHE_ENTRIES && !m.contains_key(f) {
                m.clear();
            }
            let e = Entry {
                seq,
                slice,
                data,
                refreshing: false,
            };
            m.insert(f.clone(), e);
        }
    }

    fn refreshed(&self, f: &Filter) {
        if let Ok(mut m) = self.entries.lock() {
            if let Some(e) = m.get_mut(f) {
                e.refreshing = false;
            }
        }
    }
}

/// The panels' data for `f`, from the cache when nothing changed.
async fn computed(web: &Web, f: &Filter) -> DeskResult<Arc<Computed>> {
    let desk = &web.chat.desk;
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(desk.store.pool())
        .await?;
    let slice = crate::store::to_ms(desk.now()) / 15_000;
    match web.dash.get(f, seq, slice) {
        Cached::Fresh(d) => return Ok(d),
        Cached::Stale(d, refresh) => {
            if refresh {
                let (web, f) = (web.clone(), f.clone());
                tokio::spawn(async move {
                    match compute(&web, &f).await {
                        Ok(d) => web.dash.put(&f, seq, slice, d),
                        Err(e) => {
                            tracing::error!(error = %format!("{e:#}"), "dashboard refresh failed");
                            web.dash.refreshed(&f);
                        }
                    }
                });
            }
            return Ok(d);
        }
        Cached::Missing => {}
    }
    let _one_at_a_time = web.dash.computing.lock().await;
    if let Cached::Fresh(d) = web.dash.get(f, seq, slice) {
        return Ok(d);
    }
    let d = compute(web, f).await?;
    web.dash.put(f, seq, slice, d.clone());
    Ok(d)
}

/// Runs every registered panel for `f` and hashes the results.
async fn compute(web: &Web, f: &Filter) -> DeskResult<Arc<Computed>> {
    let desk = &web.chat.desk;
    let list = crate::registry::panels();
    let runs = list.iter().map(|p| (p.run)(desk, f));
    let data = futures::future::try_join_all(runs).await?;
    let mut hash = Sha256::new();
    for d in &data {
        hash.update(format!("{d:?}").as_bytes());
    }
    Ok(Arc::new(Computed {
        version: hex::encode(&hash.finalize()[..8]),
        panels: list.into_iter().zip(data).collect(),
    }))
}

/// The refusal for someone the dashboards are not for.
fn forbidden(web: &Web, viewer: &Viewer) -> Response {
    page::problem(
        web,
        Some(viewer),
        viewer.locale,
        StatusCode::FORBIDDEN,
        "web_dash.problem.forbidden",
    )
}

/// The filters of a request, checked; the response to send instead when they are refused.
async fn chosen(web: &Web, viewer: &Viewer, raw: &Raw) -> Result<(Scope, Chosen), Response> {
    let Some(scope) = dashboards::scope(&viewer.employee) else {
        return Err(forbidden(web, viewer));
    };
    let desk = &web.chat.desk;
    let departments = filter::departments(desk)
        .await
        .map_err(|e| page::internal(web, &e))?;
    let areas = areas();
    match filter::check(raw, &scope, desk.today(), &departments, &areas) {
        Ok(c) => Ok((scope, c)),
        Err(msgs) => Err(page::failure(
            web,
            Some(viewer),
            viewer.locale,
            DeskError::User(msgs),
        )),
    }
}

/// The registered areas, in the order of their first panel.
fn areas() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in crate::registry::panels() {
        if !out.contains(&p.area) {
            out.push(p.area);
        }
    }
    out
}

/// A label in the reader's language.
fn text(web: &Web, locale: Locale, l: &Label) -> String {
    match l {
        Label::Key(k) => label(web, locale, k),
        Label::Text(t) => t.clone(),
        Label::Both { en, zh } => match locale {
            Locale::ZhCn => zh.clone(),
            Locale::En => en.clone(),
        },
    }
}

/// A table's header and rows as text.
fn table_text(web: &Web, locale: Locale, d: &PanelData) -> (Vec<String>, Vec<Vec<String>>) {
    let columns = d
        .table
        .columns
        .iter()
        .map(|c| text(web, locale, c))
        .collect();
    let rows = d
        .table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Label(l) => text(web, locale, l),
                    Cell::Num(x) => svg::number(*x),
                    Cell::Empty => String::new(),
                })
                .collect()
        })
        .collect();
    (columns, rows)
}

/// `GET /dash`: the dashboards for the chosen period, department and area.
async fn show(State(web): State<Web>, viewer: Viewer, Query(raw): Query<Raw>) -> Response {
    let (scope, c) = match chosen(&web, &viewer, &raw).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let locale = viewer.locale;
    let computed = match computed(&web, &c.filter).await {
        Ok(x) => x,
        Err(e) => return page::failure(&web, Some(&viewer), locale, e),
    };
    let query = c.query();
    let no_data = label(&web, locale, "web_dash.no_data");
    let panels: Vec<Value> = computed
        .panels
        .iter()
        .filter(|(p, _)| c.area.as_deref().is_none_or(|a| a == p.area))
        .map(|(p, d)| {
            let title = label(&web, locale, p.title_key);
            let (categories, series) = d.chart.parts();
            let categories: Vec<String> =
                categories.iter().map(|l| text(&web, locale, l)).collect();
            let series: Vec<(String, Vec<f64>)> = series
                .iter()
                .map(|s| (text(&web, locale, &s.name), s.values.clone()))
                .collect();
            let chart = svg::render(&svg::View {
                lines: matches!(d.chart, Chart::Lines { .. }),
                categories: &categories,
                series: &series,
                title: &title,
                no_data: &no_data,
            });
            let (columns, rows) = table_text(&web, locale, d);
            json!({
                "id": p.id, "area": p.area, "title": title, "svg": chart,
                "columns": columns, "rows": rows,
                "csv": format!("/dash/{}.csv?{query}", p.id),
            })
        })
        .collect();
    let departments = filter::departments(&web.chat.desk)
        .await
        .unwrap_or_default();
    let depts: Vec<Value> = departments
        .iter()
        .filter(|d| match &scope {
            Scope::All => true,
            Scope::Department(own) => *own == d.code,
        })
        .map(|d| {
            json!({
                "code": d.code,
                "name": if locale == Locale::ZhCn && !d.name_zh.is_empty() { &d.name_zh } else { &d.name },
                "selected": c.filter.department.as_deref() == Some(d.code.as_str()),
            })
        })
        .collect();
    let areas: Vec<Value> = areas()
        .into_iter()
        .map(|a| {
            json!({
                "code": a,
                "name": label(&web, locale, &format!("web_dash.areas.{a}")),
                "selected": c.area.as_deref() == Some(a),
            })
        })
        .collect();
    page::render(
        &web,
        Some(&viewer),
        locale,
        "web/dash.html",
        json!({
            "from": c.filter.from.to_string(), "to": c.filter.to.to_string(),
            "departments": depts, "all_departments": matches!(scope, Scope::All),
            "areas": areas, "forced": c.forced, "panels": panels,
            "live": format!("/dash/version?{query}"), "version": computed.version,
        }),
    )
}

/// `GET /dash/version`: a short hash of the panels' data for the filters; it changes when
/// the numbers do.
async fn version(State(web): State<Web>, viewer: Viewer, Query(raw): Query<Raw>) -> Response {
    let c = match chosen(&web, &viewer, &raw).await {
        Ok((_, c)) => c,
        Err(r) => return r,
    };
    match computed(&web, &c.filter).await {
        Ok(x) => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            x.version.clone(),
        )
            .into_response(),
        Err(e) => page::failure(&web, Some(&viewer), viewer.locale, e),
    }
}

/// `GET /dash/{id}.csv`: one panel's table as CSV.
async fn csv_file(
    State(web): State<Web>,
    viewer: Viewer,
    Path(file): Path<String>,
    Query(raw): Query<Raw>,
) -> Response {
    let c = match chosen(&web, &viewer, &raw).await {
        Ok((_, c)) => c,
        Err(r) => return r,
    };
    let locale = viewer.locale;
    let panel = file
        .strip_suffix(".csv")
        .and_then(|id| crate::registry::panels().into_iter().find(|p| p.id == id));
    let Some(panel) = panel else {
        return page::problem(
            &web,
            Some(&viewer),
            locale,
            StatusCode::NOT_FOUND,
            "web.problem.not_found",
        );
    };
    let computed = match computed(&web, &c.filter).await {
        Ok(x) => x,
        Err(e) => return page::failure(&web, Some(&viewer), locale, e),
    };
    let Some((_, data)) = computed.panels.iter().find(|(p, _)| p.id == panel.id) else {
        return page::internal(
            &web,
            &DeskError::Internal(anyhow::anyhow!("panel not computed")),
        );
    };
    let (columns, rows) = table_text(&web, locale, data);
    let body = match csv_text(&columns, &rows) {
        Ok(b) => b,
        Err(e) => return page::internal(&web, &DeskError::Internal(e)),
    };
    let name = format!(
        "attachment; filename=\"{}-{}-{}.csv\"",
        panel.id, c.filter.from, c.filter.to
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        // A byte-order mark: Excel opens UTF-8 (Chinese headers) right only with it.
        format!("\u{feff}{body}"),
    )
        .into_response()
}

/// The table as CSV; a cell that a spreadsheet would read as a formula is prefixed with `'`.
pub fn csv_text(columns: &[String], rows: &[Vec<String>]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().map(|c| defuse(c)))?;
    for r in rows {
        w.write_record(r.iter().map(|c| defuse(c)))?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// `'=cmd`: a text cell starting like a formula, made inert. Numbers (`-3`) stay numbers.
fn defuse(cell: &str) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_defuses_formulas_but_keeps_negative_numbers() {
        let cols = vec!["=SUM(A1)".to_string(), "n".to_string()];
        let rows = vec![vec!["@cmd".to_string(), "-3.5".to_string()]];
        let out = csv_text(&cols, &rows).unwrap();
        assert_eq!(out, "'=SUM(A1),n\n'@cmd,-3.5\n");
    }
}
