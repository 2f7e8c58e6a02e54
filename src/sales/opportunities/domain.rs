//! An opportunity's rules that need no I/O: its priority, what its assessment needs, and how
//! many become orders.

use crate::approval::domain::Decision;
use crate::domain::Msg;
use crate::sales::contracts::domain::check_review;
use serde::Serialize;

/// The subject kind (and policy name) of an opportunity's assessment.
pub const OPPORTUNITY: &str = "opportunity";
/// Longest opportunity notes (characters).
pub const MAX_NOTES: usize = 2000;

/// How urgently the central office wants an opportunity pursued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    /// The stored name, also the command choice and the button verb.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl TryFrom<&str> for Priority {
    type Error = ();
    fn try_from(s: &str) -> Result<Priority, ()> {
        Priority::parse(s).ok_or(())
    }
}

/// Checks a decision on an opportunity: approving it is the central office's assessment, so
/// it records a priority and the feasibility in words; it is approved or rejected (a new one
/// is submitted instead of sending one back for changes).
pub fn check_assessment(
    reference: &str,
    decision: Decision,
    priority: Option<Priority>,
    comment: Option<&str>,
) -> Result<(), Msg> {
    check_review(
        reference,
        decision,
        priority.is_some() && decision != Decision::Approve,
    )?;
    if decision == Decision::Approve {
        let said = comment.is_some_and(|c| !c.trim().is_empty());
        if priority.is_none() || !said {
            return Err(Msg::new("sales.assessment_needed").arg("ref", reference));
        }
    }
    Ok(())
}

/// Opportunity → order conversion in whole percent: of the opportunities approved, how many
/// have at least one order. `None` with no approved opportunity.
pub fn conversion_percent(approved: i64, converted: i64) -> Option<i64> {
    (approved > 0).then(|| (converted.min(approved) * 100 + approved / 2) / approved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opportunity_needs_its_assessment() {
        let ok = |d, p, c| check_assessment("OPP-000001", d, p, c);
        let key = |r: Result<(), Msg>| r.err().map(|m| m.key);
        let needed = Some("sales.assessment_needed");
        assert_eq!(key(ok(Decision::Approve, None, Some("feasible"))), needed);
        assert_eq!(
            key(ok(Decision::Approve, Some(Priority::High), None)),
            needed
        );
        assert_eq!(
            key(ok(Decision::Approve, Some(Priority::High), Some("  "))),
            needed
        );
        assert!(ok(Decision::Approve, Some(Priority::Low), Some("yes")).is_ok());
        assert!(ok(Decision::Reject, None, Some("no capacity")).is_ok());
        assert_eq!(
            key(ok(Decision::Reject, Some(Priority::Low), Some("no"))),
            Some("sales.priority_not_here")
        );
        assert_eq!(
            key(ok(Decision::Changes, None, Some("why"))),
            Some("sales.no_changes")
        );
    }

    #[test]
    fn conversion_rounds_and_caps() {
        assert_eq!(conversion_percent(0, 0), None);
        assert_eq!(conversion_percent(3, 1), Some(33));
        assert_eq!(conversion_percent(3, 2), Some(67));
        assert_eq!(conversion_percent(2, 5), Some(100));
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
    }
}
