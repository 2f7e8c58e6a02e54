//! A contract's rules that need no I/O.

use crate::approval::domain::Decision;
use crate::domain::Msg;

/// The subject kind (and policy name) of a contract's review.
pub const CONTRACT: &str = "contract";
/// Longest contract terms (characters).
pub const MAX_TERMS: usize = 2000;

/// Checks a decision on a contract: approved or rejected, never sent back, and no priority.
pub fn check_review(reference: &str, decision: Decision, graded: bool) -> Result<(), Msg> {
    if decision == Decision::Changes {
        return Err(Msg::new("sales.no_changes").arg("ref", reference));
    }
    if graded {
        return Err(Msg::new("sales.priority_not_here").arg("ref", reference));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_is_approved_or_rejected() {
        let key = |r: Result<(), Msg>| r.err().map(|m| m.key);
        assert_eq!(
            key(check_review("CTR-000001", Decision::Changes, false)),
            Some("sales.no_changes")
        );
        assert_eq!(
            key(check_review("CTR-000001", Decision::Approve, true)),
            Some("sales.priority_not_here")
        );
        assert!(check_review("CTR-000001", Decision::Approve, false).is_ok());
    }
}
