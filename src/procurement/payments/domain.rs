//! A payment request's rules that need no I/O: the invoice number, the three-way match, and
//! what finance may do with an exception.

use crate::domain::words::words;
use crate::domain::Msg;

/// The subject kind (and policy name) of a payment's approval.
pub const PAYMENT: &str = "payment";
/// Longest invoice number (characters).
pub const MAX_INVOICE: usize = 40;

words!(
    /// Where a payment request stands.
    PaymentStatus {
        /// Matched; in finance's approval.
        Pending = "pending",
        /// Failed the match; waiting for finance to settle it.
        Exception = "exception",
        /// Finance put it on hold.
        Held = "held",
        /// Finance asked the supplier about it.
        Queried = "queried",
        Approved = "approved",
        Rejected = "rejected",
        Paid = "paid",
        Cancelled = "cancelled",
    }
);

impl PaymentStatus {
    /// Whether it still claims the accepted goods' value (not rejected or cancelled).
    pub fn live(self) -> bool {
        !matches!(self, PaymentStatus::Rejected | PaymentStatus::Cancelled)
    }

    /// Whether it may be cancelled: not decided yet (pending, exception, held or queried).
    pub fn cancellable(self) -> bool {
        self == PaymentStatus::Pending || self.settleable()
    }

    /// Whether finance may settle it as an exception (exception, held or queried).
    pub fn settleable(self) -> bool {
        matches!(
            self,
            PaymentStatus::Exception | PaymentStatus::Held | PaymentStatus::Queried
        )
    }
}

words!(
    /// The three-way match's verdict.
    MatchResult {
        Matched = "matched",
        Mismatch = "mismatch",
    }
);

words!(
    /// What finance does with an exception (the exception prompt's buttons).
    Settlement {
        /// Approve at the accepted goods' value.
        PayAccepted = "pay_accepted",
        Hold = "hold",
        /// Email the supplier the three figures in the PO's thread.
        AskSupplier = "ask_supplier",
        /// Approve at the invoiced amount (needs an override role and a reason).
        Override = "override",
        /// Refuse the invoice (needs a reason; the supplier is not emailed).
        Reject = "reject",
    }
);

/// An invoice number as stored: trimmed, 1 to 40 printable characters.
pub fn invoice_number(input: &str) -> Result<String, Msg> {
    let t = input.trim();
    let n = t.chars().count();
    if n == 0 || n > MAX_INVOICE || t.chars().any(char::is_control) {
        return Err(Msg::new("payment.bad_invoice").arg("max", MAX_INVOICE));
    }
    Ok(t.to_string())
}

/// The three figures of a match, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// What the PO orders: price × quantity.
    pub ordered: i64,
    /// What the accepted quantity is worth, less what earlier live requests claim.
    pub expected: i64,
    /// What the invoice asks.
    pub invoiced: i64,
}

/// What may still be invoiced on a PO: its unit price × the accepted quantity so far, less
/// the amounts of earlier live requests (never below 0).
pub fn expected(unit_price: i64, accepted_qty: i64, earlier: i64) -> i64 {
    unit_price
        .saturating_mul(accepted_qty)
        .saturating_sub(earlier)
        .max(0)
}

/// What "pay the accepted amount" approves: what is still unclaimed of the accepted goods'
/// value (`expected`, computed without this request's own claim), never more than invoiced.
pub fn accepted_payable(expected: i64, invoiced: i64) -> i64 {
    expected.min(invoiced).max(0)
}

/// Whether `invoiced` matches `expected`: it differs by at most `percent` % of it and at most
/// `absolute` (minor units).
pub fn matches(invoiced: i64, expected: i64, percent: f64, absolute: i64) -> bool {
    let diff = invoiced.abs_diff(expected);
    let by_percent = diff as f64 <= percent / 100.0 * expected as f64;
    by_percent && diff <= absolute.max(0) as u64
}

/// The verdict of the three-way match.
pub fn verdict(f: Figures, percent: f64, absolute: i64) -> MatchResult {
    if matches(f.invoiced, f.expected, percent, absolute) {
        MatchResult::Matched
    } else {
        MatchResult::Mismatch
    }
}

/// Checks a settlement: the request must wait for one, an override needs the role and a
/// reason, a rejection a reason. `f.expected` must be what is unclaimed now, without this
/// request's own claim. Returns the amount it approves (`None`: not an approval).
pub fn check_settlement(
    reference: &str,
    status: PaymentStatus,
    s: Settlement,
    f: Figures,
    may_override: bool,
    reason: &str,
) -> Result<Option<i64>, Msg> {
    if !status.settleable() {
        return Err(Msg::new("payment.not_settleable")
            .arg("ref", reference)
            .arg("status", status.as_str()));
    }
    match s {
        Settlement::PayAccepted if f.expected <= 0 => {
            Err(Msg::new("payment.nothing_accepted").arg("ref", reference))
        }
        Settlement::PayAccepted => Ok(Some(accepted_payable(f.expected, f.invoiced))),
        Settlement::Override if !may_override => {
            Err(Msg::new("payment.no_override").arg("ref", reference))
        }
        Settlement::Override if reason.trim().is_empty() => {
            Err(Msg::new("payment.override_reason").arg("ref", reference))
        }
        Settlement::Override => Ok(Some(f.invoiced)),
        Settlement::Reject if reason.trim().is_empty() => {
            Err(Msg::new("payment.reject_reason").arg("ref", reference))
        }
        Settlement::Hold | Settlement::AskSupplier | Settlement::Reject => Ok(None),
    }
}

