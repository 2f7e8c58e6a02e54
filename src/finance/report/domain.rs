//! The arithmetic of finance's reports, with no I/O: the budget table (lines, department
//! subtotals, a company total) with variances and the top overruns; receivables and payables
//! split into overdue and due soon; cash by month.

use crate::domain::directory::Directory;
use crate::domain::money::{Currency, Money};
use crate::domain::term::Vocabulary;
use crate::domain::Locale;
use crate::finance::ledger::Figures;
use chrono::{Datelike, Months, NaiveDate};
use std::collections::BTreeMap;

/// How many overruns the budget report lists.
pub const TOP_OVERRUNS: usize = 5;

/// The vocabulary list budget categories come from (the requisition categories).
pub const CATEGORIES: &str = "requisition_categories";

/// A department's name in `locale` (its code when the directory lacks it).
pub fn department_name(dir: &Directory, code: &str, locale: Locale) -> String {
    dir.department(code)
        .map_or(code, |d| d.display_name(locale))
        .to_string()
}

/// A budget category's name in `locale` (its code when the vocabulary lacks it).
pub fn category_name(terms: &Vocabulary, code: &str, locale: Locale) -> String {
    terms.name(CATEGORIES, code, locale).to_string()
}

/// One budget line's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub department: String,
    pub category: String,
    pub figures: Figures,
}

/// A department's lines (by category) and their sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentLines {
    pub department: String,
    pub lines: Vec<Line>,
    pub subtotal: Figures,
}

/// A line where what is used (requested + committed + spent) exceeds what is allocated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrun {
    pub department: String,
    pub category: String,
    pub allocated: i64,
    pub used: i64,
    /// `used - allocated` (> 0).
    pub over: i64,
}

/// The budget report's table: per department and category, subtotals, the company total and
/// the top overruns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub departments: Vec<DepartmentLines>,
    pub total: Figures,
    pub overruns: Vec<Overrun>,
}

/// The sum of several lines' figures.
pub fn sum<'a>(figures: impl IntoIterator<Item = &'a Figures>) -> Figures {
    figures
        .into_iter()
        .fold(Figures::default(), |a, f| Figures {
            allocated: a.allocated + f.allocated,
            requested: a.requested + f.requested,
            committed: a.committed + f.committed,
            spent: a.spent + f.spent,
        })
}

/// Groups `rows` (department, category, figures) by department (departments and categories in
/// code order), with subtotals, the total and the top [`TOP_OVERRUNS`] overruns.
pub fn table(rows: Vec<(String, String, Figures)>) -> Table {
    let mut by_dept: BTreeMap<String, Vec<Line>> = BTreeMap::new();
    for (department, category, figures) in rows {
        by_dept.entry(department.clone()).or_default().push(Line {
            department,
            category,
            figures,
        });
    }
    let departments: Vec<DepartmentLines> = by_dept
        .into_iter()
        .map(|(department, mut lines)| {
            lines.sort_by(|a, b| a.category.cmp(&b.category));
            DepartmentLines {
                subtotal: sum(lines.iter().map(|l| &l.figures)),
                department,
                lines,
            }
        })
        .collect();
    let all: Vec<&Line> = departments.iter().flat_map(|d| &d.lines).collect();
    Table {
        total: sum(all.iter().map(|l| &l.figures)),
        overruns: top_overruns(all.into_iter(), TOP_OVERRUNS),
        departments,
    }
}

/// The up to `n` lines whose use exceeds their allocation, biggest overrun first (then by
/// department and category).
pub fn top_overruns<'a>(lines: impl Iterator<Item = &'a Line>, n: usize) -> Vec<Overrun> {
    let mut v: Vec<Overrun> = lines
        .filter(|l| l.figures.used() > l.figures.allocated)
        .map(|l| Overrun {
            department: l.department.clone(),
            category: l.category.clone(),
            allocated: l.figures.allocated,
            used: l.figures.used(),
            over: l.figures.used() - l.figures.allocated,
        })
        .collect();
    v.sort_by(|a, b| {
        b.over
            .cmp(&a.over)
            .then_with(|| a.department.cmp(&b.department))
            .then_with(|| a.category.cmp(&b.category))
    });
    v.truncate(n);
    v
}

