//! The dashboard's filters from the query string (`from`, `to`, `dept`, `area`), checked with
//! every problem at once in the reader's words, and narrowed to what the viewer may see.

use crate::access::dashboards::Scope;
use crate::domain::Msg;
use crate::service::panels::Filter;
use crate::service::{Desk, DeskResult};
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

/// The query string as sent.
#[derive(Debug, Default, Deserialize)]
pub struct Raw {
    pub from: Option<String>,
    pub to: Option<String>,
    pub dept: Option<String>,
    pub area: Option<String>,
}

/// The filters to show.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub filter: Filter,
    /// One area only, or all.
    pub area: Option<String>,
    /// The viewer asked for another department than theirs and sees their own instead.
    pub forced: bool,
}

impl Chosen {
    /// The filters as a query string (for the CSV links and the live poll).
    pub fn query(&self) -> String {
        let mut q = format!("from={}&to={}", self.filter.from, self.filter.to);
        if let Some(d) = &self.filter.department {
            q.push_str(&format!("&dept={}", crate::web::page::url_encode(d)));
        }
        if let Some(a) = &self.area {
            q.push_str(&format!("&area={}", crate::web::page::url_encode(a)));
        }
        q
    }
}

/// A department one may filter on.
#[derive(Debug, Clone)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub name_zh: String,
}

/// The active departments.
pub async fn departments(desk: &Desk) -> DeskResult<Vec<Department>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, name, name_zh FROM departments WHERE active = 1 ORDER BY code",
    )
    .fetch_all(desk.store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, name_zh)| Department {
            code,
            name,
            name_zh,
        })
        .collect())
}

/// The longest period one page shows (about three years).
const MAX_DAYS: i64 = 1100;

/// Checks the query against today, the departments and the areas; a department head sees
/// their own department whatever they asked for.
pub fn check(
    raw: &Raw,
    scope: &Scope,
    today: NaiveDate,
    departments: &[Department],
    areas: &[&str],
) -> Result<Chosen, Vec<Msg>> {
    let mut problems = Vec::new();
    let default_from = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(11)))
        .unwrap_or(today);
    let from = date(raw.from.as_deref(), "from", default_from, &mut problems);
    let to = date(raw.to.as_deref(), "to", today, &mut problems);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            problems.push(Msg::new("web_dash.error.order"));
        } else if (to - from).num_days() > MAX_DAYS {
            problems.push(Msg::new("web_dash.error.too_long").arg("days", MAX_DAYS));
        }
    }
    let asked = raw
        .dept
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_uppercase);
    if let Some(d) = &asked {
        if !departments.iter().any(|k| k.code == *d) {
            problems.push(Msg::new("web_dash.error.unknown_dept").arg("value", shown(d)));
        }
    }
    let area = raw.area.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = area {
        if !areas.contains(&a) {
            problems.push(Msg::new("web_dash.error.unknown_area").arg("value", shown(a)));
        }
    }
    let (Some(from), Some(to), true) = (from, to, problems.is_empty()) else {
        return Err(problems);
    };
    let (department, forced) = match scope {
        Scope::All => (asked, false),
        Scope::Department(own) => {
            let forced = asked.as_ref().is_some_and(|d| d != own);
            (Some(own.clone()), forced)
        }
    };
    Ok(Chosen {
        filter: Filter {
            from,
            to,
            department,
        },
        area: area.map(str::to_string),
        forced,
    })
}

/// A date field: empty means `default`; otherwise `YYYY-MM-DD` between 2000 and 2100.
fn date(
    value: Option<&str>,
    field: &'static str,
    default: NaiveDate,
    problems: &mut Vec<Msg>,
) -> Option<NaiveDate> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let Some(v) = value else {
        return Some(default);
    };
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
        _ => {
            problems.push(
                Msg::new("web_dash.error.bad_date")
                    .arg("field", field)
                    .arg("value", shown(v)),
            );
            None
        }
    }
}

/// What the user typed, shortened for a message.
fn shown(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(from: &str, to: &str, dept: &str) -> Raw {
        Raw {
            from: Some(from.into()),
            to: Some(to.into()),
            dept: Some(dept.into()),
            area: None,
        }
    }

    fn depts() -> Vec<Department> {
        ["SAL", "PUR"]
            .iter()
            .map(|c| Department {
                code: c.to_string(),
                name: c.to_string(),
                name_zh: String::new(),
            })
            .collect()
    }

    #[test]
    fn filters_are_checked_and_heads_see_their_own() {
        let today: NaiveDate = "2026-11-26".parse().unwrap();
        let d = depts();
        let all = check(&Raw::default(), &Scope::All, today, &d, &["sales"]).unwrap();
        assert_eq!(all.filter.from.to_string(), "2025-12-01");
        assert_eq!(all.filter.to, today);
        let keys = |r: Raw| -> Vec<&str> {
            check(&r, &Scope::All, today, &d, &["sales"])
                .unwrap_err()
                .iter()
                .map(|m| m.key)
                .collect()
        };
        assert_eq!(
            keys(raw("2026-02-01", "2026-01-01", "")),
            ["web_dash.error.order"]
        );
        assert_eq!(
            keys(raw("garbage", "2026-13-01", "XYZ")),
            [
                "web_dash.error.bad_date",
                "web_dash.error.bad_date",
                "web_dash.error.unknown_dept"
            ]
        );
        assert_eq!(
            keys(raw("2010-01-01", "2026-01-01", "")),
            ["web_dash.error.too_long"]
        );
        let head = Scope::Department("SAL".into());
        let c = check(&raw("", "", "pur"), &head, today, &d, &[]).unwrap();
        assert_eq!(c.filter.department.as_deref(), Some("SAL"));
        assert!(c.forced);
    }
}
