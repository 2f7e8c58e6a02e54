//! Dashboard panels: what a business area shows on `/dash`, as plain data (labels and
//! numbers). Each area lists its panels in its own `panels.rs` and [`crate::registry::panels`]
//! gathers them, so an area adds a panel without editing the dashboard. The web layer draws
//! the chart, the table and the CSV from a [`PanelData`]; nothing here knows about HTML.

use crate::service::{Desk, DeskResult};
use crate::store;
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use futures::future::BoxFuture;

/// Computes a panel's data for a filter.
pub type Run = for<'a> fn(&'a Desk, &'a Filter) -> BoxFuture<'a, DeskResult<PanelData>>;

/// One panel of the dashboard, registered by its area.
#[derive(Clone, Copy)]
pub struct Panel {
    /// Unique, URL-safe: `approvals-pending` (the page's `panel-{id}`, the CSV's name).
    pub id: &'static str,
    /// The business area: approvals, sales, service, procurement.
    pub area: &'static str,
    /// The message key of its title (`web_dash.panel.approvals_pending`).
    pub title_key: &'static str,
    pub run: Run,
}

/// What the dashboard shows: a period (company dates, both ends included) and optionally one
/// department.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub department: Option<String>,
}

impl Filter {
    /// `[start of from, start of the day after to)` in ms UTC, in the company's time zone.
    pub fn span_ms(&self, tz: chrono_tz::Tz) -> (i64, i64) {
        (
            start_ms(self.from, tz),
            start_ms(self.to + Duration::days(1), tz),
        )
    }

    /// The department code to filter on, or `""` for all (bound as `($n = '' OR col = $n)`).
    pub fn dept(&self) -> String {
        self.department.clone().unwrap_or_default()
    }
}

/// The first instant of `day` in `tz`, in ms UTC.
pub fn start_ms(day: NaiveDate, tz: chrono_tz::Tz) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = tz
        .from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&midnight));
    local.timestamp_millis()
}

/// A label: a message key (translated by the page), or text from the data, possibly in both
/// languages (a stage's name and its Chinese name).
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    Key(&'static str),
    Text(String),
    Both { en: String, zh: String },
}

/// One line or one colour of bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: Label,
    pub values: Vec<f64>,
}

/// A chart: categories along the x axis, one value per category in each series.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Grouped bars (counts, sums per category).
    Bars {
        categories: Vec<Label>,
        series: Vec<Series>,
    },
    /// Lines over time (times, rates, trends).
    Lines {
        categories: Vec<Label>,
        series: Vec<Series>,
    },
}

impl Chart {
    /// Its categories and series.
    pub fn parts(&self) -> (&[Label], &[Series]) {
        match self {
            Chart::Bars { categories, series } | Chart::Lines { categories, series } => {
                (categories, series)
            }
        }
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Label(Label),
    Num(f64),
    Empty,
}

/// The numbers behind a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Label>,
    pub rows: Vec<Vec<Cell>>,
}

/// A panel's computed data.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelData {
    pub chart: Chart,
    pub table: Table,
}

impl PanelData {
    /// The chart with its table: one row per category, one column per series (the first
    /// column headed `first`). A missing value (NaN) is an empty cell.
    pub fn of(chart: Chart, first: Label) -> PanelData {
        let (categories, series) = chart.parts();
        let mut columns = vec![first];
        columns.extend(series.iter().map(|s| s.name.clone()));
        let rows = categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut row = vec![Cell::Label(c.clone())];
                row.extend(series.iter().map(|s| match s.values.get(i) {
                    Some(v) if v.is_finite() => Cell::Num(*v),
                    _ => Cell::Empty,
                }));
                row
            })
            .collect();
        PanelData {
            table: Table { columns, rows },
            chart,
        }
    }
}

impl PanelData {
    /// Appends a column of numbers to the table (one per row).
    pub fn add_column(&mut self, name: Label, values: Vec<f64>) {
        self.table.columns.push(name);
        for (row, v) in self.table.rows.iter_mut().zip(values) {
            row.push(if v.is_finite() {
                Cell::Num(v)
            } else {
                Cell::Empty
            });
        }
    }
}

/// Time buckets of a period in the company's time zone: months or ISO weeks.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: chrono_tz::Tz,
    /// The first day of each bucket, ascending.
    starts: Vec<NaiveDate>,
    weekly: bool,
}

