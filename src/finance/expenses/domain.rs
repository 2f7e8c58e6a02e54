//! Expense claims without I/O: what a claim must satisfy, its statuses, and what a payment
//! of it may be.

use crate::domain::money::{format_stored, Currency, Money, MAX_MINOR};
use crate::domain::words::words;
use crate::domain::{text, Msg};
use chrono::{Months, NaiveDate};

/// Longest description (characters).
pub const MAX_DESCRIPTION: usize = 500;
/// Longest category code.
pub const MAX_CATEGORY: usize = 40;
/// How far back a claim's date may lie: spending older than this many months is not claimed
/// through the desk (a year: claims are meant to be made soon after the spending).
pub const MAX_AGE_MONTHS: u32 = 12;

words!(
    /// Where a claim stands.
    ExpenseStatus {
        /// In approval.
        Pending = "pending",
        /// Approved, not (fully) paid yet.
        Approved = "approved",
        Rejected = "rejected",
        /// Sent back: the claimant withdraws it and claims again.
        ChangesRequested = "changes_requested",
        Withdrawn = "withdrawn",
        /// Paid in full.
        Paid = "paid",
    }
);

impl ExpenseStatus {
    /// Whether its claimant may still withdraw it.
    pub fn withdrawable(self) -> bool {
        matches!(
            self,
            ExpenseStatus::Pending | ExpenseStatus::ChangesRequested
        )
    }
}

/// A claim as typed, before the rules are checked.
#[derive(Debug, Clone, Default)]
pub struct ClaimInput {
    pub category: Option<String>,
    pub amount: Option<Money>,
    pub description: Option<String>,
    pub date: Option<NaiveDate>,
    pub attachment: Option<String>,
}

/// What a claim is checked against.
#[derive(Debug, Clone)]
pub struct ClaimRules {
    /// The budget categories (the requisition categories); empty: any category.
    pub categories: Vec<String>,
    /// The company's currency: the only one claims are made in.
    pub currency: Currency,
    /// The company's date today.
    pub today: NaiveDate,
}

/// A valid claim, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDraft {
    pub category: String,
    pub amount: Money,
    pub description: String,
    pub spent_on: NaiveDate,
    pub document_url: Option<String>,
}

impl ClaimDraft {
    /// Validates a claim, reporting every problem at once. `check_url` checks an attachment
    /// link (the receipts' rule).
    pub fn build(
        input: ClaimInput,
        rules: &ClaimRules,
        check_url: impl Fn(&str) -> Result<String, Msg>,
    ) -> Result<ClaimDraft, Vec<Msg>> {
        let mut problems = Vec::new();
        let category = input
            .category
            .map(|c| c.trim().to_lowercase())
            .unwrap_or_default();
        if category.is_empty() {
            problems.push(
                Msg::new("expense.category_required").arg("choices", rules.categories.join(", ")),
            );
        } else if let Err(m) = text::at_most("category", &category, MAX_CATEGORY) {
            problems.push(m);
        } else if !rules.categories.is_empty() && !rules.categories.contains(&category) {
            problems.push(
                Msg::new("expense.unknown_category")
                    .arg("category", &category)
                    .arg("choices", rules.categories.join(", ")),
            );
        }
        match input.amount {
            None => problems.push(Msg::new("expense.amount_required")),
            Some(m) if m.currency != rules.currency => problems.push(
                Msg::new("expense.wrong_currency")
                    .arg("given", m.currency)
                    .arg("currency", rules.currency),
            ),
            Some(m) if m.minor <= 0 => problems.push(Msg::new("expense.amount_positive")),
            Some(m) if m.minor > MAX_MINOR => problems.push(Msg::new("expense.amount_too_large")),
            Some(_) => {}
        }
        let description = input.description.unwrap_or_default().trim().to_string();
        if description.is_empty() {
            problems.push(Msg::new("expense.description_required"));
        } else if let Err(m) = text::at_most("description", &description, MAX_DESCRIPTION) {
            problems.push(m);
        }
        let spent_on = input.date.unwrap_or(rules.today);
        if spent_on > rules.today {
            problems.push(Msg::new("expense.date_future").arg("date", spent_on));
        } else if earliest(rules.today).is_some_and(|e| spent_on < e) {
            problems.push(
                Msg::new("expense.date_old")
                    .arg("date", spent_on)
                    .arg("months", MAX_AGE_MONTHS),
            );
        }
        let document_url = match input.attachment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => match check_url(u) {
                Ok(u) => Some(u),
                Err(m) => {
                    problems.push(m);
                    None
                }
            },
        };
        match input.amount {
            Some(amount) if problems.is_empty() => Ok(ClaimDraft {
                category,
                amount,
                description,
                spent_on,
                document_url,
            }),
            _ if problems.is_empty() => Err(vec![Msg::new("expense.amount_required")]),
            _ => Err(problems),
        }
    }
}

/// The earliest date a claim made `today` may carry.
pub fn earliest(today: NaiveDate) -> Option<NaiveDate> {
    today.checked_sub_months(Months::new(MAX_AGE_MONTHS))
}

