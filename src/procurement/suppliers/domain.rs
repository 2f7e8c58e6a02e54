//! A supplier's rules that need no I/O: its status, its standing from a score.

use crate::domain::words::words;
use crate::domain::{Locale, Msg};
use crate::procurement::settings::Scorecard;
use crate::service_desk::customers::domain as customer;
use chrono::NaiveDate;

words!(
    /// Where a supplier stands on the qualified-supplier list.
    SupplierStatus {
        /// Added, not (yet) qualified: no purchase orders.
        Candidate = "candidate",
        /// Passed qualification review: purchase orders may go to it.
        Qualified = "qualified",
        /// Qualified, but a required certificate expired (or the central office suspended it).
        Suspended = "suspended",
        /// Failed qualification or removed from the list.
        Disqualified = "disqualified",
    }
);

words!(
    /// A supplier's standing from its latest scorecard.
    Standing {
        Excellent = "excellent",
        Good = "good",
        /// New purchase orders show a warning their approver must acknowledge.
        Poor = "poor",
        /// New purchase orders are refused.
        VeryPoor = "very_poor",
    }
);

/// The standing a score (0–100) gives under `card`'s thresholds.
pub fn standing(score: u32, card: &Scorecard) -> Standing {
    if score >= card.excellent {
        Standing::Excellent
    } else if score >= card.good {
        Standing::Good
    } else if score >= card.poor {
        Standing::Poor
    } else {
        Standing::VeryPoor
    }
}

/// Whether a new purchase order may go to a supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orderable {
    Yes,
    /// Yes, but its standing is poor: the PO's approver must acknowledge a warning.
    Warn(Standing),
    /// No: not qualified (candidate, suspended, disqualified), or its standing is very poor.
    NotQualified(SupplierStatus),
    VeryPoor,
}

/// Whether a new purchase order may go to a supplier with this status and standing (`None`:
/// never scored, which does not count against it).
pub fn orderable(status: SupplierStatus, standing: Option<Standing>) -> Orderable {
    match (status, standing) {
        (SupplierStatus::Qualified, Some(Standing::VeryPoor)) => Orderable::VeryPoor,
        (SupplierStatus::Qualified, Some(Standing::Poor)) => Orderable::Warn(Standing::Poor),
        (SupplierStatus::Qualified, _) => Orderable::Yes,
        (other, _) => Orderable::NotQualified(other),
    }
}

/// Longest name or company kept.
pub const MAX_NAME: usize = 200;
/// Longest note or comment kept.
pub const MAX_NOTE: usize = 2000;

/// A supplier's details as entered (every field checked).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupplierInput {
    pub name: String,
    pub company: String,
    /// Normalised (NFKC, lowercased); never empty.
    pub email: String,
    pub phone: String,
    /// Requisition category codes, known ones only, without repeats.
    pub categories: Vec<String>,
    pub locale: Option<Locale>,
}

/// Checks a whole supplier; every problem at once. `categories` are codes already resolved
/// from names (comma-separated items), checked against `known` (empty: any code refused
/// unless the company uses no categories).
pub fn check(
    name: &str,
    company: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    categories: &[String],
    locale: Option<&str>,
    known: &[String],
) -> Result<SupplierInput, Vec<Msg>> {
    let mut problems = Vec::new();
    let mut out = SupplierInput::default();
    match name.trim() {
        "" => problems.push(Msg::new("supplier.name_required")),
        n => match customer::check_name("name", n) {
            Ok(n) => out.name = n,
            Err(m) => problems.push(m),
        },
    }
    if let Some(c) = company.map(str::trim).filter(|c| !c.is_empty()) {
        match customer::check_name("company", c) {
            Ok(c) => out.company = c,
            Err(m) => problems.push(m),
        }
    }
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => problems.push(Msg::new("supplier.email_required")),
        Some(e) => match customer::check_email(e) {
            Ok(e) => out.email = e,
            Err(m) => problems.push(m),
        },
    }
    if let Some(p) = phone.map(str::trim).filter(|p| !p.is_empty()) {
        match customer::check_phone(p) {
            Ok(p) => out.phone = p,
            Err(m) => problems.push(m),
        }
    }
    for c in categories {
        if !known.contains(c) {
            problems.push(
                Msg::new("supplier.unknown_category")
                    .arg("category", c)
                    .arg("choices", known.join(", ")),
            );
        } else if !out.categories.contains(c) {
            out.categories.push(c.clone());
        }
    }
    if let Some(l) = locale.map(str::trim).filter(|l| !l.is_empty()) {
        match customer::check_locale(l) {
            Ok(l) => out.locale = Some(l),
            Err(m) => problems.push(m),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The comma-separated items of a `categories:` value (also `，`, `、` and `;`), trimmed,
/// lowercased, empty ones dropped.
pub fn category_items(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ';', '；'])
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// A rating's four marks, each 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marks {
    pub quality: i64,
    pub delivery: i64,
    pub price: i64,
    pub service: i64,
}

