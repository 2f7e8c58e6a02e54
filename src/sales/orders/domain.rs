//! Sales orders: the stages an order goes through, as configured, and which of them the
//! customer hears about.

use serde::Deserialize;

/// Longest note on an order's stage change (characters).
pub const MAX_STAGE_NOTE: usize = 500;

/// One stage of the order process.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Lowercase code, e.g. `shipped`.
    pub code: String,
    pub name: String,
    pub name_zh: String,
    /// Whether reaching it emails the customer.
    pub customer_visible: bool,
}

/// Checks configured stages: at least two, unique lowercase codes, names present.
pub fn check_stages(stages: &[Stage]) -> Result<(), String> {
    if stages.len() < 2 {
        return Err("list at least two stages".into());
    }
    for (i, s) in stages.iter().enumerate() {
        let ok = !s.code.is_empty()
            && s.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(format!(
                "stages[{i}].code `{}`: use lowercase letters, digits and _",
                s.code
            ));
        }
        if s.name.trim().is_empty() || s.name_zh.trim().is_empty() {
            return Err(format!("stages[{i}] ({}): give name and name_zh", s.code));
        }
        if stages[..i].iter().any(|o| o.code == s.code) {
            return Err(format!("stages[{i}].code `{}` is listed twice", s.code));
        }
    }
    Ok(())
}

/// Whether moving an order from stage `from` to stage `to` goes back to an earlier stage of
/// the configured order (a return, a correction): such a move must be confirmed, and the
/// customer is not emailed about a stage they were told of before. Unknown codes never are.
pub fn is_backward(stages: &[Stage], from: &str, to: &str) -> bool {
    let at = |code: &str| stages.iter().position(|s| s.code == code);
    matches!((at(from), at(to)), (Some(f), Some(t)) if t < f)
}

/// One installment of an order's payment terms: an amount due by a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installment {
    pub due: chrono::NaiveDate,
    pub amount_minor: i64,
}

/// What is still owed of each installment (in due order) once `paid` was received: payments
/// settle the earliest installment first.
pub fn owed(installments: &[Installment], paid: i64) -> Vec<i64> {
    let mut sorted: Vec<&Installment> = installments.iter().collect();
    sorted.sort_by_key(|i| i.due);
    let mut left = paid.max(0);
    sorted
        .into_iter()
        .map(|i| {
            let settled = left.min(i.amount_minor);
            left -= settled;
            i.amount_minor - settled
        })
        .collect()
}

/// What is overdue on `today` (installments due before it, still owed), and the earliest of
/// those installments' due dates. `None` when nothing is overdue.
pub fn overdue(
    installments: &[Installment],
    paid: i64,
    today: chrono::NaiveDate,
) -> Option<(i64, chrono::NaiveDate)> {
    let mut sorted = installments.to_vec();
    sorted.sort_by_key(|i| i.due);
    let owed = owed(&sorted, paid);
    let late: Vec<(i64, chrono::NaiveDate)> = sorted
        .iter()
        .zip(owed)
        .filter(|(i, o)| i.due < today && *o > 0)
        .map(|(i, o)| (o, i.due))
        .collect();
    let first = late.first()?.1;
    Some((late.iter().map(|(o, _)| o).sum(), first))
}

#[cfg(test)]
mod installment_tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn payments_settle_the_earliest_installment_first() {
        let terms = [
            Installment {
                due: day(20),
                amount_minor: 700,
            },
            Installment {
                due: day(1),
                amount_minor: 300,
            },
        ];
        assert_eq!(owed(&terms, 0), [300, 700]);
        assert_eq!(owed(&terms, 400), [0, 600]);
        assert_eq!(owed(&terms, 5_000), [0, 0]);
        assert_eq!(overdue(&terms, 0, day(1)), None, "due today is not late");
        assert_eq!(overdue(&terms, 100, day(2)), Some((200, day(1))));
        assert_eq!(overdue(&terms, 300, day(2)), None);
        assert_eq!(overdue(&terms, 300, day(21)), Some((700, day(20))));
        assert_eq!(overdue(&terms, 100, day(21)), Some((900, day(1))));
    }

    proptest! {
        #[test]
        fn owed_adds_up_and_never_goes_negative(
            amounts in prop::collection::vec(1i64..10_000, 0..6),
            paid in 0i64..60_000,
        ) {
            let terms: Vec<Installment> = amounts
                .iter()
                .enumerate()
                .map(|(n, a)| Installment { due: day(n as u32 + 1), amount_minor: *a })
                .collect();
            let o = owed(&terms, paid);
            let total: i64 = amounts.iter().sum();
            prop_assert_eq!(o.iter().sum::<i64>(), (total - paid).max(0));
            prop_assert!(o.iter().zip(&amounts).all(|(o, a)| *o >= 0 && o <= a));
            // Once an installment is owed, every later one is owed in full.
            if let Some(k) = o.iter().position(|x| *x > 0) {
                prop_assert!(o[k + 1..].iter().zip(&amounts[k + 1..]).all(|(o, a)| o == a));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(code: &str) -> Stage {
        Stage {
            code: code.into(),
            name: "N".into(),
            name_zh: "名".into(),
            customer_visible: false,
        }
    }

    #[test]
    fn stages_are_checked() {
        assert!(check_stages(&[stage("received"), stage("closed")]).is_ok());
        assert!(check_stages(&[stage("received")]).is_err());
        assert!(check_stages(&[stage("a"), stage("a")])
            .unwrap_err()
            .contains("twice"));
        assert!(check_stages(&[stage("A b"), stage("c")])
            .unwrap_err()
            .contains("lowercase"));
    }

    #[test]
    fn only_an_earlier_configured_stage_is_backward() {
        let stages = [stage("received"), stage("shipped"), stage("closed")];
        assert!(is_backward(&stages, "shipped", "received"));
        assert!(is_backward(&stages, "closed", "shipped"));
        assert!(!is_backward(&stages, "received", "closed"));
        assert!(!is_backward(&stages, "shipped", "shipped"));
        assert!(!is_backward(&stages, "gone", "received"));
    }
}