impl Calendar {
    /// The months the filter's period touches.
    pub fn months(f: &Filter, tz: chrono_tz::Tz) -> Calendar {
        let mut starts = Vec::new();
        let mut d = f.from.with_day(1).unwrap_or(f.from);
        while d <= f.to {
            starts.push(d);
            d = d
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX);
        }
        Calendar {
            tz,
            starts,
            weekly: false,
        }
    }

    /// The ISO weeks (Monday first) the filter's period touches.
    pub fn weeks(f: &Filter, tz: chrono_tz::Tz) -> Calendar {
        let mut d = f.from - Duration::days(i64::from(f.from.weekday().num_days_from_monday()));
        let mut starts = Vec::new();
        while d <= f.to {
            starts.push(d);
            d += Duration::days(7);
        }
        Calendar {
            tz,
            starts,
            weekly: true,
        }
    }

    /// How many buckets.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The bucket of a company date.
    pub fn index_of_day(&self, day: NaiveDate) -> Option<usize> {
        let i = self.starts.partition_point(|s| *s <= day);
        let i = i.checked_sub(1)?;
        let end = if self.weekly {
            self.starts[i] + Duration::days(7)
        } else {
            self.starts[i]
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX)
        };
        (day < end).then_some(i)
    }

    /// The bucket of a stored instant (ms UTC).
    pub fn index_of(&self, ms: i64) -> Option<usize> {
        let day = store::from_ms(ms).with_timezone(&self.tz).date_naive();
        self.index_of_day(day)
    }

    /// The buckets' labels: `2026-03`, or `2026-W09`.
    pub fn labels(&self) -> Vec<Label> {
        self.starts
            .iter()
            .map(|d| {
                Label::Text(if self.weekly {
                    let w = d.iso_week();
                    format!("{}-W{:02}", w.year(), w.week())
                } else {
                    d.format("%Y-%m").to_string()
                })
            })
            .collect()
    }
}

/// The value at percentile `p` (nearest rank) of unsorted values; NaN when there are none.
pub fn percentile(values: &mut [i64], p: usize) -> f64 {
    values.sort_unstable();
    crate::procurement::report::domain::percentile(values, p).map_or(f64::NAN, |v| v as f64)
}

/// Minor units as major units (two decimals), for charts.
pub fn major(minor: i64) -> f64 {
    minor as f64 / 100.0
}

/// Milliseconds as hours, one decimal.
pub fn hours(ms: f64) -> f64 {
    (ms / 360_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn calendars_bucket_company_days() {
        let f = Filter {
            from: day("2026-01-15"),
            to: day("2026-03-02"),
            department: None,
        };
        let tz = chrono_tz::Asia::Shanghai;
        let m = Calendar::months(&f, tz);
        assert_eq!(m.len(), 3);
        assert_eq!(m.index_of_day(day("2026-02-28")), Some(1));
        assert_eq!(m.index_of_day(day("2025-12-31")), None);
        // 2026-01-31 16:30 UTC is 2026-02-01 00:30 in Shanghai.
        let ms = chrono::Utc
            .with_ymd_and_hms(2026, 1, 31, 16, 30, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(m.index_of(ms), Some(1));
        let w = Calendar::weeks(&f, tz);
        assert_eq!(w.labels()[0], Label::Text("2026-W03".into()));
        assert_eq!(w.index_of_day(day("2026-01-12")), Some(0));
        assert_eq!(w.index_of_day(day("2026-01-19")), Some(1));
    }

    #[test]
    fn every_panel_has_a_unique_id_and_its_title_in_both_languages() {
        let r = crate::chat::render::Renderer::load(
            None,
            chrono_tz::Asia::Shanghai,
            Default::default(),
        )
        .unwrap();
        let panels = crate::registry::panels();
        let mut ids = std::collections::BTreeSet::new();
        for p in &panels {
            assert!(ids.insert(p.id), "the panel `{}` is registered twice", p.id);
            assert!(
                p.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                p.id
            );
            for locale in [crate::domain::Locale::En, crate::domain::Locale::ZhCn] {
                let path = format!("{}/msg/{}", locale.tag(), p.title_key);
                let title = r.render_file(locale, &path, serde_json::json!({}));
                assert!(title.is_ok(), "the panel `{}` lacks {path}", p.id);
                let path = format!("{}/msg/web_dash.areas.{}", locale.tag(), p.area);
                assert!(
                    r.render_file(locale, &path, serde_json::json!({})).is_ok(),
                    "{path}"
                );
            }
        }
    }

    #[test]
    fn a_table_has_a_row_per_category() {
        let chart = Chart::Bars {
            categories: vec![Label::Text("a".into()), Label::Text("b".into())],
            series: vec![Series {
                name: Label::Key("k"),
                values: vec![1.0, f64::NAN],
            }],
        };
        let p = PanelData::of(chart, Label::Key("first"));
        assert_eq!(p.table.columns.len(), 2);
        assert_eq!(p.table.rows[0][1], Cell::Num(1.0));
        assert_eq!(p.table.rows[1][1], Cell::Empty);
    }
}