impl Marks {
    /// Checks each mark is 1 to 5 (every problem at once).
    pub fn check(self) -> Result<Marks, Vec<Msg>> {
        let problems: Vec<Msg> = [
            ("quality", self.quality),
            ("delivery", self.delivery),
            ("price", self.price),
            ("service", self.service),
        ]
        .into_iter()
        .filter(|(_, v)| !(1..=5).contains(v))
        .map(|(f, v)| {
            Msg::new("supplier.bad_mark")
                .arg("field", f)
                .arg("value", v)
        })
        .collect();
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

/// The required certificate kinds (of `required`) whose current certificate expired before
/// `today`; `current` is each kind's latest certificate as (kind, expires_on).
pub fn expired_required(
    current: &[(String, NaiveDate)],
    required: &[String],
    today: NaiveDate,
) -> Vec<String> {
    let mut out: Vec<String> = current
        .iter()
        .filter(|(k, until)| *until < today && required.iter().any(|r| r == k))
        .map(|(k, _)| k.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Checks `/supplier disqualify`: a candidate, qualified or suspended supplier may be
/// disqualified, with a reason; a disqualified one is qualified again only through review.
pub fn check_disqualify(reference: &str, status: SupplierStatus, reason: &str) -> Result<(), Msg> {
    if reason.trim().is_empty() {
        return Err(Msg::new("option.missing").arg("option", "reason"));
    }
    if status == SupplierStatus::Disqualified {
        return Err(Msg::new("supplier.already_disqualified").arg("ref", reference));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppliers_need_a_name_and_a_valid_email_and_known_categories() {
        let known = vec!["it".to_string(), "office".to_string()];
        let ok = check(
            " 华东电子 ",
            None,
            Some("Sales@HuaDong.cn"),
            None,
            &category_items("IT, office，it"),
            Some("中文"),
            &known,
        )
        .unwrap();
        assert_eq!(ok.email, "sales@huadong.cn");
        assert_eq!(ok.categories, ["it", "office"]);
        assert_eq!(ok.locale, Some(Locale::ZhCn));
        let bad = check(
            "",
            None,
            Some("x@y"),
            None,
            &["toys".into()],
            Some("fr"),
            &known,
        )
        .unwrap_err();
        let keys: Vec<&str> = bad.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                "supplier.name_required",
                "customer.bad_email",
                "supplier.unknown_category",
                "customer.bad_locale"
            ]
        );
        let none = check("A", None, None, None, &[], None, &known).unwrap_err();
        assert_eq!(none[0].key, "supplier.email_required");
    }

    #[test]
    fn marks_are_one_to_five() {
        let m = |q| Marks {
            quality: q,
            delivery: 3,
            price: 3,
            service: 3,
        };
        assert!(m(1).check().is_ok() && m(5).check().is_ok());
        assert_eq!(m(0).check().unwrap_err()[0].key, "supplier.bad_mark");
        assert!(m(6).check().is_err());
    }

    #[test]
    fn only_expired_required_certificates_count() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        let current = vec![
            ("business_license".to_string(), d(10)),
            ("iso_9001".to_string(), d(1)),
        ];
        let req = vec!["business_license".to_string()];
        assert!(expired_required(&current, &req, d(10)).is_empty());
        assert_eq!(
            expired_required(&current, &req, d(11)),
            ["business_license"]
        );
    }

    #[test]
    fn thresholds_are_inclusive() {
        // The shipped thresholds (config/bizdesk.toml): 80 / 50 / 30.
        let card = Scorecard {
            quality: 25,
            delivery: 15,
            price: 15,
            service: 15,
            on_time: 15,
            acceptance: 15,
            excellent: 80,
            good: 50,
            poor: 30,
        };
        assert_eq!(standing(100, &card), Standing::Excellent);
        assert_eq!(standing(80, &card), Standing::Excellent);
        assert_eq!(standing(79, &card), Standing::Good);
        assert_eq!(standing(50, &card), Standing::Good);
        assert_eq!(standing(30, &card), Standing::Poor);
        assert_eq!(standing(29, &card), Standing::VeryPoor);
        assert_eq!(standing(0, &card), Standing::VeryPoor);
    }

    #[test]
    fn only_qualified_suppliers_not_very_poor_get_orders() {
        use SupplierStatus::*;
        assert_eq!(orderable(Qualified, None), Orderable::Yes);
        assert_eq!(orderable(Qualified, Some(Standing::Good)), Orderable::Yes);
        assert_eq!(
            orderable(Qualified, Some(Standing::Poor)),
            Orderable::Warn(Standing::Poor)
        );
        assert_eq!(
            orderable(Qualified, Some(Standing::VeryPoor)),
            Orderable::VeryPoor
        );
        for s in [Candidate, Suspended, Disqualified] {
            assert_eq!(
                orderable(s, Some(Standing::Excellent)),
                Orderable::NotQualified(s)
            );
        }
    }
}
