//! A supplier's rules that need no I/O: its status, its standing from a score.

use crate::domain::words::words;
use crate::procurement::settings::Scorecard;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_inclusive() {
        let c: crate::config::Config = toml::from_str(crate::config::DEFAULTS).unwrap();
        let card = c.procurement.scorecard;
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
