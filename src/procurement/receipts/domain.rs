//! A goods receipt's rules that need no I/O: what may be received against a PO, how late it
//! came, and how a supplier claim ends.

use crate::domain::words::words;
use crate::domain::Msg;
use crate::procurement::orders::domain::PoStatus;
use chrono::NaiveDate;

/// Longest rejection reason and inspection note (characters).
pub const MAX_REASON: usize = 500;
/// Longest resolution note (characters).
pub const MAX_NOTE: usize = 1000;

words!(
    /// A supplier claim opened by a rejection.
    ClaimStatus {
        Open = "open",
        Resolved = "resolved",
    }
);

words!(
    /// How a supplier claim was settled.
    Resolution {
        /// The supplier sends replacements (the rejected quantity stays due).
        Replacement = "replacement",
        /// The supplier credits the rejected goods.
        Credit = "credit",
        /// The goods go back to the supplier.
        Return = "return",
    }
);

/// What an inspector recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<'a> {
    pub accepted: i64,
    pub rejected: i64,
    /// The rejection's reason (trimmed; may be empty when nothing was rejected).
    pub reason: &'a str,
}

/// What is still due on a PO: what was ordered less what is done with so far (`done`: the
/// accepted quantity, plus rejected goods whose claim was settled by credit or return).
/// Rejected goods stay due until then: a replacement is still to come.
pub fn still_due(ordered: i64, done: i64) -> i64 {
    (ordered - done).max(0)
}

impl Resolution {
    /// Whether settling a claim this way means the rejected goods are no longer expected.
    pub fn writes_off(self) -> bool {
        !matches!(self, Resolution::Replacement)
    }
}

/// Checks a receipt against PO `po` (its status, ordered quantity and what is done with so
/// far, see [`still_due`]); every problem at once.
pub fn check(
    po: &str,
    status: PoStatus,
    ordered: i64,
    done: i64,
    c: Counted<'_>,
) -> Result<(), Vec<Msg>> {
    if !status.receivable() {
        return Err(vec![Msg::new("receipt.not_receivable")
            .arg("ref", po)
            .arg("status", status.as_str())]);
    }
    let mut out = Vec::new();
    if c.accepted < 0 {
        out.push(Msg::new("receipt.negative").arg("option", "accepted"));
    }
    if c.rejected < 0 {
        out.push(Msg::new("receipt.negative").arg("option", "rejected"));
    }
    if out.is_empty() {
        if c.accepted == 0 && c.rejected == 0 {
            out.push(Msg::new("receipt.nothing"));
        }
        let due = still_due(ordered, done);
        match c.accepted.checked_add(c.rejected) {
            Some(n) if n <= due => {}
            _ => out.push(
                Msg::new("receipt.too_many")
                    .arg("ref", po)
                    .arg("due", due)
                    .arg("ordered", ordered)
                    .arg("count", c.accepted.saturating_add(c.rejected)),
            ),
        }
        if c.rejected > 0 && c.reason.trim().is_empty() {
            out.push(Msg::new("receipt.reason_needed"));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// Days after the delivery date the goods came (0: on time or no date agreed).
pub fn days_late(received: NaiveDate, delivery_on: Option<NaiveDate>) -> i64 {
    delivery_on.map_or(0, |d| (received - d).num_days().max(0))
}

/// Whether everything ordered is done with (accepted, or written off by a settled claim).
pub fn complete(ordered: i64, done: i64) -> bool {
    done >= ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(r: Result<(), Vec<Msg>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.key)
            .collect()
    }

    fn c(accepted: i64, rejected: i64, reason: &str) -> Counted<'_> {
        Counted {
            accepted,
            rejected,
            reason,
        }
    }

    #[test]
    fn only_sent_or_confirmed_orders_are_received() {
        for s in PoStatus::ALL {
            let r = check("PO-000001", *s, 10, 0, c(1, 0, ""));
            assert_eq!(r.is_ok(), s.receivable(), "{s}");
        }
    }

    #[test]
    fn bad_counts_name_what_to_fix() {
        let sent = PoStatus::Sent;
        assert_eq!(
            keys(check("P", sent, 10, 0, c(-1, 0, ""))),
            ["receipt.negative"]
        );
        assert_eq!(
            keys(check("P", sent, 10, 0, c(0, 0, ""))),
            ["receipt.nothing"]
        );
        assert_eq!(
            keys(check("P", sent, 10, 4, c(5, 2, "x"))),
            ["receipt.too_many"]
        );
        assert_eq!(
            keys(check("P", sent, 10, 0, c(5, 2, " "))),
            ["receipt.reason_needed"]
        );
        assert!(check("P", sent, 10, 4, c(3, 3, "broken")).is_ok());
        assert!(check("P", sent, 10, 0, c(i64::MAX, 1, "x")).is_err());
    }

    #[test]
    fn only_a_replacement_keeps_rejected_goods_due() {
        assert!(!Resolution::Replacement.writes_off());
        assert!(Resolution::Credit.writes_off() && Resolution::Return.writes_off());
    }

    #[test]
    fn lateness_counts_days_after_the_date() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        assert_eq!(days_late(d(5), Some(d(3))), 2);
        assert_eq!(days_late(d(1), Some(d(3))), 0);
        assert_eq!(days_late(d(1), None), 0);
    }

    proptest! {
        #[test]
        fn an_accepted_receipt_never_takes_more_than_is_due(
            ordered in 1i64..1000, so_far in 0i64..1000, a in -5i64..1200, r in -5i64..1200,
        ) {
            let so_far = so_far.min(ordered);
            let ok = check("P", PoStatus::Confirmed, ordered, so_far, c(a, r, "why")).is_ok();
            prop_assert_eq!(ok, a >= 0 && r >= 0 && a + r > 0 && a + r <= ordered - so_far);
            if ok {
                prop_assert!(so_far + a <= ordered);
                prop_assert_eq!(complete(ordered, so_far + a), so_far + a == ordered);
            }
        }
    }
}