/// The variance (spent − allocated) in basis points of what is allocated; `None` without an
/// allocation.
pub fn variance_basis_points(f: &Figures) -> Option<i64> {
    (f.allocated > 0).then(|| (i128::from(f.variance()) * 10_000 / i128::from(f.allocated)) as i64)
}

/// Basis points as a signed percentage with one decimal: `+20.0%`, `-2.5%`, `0.0%`.
pub fn signed_percent(bp: i64) -> String {
    let sign = match bp.signum() {
        -1 => "-",
        1 => "+",
        _ => "",
    };
    // Tenths of a percent, rounded half away from zero (−66.66… % reads −66.7 %).
    let tenths = (bp.unsigned_abs() + 5) / 10;
    format!("{sign}{}.{}%", tenths / 10, tenths % 10)
}

/// Amounts per currency (minor units); several currencies are never added together.
pub type Sums = BTreeMap<Currency, i64>;

/// Sums for people: `12,000.00 CNY`, several joined by ` + `; `0.00 <default>` for none.
pub fn sums_text(s: &Sums, default: Currency) -> String {
    let shown: Vec<String> = s
        .iter()
        .filter(|(_, m)| **m != 0)
        .map(|(c, m)| Money::new(*m, *c).to_string())
        .collect();
    if shown.is_empty() {
        Money::zero(default).to_string()
    } else {
        shown.join(" + ")
    }
}

/// An amount owed (to or by the company), with when it is due (`None`: no date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub due: Option<NaiveDate>,
    pub currency: Currency,
    pub minor: i64,
}

/// Owed amounts as of a day: overdue (due before it) and due from it to a horizon (both
/// ends included; undated ones count as due), with how many of each. Later ones are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueSplit {
    pub overdue: Sums,
    pub overdue_count: usize,
    pub due: Sums,
    pub due_count: usize,
}

/// Splits `items` (amounts ≤ 0 are left out) into overdue on `today` and due up to `until`.
pub fn due_split(items: &[Owed], today: NaiveDate, until: NaiveDate) -> DueSplit {
    let mut s = DueSplit::default();
    for i in items.iter().filter(|i| i.minor > 0) {
        match i.due {
            Some(d) if d < today => {
                *s.overdue.entry(i.currency).or_default() += i.minor;
                s.overdue_count += 1;
            }
            Some(d) if d > until => {}
            _ => {
                *s.due.entry(i.currency).or_default() += i.minor;
                s.due_count += 1;
            }
        }
    }
    s
}

/// The first days of the `n` whole months before the month of `today`, oldest first.
pub fn last_months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let first = today.with_day(1).unwrap_or(today);
    (1..=n)
        .rev()
        .filter_map(|k| first.checked_sub_months(Months::new(k)))
        .collect()
}

/// The index of the month (of `months`, as [`last_months`] gives them) that holds `day`.
pub fn month_index(months: &[NaiveDate], day: NaiveDate) -> Option<usize> {
    months
        .iter()
        .position(|m| m.year() == day.year() && m.month() == day.month())
}

/// Cash in and out of one month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CashMonth {
    pub month: String,
    pub cash_in: Sums,
    pub cash_out: Sums,
}

