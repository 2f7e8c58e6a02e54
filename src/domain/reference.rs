//! Human references for the subjects people talk about: `REQ-000042`, `PO-000007`, ….

use crate::domain::msg::Msg;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Longest `input` argument echoed back in an error message; longer input is cut with `…`.
const MAX_ECHO_CHARS: usize = 100;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    Requisition,
    Inquiry,
    SalesOrder,
    PurchaseOrder,
    Opportunity,
    Contract,
    Supplier,
    GoodsReceipt,
    Payment,
    Budget,
    Expense,
}

impl RefKind {
    /// Every kind, in prefix order of the docs.
    pub const ALL: [RefKind; 11] = [
        RefKind::Requisition,
        RefKind::Inquiry,
        RefKind::SalesOrder,
        RefKind::PurchaseOrder,
        RefKind::Opportunity,
        RefKind::Contract,
        RefKind::Supplier,
        RefKind::GoodsReceipt,
        RefKind::Payment,
        RefKind::Budget,
        RefKind::Expense,
    ];

    /// The uppercase prefix: `REQ`, `INQ`, `SO`, `PO`, `OPP`, `CTR`, `SUP`, `GR`, `PAY`, `BUD`, `EXP`.
    pub fn prefix(self) -> &'static str {
        match self {
            RefKind::Requisition => "REQ",
            RefKind::Inquiry => "INQ",
            RefKind::SalesOrder => "SO",
            RefKind::PurchaseOrder => "PO",
            RefKind::Opportunity => "OPP",
            RefKind::Contract => "CTR",
            RefKind::Supplier => "SUP",
            RefKind::GoodsReceipt => "GR",
            RefKind::Payment => "PAY",
            RefKind::Budget => "BUD",
            RefKind::Expense => "EXP",
        }
    }

    /// The kind for a prefix, case-insensitively.
    pub fn from_prefix(prefix: &str) -> Option<RefKind> {
        RefKind::ALL
            .into_iter()
            .find(|k| k.prefix().eq_ignore_ascii_case(prefix))
    }

    /// The command line that tells a reference's story, to which ` ref:REF` is added (the
    /// web's page per reference runs it as the reader, so it checks what they may see).
    pub fn show_command(self) -> &'static str {
        match self {
            RefKind::Requisition => "/requisition show",
            RefKind::Inquiry => "/inquiry show",
            RefKind::SalesOrder => "/order status",
            RefKind::PurchaseOrder => "/po show",
            RefKind::Opportunity => "/opportunity show",
            RefKind::Contract => "/contract show",
            RefKind::Supplier => "/supplier show",
            RefKind::GoodsReceipt => "/receipt show",
            RefKind::Payment => "/payment show",
            RefKind::Budget => "/budget show",
            RefKind::Expense => "/expense show",
        }
    }

    /// An example reference of this kind for messages: `REQ-000042`.
    pub fn example(self) -> String {
        Reference {
            kind: self,
            number: 42,
        }
        .to_string()
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// A reference such as `REQ-000042`. `number` is at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    pub kind: RefKind,
    pub number: i64,
}

impl Reference {
    /// A reference, or `None` if `number` is below 1.
    pub fn new(kind: RefKind, number: i64) -> Option<Reference> {
        (number >= 1).then_some(Reference { kind, number })
    }

    /// Parses `REQ-000042`, `req-42`, `REQ42`, ` REQ - 42 ` (case-insensitive, full-width
    /// forms accepted).
    ///
    /// Errors: `reference.invalid` (arg `input`), `reference.unknown_kind` (args `input`,
    /// `prefix`, `known`). `input` is the trimmed text, cut to 100 characters.
    pub fn parse(s: &str) -> Result<Reference, Msg> {
        let trimmed = s.trim();
        let normalized = normalize(trimmed);
        let invalid = || Msg::new("reference.invalid").arg("input", shorten(trimmed));
        let Some((prefix, digits)) = split(&normalized) else {
            return Err(invalid());
        };
        if prefix.is_empty() {
            return Err(invalid());
        }
        let Some(kind) = RefKind::from_prefix(prefix) else {
            return Err(Msg::new("reference.unknown_kind")
                .arg("input", shorten(trimmed))
                .arg("prefix", shorten(&prefix.to_ascii_uppercase()))
                .arg("known", known_prefixes()));
        };
        let number = parse_number(digits).ok_or_else(invalid)?;
        Ok(Reference { kind, number })
    }

    /// Like [`Reference::parse`], but for a place where only `kind` makes sense: also accepts a
    /// bare number (`42`), and refuses another kind with `reference.wrong_kind` (args `input`,
    /// `expected` = an example such as `REQ-000042`).
    pub fn parse_as(s: &str, kind: RefKind) -> Result<Reference, Msg> {
        let trimmed = s.trim();
        let normalized = normalize(trimmed);
        if let Some(("", digits)) = split(&normalized) {
            return parse_number(digits)
                .map(|number| Reference { kind, number })
                .ok_or_else(|| Msg::new("reference.invalid").arg("input", shorten(trimmed)));
        }
        let r = Reference::parse(s)?;
        if r.kind != kind {
            return Err(Msg::new("reference.wrong_kind")
                .arg("input", shorten(trimmed))
                .arg("expected", kind.example()));
        }
        Ok(r)
    }
}

/// `REQ-000042`: the prefix, a hyphen, the number zero-padded to six digits.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.kind.prefix(), self.number)
    }
}

impl FromStr for Reference {
    type Err = Msg;
    fn from_str(s: &str) -> Result<Self, Msg> {
        Reference::parse(s)
    }
}

impl Serialize for Reference {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Reference::parse(&s).map_err(|_| {
            serde::de::Error::custom(format!("invalid reference `{s}`: expected e.g. REQ-000042"))
        })
    }
}

fn known_prefixes() -> String {
    RefKind::ALL.map(RefKind::prefix).join(", ")
}

/// Full-width forms to ASCII, dash look-alikes to `-`.
fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

/// Splits `REQ-42` / `REQ42` / `REQ - 42` / `42` into (letters, digits); `None` if the shape
/// is wrong. Whitespace is allowed around the hyphen, not inside the number.
fn split(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let letters_end = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    let (prefix, rest) = s.split_at(letters_end);
    let digits = if prefix.is_empty() {
        rest
    } else {
        let rest = rest.trim_start();
        rest.strip_prefix('-').unwrap_or(rest).trim_start()
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((prefix, digits))
}

/// A positive number that fits in `i64`.
fn parse_number(digits: &str) -> Option<i64> {
    let mut n: i64 = 0;
    for b in digits.bytes() {
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    (n >= 1).then_some(n)
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests;