#[cfg(test)]
// Amounts in minor units read as whole units and cents: 100_000_00 is 100,000.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn invoice_numbers_are_trimmed_and_short() {
        assert_eq!(invoice_number("  INV-1 ").unwrap(), "INV-1");
        assert!(invoice_number("   ").is_err());
        assert!(invoice_number(&"9".repeat(41)).is_err());
        assert!(invoice_number("A\u{7}B").is_err());
        assert_eq!(invoice_number("发票 2026/001").unwrap(), "发票 2026/001");
    }

    #[test]
    fn the_tolerance_is_both_a_percentage_and_an_amount() {
        // 2 % and 500.00
        assert!(matches(100_000_00, 100_000_00, 2.0, 500_00));
        assert!(matches(100_400_00, 100_000_00, 2.0, 500_00));
        assert!(!matches(100_600_00, 100_000_00, 2.0, 500_00));
        assert!(!matches(1_030_00, 1_000_00, 2.0, 500_00));
        assert!(matches(1_020_00, 1_000_00, 2.0, 500_00));
        assert!(!matches(1, 0, 2.0, 500_00));
        assert_eq!(expected(100_00, 5, 300_00), 200_00);
        assert_eq!(expected(100_00, 5, 900_00), 0);
    }

    #[test]
    fn settlements_follow_the_rules() {
        let f = Figures {
            ordered: 1000,
            expected: 500,
            invoiced: 1000,
        };
        let ex = PaymentStatus::Exception;
        let k = |r: Result<Option<i64>, Msg>| r.map_err(|m| m.key);
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::PayAccepted,
                f,
                false,
                ""
            )),
            Ok(Some(500))
        );
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::Override,
                f,
                false,
                "x"
            )),
            Err("payment.no_override")
        );
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::Override,
                f,
                true,
                " "
            )),
            Err("payment.override_reason")
        );
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::Override,
                f,
                true,
                "ok"
            )),
            Ok(Some(1000))
        );
        assert_eq!(
            k(check_settlement(
                "P",
                PaymentStatus::Held,
                Settlement::Hold,
                f,
                false,
                ""
            )),
            Ok(None)
        );
        // Never more than invoiced, even when more was accepted.
        let under = Figures {
            ordered: 1000,
            expected: 1000,
            invoiced: 700,
        };
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::PayAccepted,
                under,
                false,
                ""
            )),
            Ok(Some(700))
        );
        let none_left = Figures {
            expected: 0,
            ..under
        };
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::PayAccepted,
                none_left,
                false,
                ""
            )),
            Err("payment.nothing_accepted")
        );
        assert_eq!(
            k(check_settlement("P", ex, Settlement::Reject, f, false, " ")),
            Err("payment.reject_reason")
        );
        assert_eq!(
            k(check_settlement(
                "P",
                ex,
                Settlement::Reject,
                f,
                false,
                "dup"
            )),
            Ok(None)
        );
        assert!(PaymentStatus::Pending.cancellable() && !PaymentStatus::Approved.cancellable());
        assert_eq!(
            k(check_settlement(
                "P",
                PaymentStatus::Approved,
                Settlement::Hold,
                f,
                true,
                ""
            )),
            Err("payment.not_settleable")
        );
    }

    proptest! {
        #[test]
        fn a_match_is_within_both_tolerances(
            expected in 0i64..10_000_000_00, invoiced in 0i64..10_000_000_00,
            percent in 0.0f64..10.0, absolute in 0i64..100_000_00,
        ) {
            let m = matches(invoiced, expected, percent, absolute);
            let diff = (invoiced - expected).abs();
            if m {
                prop_assert!(diff <= absolute);
                prop_assert!(diff as f64 <= percent / 100.0 * expected as f64 + 1e-6);
            }
            prop_assert!(matches(expected, expected, percent, absolute));
            if diff > absolute {
                prop_assert!(!m);
            }
        }

        #[test]
        fn expected_never_goes_below_zero_or_above_the_accepted_value(
            price in 0i64..1_000_000_00, qty in 0i64..100_000, earlier in 0i64..i64::MAX / 2,
        ) {
            let e = expected(price, qty, earlier);
            prop_assert!(e >= 0);
            prop_assert!(e <= price.saturating_mul(qty));
        }
    }
}