/// What finance pays of an approved claim now: `given`, or all that is unpaid; refused when
/// the claim is not approved, the amount is not positive, is more than what is unpaid, or is
/// in another currency. `currency`: the claim's.
pub fn payment(
    reference: &str,
    status: ExpenseStatus,
    amount_minor: i64,
    paid_minor: i64,
    currency: &str,
    given: Option<Money>,
) -> Result<i64, Msg> {
    if status != ExpenseStatus::Approved {
        return Err(Msg::new("expense.not_payable_status")
            .arg("ref", reference)
            .arg("status", status.as_str()));
    }
    let unpaid = (amount_minor - paid_minor).max(0);
    match given {
        None => Ok(unpaid),
        Some(m) if m.currency.as_str() != currency => Err(Msg::new("expense.wrong_currency")
            .arg("given", m.currency)
            .arg("currency", currency)),
        Some(m) if m.minor <= 0 || m.minor > unpaid => Err(Msg::new("expense.bad_paid")
            .arg("ref", reference)
            .arg("unpaid", format_stored(unpaid, currency))),
        Some(m) => Ok(m.minor),
    }
}

/// The status after paying `now_minor` more of a claim of `amount_minor` with `paid_minor`
/// paid before.
pub fn after_payment(amount_minor: i64, paid_minor: i64, now_minor: i64) -> ExpenseStatus {
    if paid_minor + now_minor >= amount_minor {
        ExpenseStatus::Paid
    } else {
        ExpenseStatus::Approved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(minor: i64) -> Money {
        Money::new(minor, Currency::CNY)
    }

    fn rules() -> ClaimRules {
        ClaimRules {
            categories: vec!["travel".into(), "office".into()],
            currency: Currency::CNY,
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        }
    }

    fn ok_url(u: &str) -> Result<String, Msg> {
        Ok(u.to_string())
    }

    fn keys(e: Vec<Msg>) -> Vec<&'static str> {
        e.iter().map(|m| m.key).collect()
    }

    #[test]
    fn a_good_claim_defaults_to_today_and_lowercases_the_category() {
        let d = ClaimDraft::build(
            ClaimInput {
                category: Some(" Travel ".into()),
                amount: Some(cny(35_000)),
                description: Some(" taxi ".into()),
                ..Default::default()
            },
            &rules(),
            ok_url,
        )
        .unwrap();
        assert_eq!(d.category, "travel");
        assert_eq!(d.description, "taxi");
        assert_eq!(d.spent_on, rules().today);
        assert_eq!(d.document_url, None);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = ClaimDraft::build(
            ClaimInput {
                category: Some("yachts".into()),
                amount: Some(cny(0)),
                description: Some("  ".into()),
                date: NaiveDate::from_ymd_opt(2026, 11, 27),
                attachment: None,
            },
            &rules(),
            ok_url,
        )
        .unwrap_err();
        assert_eq!(
            keys(e),
            [
                "expense.unknown_category",
                "expense.amount_positive",
                "expense.description_required",
                "expense.date_future"
            ]
        );
    }

    #[test]
    fn other_currencies_old_dates_and_long_descriptions_are_refused() {
        let e = ClaimDraft::build(
            ClaimInput {
                category: Some("office".into()),
                amount: Some(Money::new(100, Currency::new("USD").unwrap())),
                description: Some("x".repeat(MAX_DESCRIPTION + 1)),
                date: NaiveDate::from_ymd_opt(2025, 11, 25),
                attachment: Some("ftp://x".into()),
            },
            &rules(),
            |_| Err(Msg::new("receipt.bad_url")),
        )
        .unwrap_err();
        assert_eq!(
            keys(e),
            [
                "expense.wrong_currency",
                "option.too_long",
                "expense.date_old",
                "receipt.bad_url"
            ]
        );
        // Exactly a year back is still accepted.
        let d = ClaimDraft::build(
            ClaimInput {
                category: Some("office".into()),
                amount: Some(cny(1)),
                description: Some("pens".into()),
                date: NaiveDate::from_ymd_opt(2025, 11, 26),
                attachment: Some("https://x/y.pdf".into()),
            },
            &rules(),
            ok_url,
        )
        .unwrap();
        assert_eq!(d.document_url.as_deref(), Some("https://x/y.pdf"));
    }

    #[test]
    fn payments_default_to_what_is_unpaid_and_never_exceed_it() {
        let a = ExpenseStatus::Approved;
        assert_eq!(payment("EXP-000001", a, 1000, 300, "CNY", None), Ok(700));
        assert_eq!(
            payment("EXP-000001", a, 1000, 300, "CNY", Some(cny(200))),
            Ok(200)
        );
        for bad in [0, -1, 701] {
            let e = payment("EXP-000001", a, 1000, 300, "CNY", Some(cny(bad))).unwrap_err();
            assert_eq!(e.key, "expense.bad_paid");
        }
        let e = payment("EXP-000001", ExpenseStatus::Pending, 1000, 0, "CNY", None).unwrap_err();
        assert_eq!(e.key, "expense.not_payable_status");
        let e = payment("EXP-000001", ExpenseStatus::Paid, 1000, 1000, "CNY", None).unwrap_err();
        assert_eq!(e.key, "expense.not_payable_status");
        assert_eq!(after_payment(1000, 300, 200), ExpenseStatus::Approved);
        assert_eq!(after_payment(1000, 300, 700), ExpenseStatus::Paid);
    }
}
