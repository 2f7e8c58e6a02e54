//! What a problem raised on an order is, with no I/O.

use crate::domain::words::words;
use serde::Serialize;

/// What a problem raised on an order is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The customer asks to change the order.
    Change,
    /// Something delivered is not right.
    Quality,
}

impl IssueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Change => "change",
            IssueKind::Quality => "quality",
        }
    }

    pub fn parse(s: &str) -> Option<IssueKind> {
        match s {
            "change" => Some(IssueKind::Change),
            "quality" => Some(IssueKind::Quality),
            _ => None,
        }
    }
}

impl TryFrom<&str> for IssueKind {
    type Error = ();
    fn try_from(s: &str) -> Result<IssueKind, ()> {
        IssueKind::parse(s).ok_or(())
    }
}

words!(
    /// Whether a problem raised on an order still needs an answer.
    IssueStatus { Open = "open", Resolved = "resolved" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse() {
        assert_eq!(IssueKind::parse("quality"), Some(IssueKind::Quality));
        assert_eq!(IssueKind::parse("other"), None);
    }
}