/// Cash in and out per month of `months` from dated amounts (others are left out).
pub fn cash_by_month(
    months: &[NaiveDate],
    cash_in: &[(NaiveDate, Currency, i64)],
    cash_out: &[(NaiveDate, Currency, i64)],
) -> Vec<CashMonth> {
    let mut v: Vec<CashMonth> = months
        .iter()
        .map(|m| CashMonth {
            month: m.format("%Y-%m").to_string(),
            ..CashMonth::default()
        })
        .collect();
    for (flows, inward) in [(cash_in, true), (cash_out, false)] {
        for (day, currency, minor) in flows {
            if let Some(i) = month_index(months, *day) {
                let side = if inward {
                    &mut v[i].cash_in
                } else {
                    &mut v[i].cash_out
                };
                *side.entry(*currency).or_default() += minor;
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(allocated: i64, requested: i64, committed: i64, spent: i64) -> Figures {
        Figures {
            allocated,
            requested,
            committed,
            spent,
        }
    }

    fn row(d: &str, c: &str, fig: Figures) -> (String, String, Figures) {
        (d.to_string(), c.to_string(), fig)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_table_has_subtotals_a_total_and_the_biggest_overruns_first() {
        let t = table(vec![
            row("SAL", "travel", f(1000, 0, 0, 1200)),
            row("PUR", "it", f(500, 100, 100, 400)),
            row("SAL", "it", f(1000, 300, 0, 0)),
            row("PUR", "office", f(0, 0, 0, 50)),
        ]);
        assert_eq!(t.departments[0].department, "PUR");
        assert_eq!(t.departments[1].lines[0].category, "it");
        assert_eq!(t.departments[1].subtotal, f(2000, 300, 0, 1200));
        assert_eq!(t.total, f(2500, 400, 100, 1650));
        let over: Vec<(&str, &str, i64)> = t
            .overruns
            .iter()
            .map(|o| (o.department.as_str(), o.category.as_str(), o.over))
            .collect();
        assert_eq!(
            over,
            vec![
                ("SAL", "travel", 200),
                ("PUR", "it", 100),
                ("PUR", "office", 50)
            ]
        );
    }

    #[test]
    fn at_most_five_overruns_and_none_at_exactly_the_allocation() {
        let lines: Vec<Line> = (0..8)
            .map(|i| Line {
                department: "SAL".into(),
                category: format!("c{i}"),
                figures: f(100, 0, 0, 100 + i),
            })
            .collect();
        let o = top_overruns(lines.iter(), TOP_OVERRUNS);
        assert_eq!(o.len(), 5);
        assert_eq!(o[0].over, 7);
        assert!(o.iter().all(|x| x.over > 0));
    }

    #[test]
    fn variance_in_percent_of_the_allocation() {
        assert_eq!(variance_basis_points(&f(1000, 0, 0, 1200)), Some(2000));
        assert_eq!(variance_basis_points(&f(800, 0, 0, 780)), Some(-250));
        assert_eq!(variance_basis_points(&f(0, 0, 0, 5)), None);
        assert_eq!(signed_percent(2000), "+20.0%");
        assert_eq!(signed_percent(-250), "-2.5%");
        assert_eq!(signed_percent(0), "0.0%");
        assert_eq!(signed_percent(-6666), "-66.7%");
        assert_eq!(signed_percent(-8875), "-88.8%");
        assert_eq!(signed_percent(-9164), "-91.6%");
    }

    #[test]
    fn owed_amounts_split_into_overdue_and_due_within_the_horizon() {
        let cny = Currency::new("CNY").unwrap();
        let o = |due: Option<&str>, minor| Owed {
            due: due.map(day),
            currency: cny,
            minor,
        };
        let s = due_split(
            &[
                o(Some("2026-11-30"), 100),
                o(Some("2026-12-01"), 200),
                o(Some("2026-12-31"), 300),
                o(Some("2027-01-01"), 400),
                o(None, 50),
                o(Some("2026-11-01"), 0),
            ],
            day("2026-12-01"),
            day("2026-12-31"),
        );
        assert_eq!((s.overdue[&cny], s.overdue_count), (100, 1));
        assert_eq!((s.due[&cny], s.due_count), (550, 3));
    }

    #[test]
    fn cash_falls_in_the_six_whole_months_before() {
        let cny = Currency::new("CNY").unwrap();
        let months = last_months(day("2026-12-01"), 6);
        assert_eq!(months.first(), Some(&day("2026-06-01")));
        assert_eq!(months.last(), Some(&day("2026-11-01")));
        let c = cash_by_month(
            &months,
            &[(day("2026-11-30"), cny, 10), (day("2026-12-01"), cny, 99)],
            &[(day("2026-06-01"), cny, 7), (day("2026-05-31"), cny, 99)],
        );
        assert_eq!(c.len(), 6);
        assert_eq!(c[5].month, "2026-11");
        assert_eq!(c[5].cash_in[&cny], 10);
        assert_eq!(c[0].cash_out[&cny], 7);
        assert_eq!(c.iter().map(|m| m.cash_in.len()).sum::<usize>(), 1);
    }
}
