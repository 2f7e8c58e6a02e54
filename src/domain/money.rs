//! Amounts of money: integer minor units in one currency, and a forgiving parser for what
//! people type in chat (`40,000.50`, `¥40000`, `40000元`, `CNY 40000`, …).

use crate::domain::msg::Msg;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The largest accepted amount in minor units: one trillion major units.
#[allow(clippy::inconsistent_digit_grouping)] // grouped as major units, then the two decimals
pub const MAX_MINOR: i64 = 1_000_000_000_000_00;

/// Longest `input` argument echoed back in an error message; longer input is cut with `…`.
const MAX_ECHO_CHARS: usize = 100;

/// An ISO-4217-style currency code: exactly three uppercase ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Chinese yuan (renminbi).
    pub const CNY: Currency = Currency(*b"CNY");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");

    /// A currency from exactly three uppercase ASCII letters (`"CNY"`); anything else is `None`.
    pub fn new(code: &str) -> Option<Currency> {
        let b = code.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_uppercase) {
            Some(Currency([b[0], b[1], b[2]]))
        } else {
            None
        }
    }

    /// Whether this is the code of a currency in circulation (ISO 4217), not merely three
    /// capital letters: `XXX` ("no currency") and `XTS` ("testing") are not.
    pub fn is_iso4217(&self) -> bool {
        iso4217::CODES.binary_search(&self.as_str()).is_ok()
    }

    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII uppercase letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The usual symbol, for the currencies that have an unambiguous one here.
    pub fn symbol(&self) -> Option<&'static str> {
        match &self.0 {
            b"CNY" => Some("¥"),
            b"USD" => Some("$"),
            b"EUR" => Some("€"),
            _ => None,
        }
    }
}

impl TryFrom<&str> for Currency {
    type Error = ();
    fn try_from(code: &str) -> Result<Currency, ()> {
        Currency::new(code).ok_or(())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::new(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid currency code `{s}`: expected three uppercase letters such as CNY"
            ))
        })
    }
}

/// An amount in integer minor units (always two decimals) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in hundredths of the major unit (fen, cents).
    pub minor: i64,
    /// The currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// An amount of `minor` hundredths in `currency`. No range check.
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// `self × qty`, or `None` on overflow or if the result's magnitude exceeds [`MAX_MINOR`].
    pub fn checked_mul(self, qty: i64) -> Option<Money> {
        let minor = self.minor.checked_mul(qty)?;
        within_max(minor).then_some(Money { minor, ..self })
    }

    /// `self + other`, or `None` if the currencies differ, on overflow, or if the result's
    /// magnitude exceeds [`MAX_MINOR`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        let minor = self.minor.checked_add(other.minor)?;
        within_max(minor).then_some(Money { minor, ..self })
    }

    /// The amount without separators or currency: `80000.00`, `-5.20`.
    pub fn format_plain(&self) -> String {
        let (sign, major, cents) = self.parts();
        format!("{sign}{major}.{cents:02}")
    }

    fn parts(&self) -> (&'static str, u64, u64) {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        (sign, abs / 100, abs % 100)
    }
}

/// An amount as stored (minor units and a currency code) for people: `36,000.00 CNY`; a code
/// that is not a currency is shown as it is.
pub fn format_stored(minor: i64, currency: &str) -> String {
    Currency::new(currency)
        .map(|c| Money::new(minor, c).to_string())
        .unwrap_or_else(|| format!("{minor} {currency}"))
}

fn within_max(minor: i64) -> bool {
    minor.unsigned_abs() <= MAX_MINOR as u64
}

/// `80,000.00 CNY`: thousands separators, always two decimals, then the code.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, major, cents) = self.parts();
        write!(
            f,
            "{sign}{}.{cents:02} {}",
            group_thousands(major),
            self.currency
        )
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parses an amount typed by a person, in `default` currency.
///
/// Accepts `40000`, `40000.5`, `40,000.50`, `¥40000` / `￥40000`, `40000 CNY`, `CNY 40000`,
/// `40000cny`, `40000元` (yuan only), full-width digits and punctuation, surrounding
/// whitespace. `RMB` is read as CNY. Errors are `money.*` messages with args `input` (the
/// trimmed text, cut to 100 characters) and `currency` (the default code), plus `max` for
/// `money.too_large` and `given`/`expected` for `money.wrong_currency`.
pub fn parse_money(input: &str, default: Currency) -> Result<Money, Msg> {
    let trimmed = input.trim();
    let err = |key: &'static str| {
        Msg::new(key)
            .arg("input", shorten(trimmed))
            .arg("currency", default)
    };
    if trimmed.is_empty() {
        return Err(err("money.empty"));
    }
    let normalized: String = trimmed.chars().map(normalize_char).collect();
    let mut s = normalized.trim();
    let mut negative = false;
    let mut given: Vec<Currency> = Vec::new();

    // `(40)` is accounting notation for a negative amount.
    if s.len() >= 2 && s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].trim();
    }
    // Prefix: [sign] [code] [symbol] [sign], at most one sign in all.
    let take_sign = |s: &mut &str, negative: &mut bool| -> bool {
        match s.strip_prefix('-') {
            Some(rest) if !*negative => {
                *negative = true;
                *s = rest.trim_start();
                true
            }
            _ => false,
        }
    };
    take_sign(&mut s, &mut negative);
    if let Some((cur, rest)) = strip_code_prefix(s) {
        given.push(cur);
        s = rest.trim_start();
    }
    if let Some((cur, rest)) = strip_symbol_prefix(s) {
        given.push(cur);
        s = rest.trim_start();
    }
    take_sign(&mut s, &mut negative);
    // Suffix: [code | 元].
    if let Some(rest) = s.strip_suffix('元') {
        given.push(Currency::CNY);
        s = rest.trim_end();
    } else if let Some((cur, rest)) = strip_code_suffix(s) {
        given.push(cur);
        s = rest.trim_end();
    }

    let Some((int_digits, frac_digits)) = split_number(s) else {
        return Err(err("money.invalid"));
    };
    if let Some(other) = given.iter().find(|c| **c != default) {
        return Err(err("money.wrong_currency")
            .arg("given", other)
            .arg("expected", default));
    }
    if negative {
        return Err(err("money.negative"));
    }
    if frac_digits.len() > 2 {
        return Err(err("money.too_many_decimals"));
    }
    let too_large = || err("money.too_large").arg("max", Money::new(MAX_MINOR, default));
    let mut major: i64 = 0;
    for b in int_digits.bytes().filter(u8::is_ascii_digit) {
        major = major
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(b - b'0')))
            .ok_or_else(too_large)?;
    }
    let mut cents: i64 = 0;
    for (i, b) in frac_digits.bytes().enumerate() {
        cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
    }
    let minor = major
        .checked_mul(100)
        .and_then(|m| m.checked_add(cents))
        .ok_or_else(too_large)?;
    if minor > MAX_MINOR {
        return Err(too_large());
    }
    Ok(Money::new(minor, default))
}

/// Maps full-width forms (what Chinese input methods produce) and look-alikes to ASCII.
fn normalize_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2212}' | '\u{2013}' | '\u{2014}' => '-',
        '\u{FFE5}' => '¥',
        '\u{FFE1}' => '£',
        _ => c,
    }
}

fn code_currency(letters: &str) -> Option<Currency> {
    let upper = letters.to_ascii_uppercase();
    if upper == "RMB" {
        return Some(Currency::CNY);
    }
    Currency::new(&upper)
}

fn strip_code_prefix(s: &str) -> Option<(Currency, &str)> {
    let b = s.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    if b.get(3).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    Some((code_currency(&s[..3])?, &s[3..]))
}

fn strip_code_suffix(s: &str) -> Option<(Currency, &str)> {
    let b = s.as_bytes();
    let n = b.len();
    if n < 3 || !b[n - 3..].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    if n > 3 && b[n - 4].is_ascii_alphabetic() {
        return None;
    }
    Some((code_currency(&s[n - 3..])?, &s[..n - 3]))
}

fn strip_symbol_prefix(s: &str) -> Option<(Currency, &str)> {
    let c = s.chars().next()?;
    let cur = match c {
        '¥' => Currency::CNY,
        '$' => Currency::USD,
        '€' => Currency::EUR,
        '£' => Currency(*b"GBP"),
        _ => return None,
    };
    Some((cur, &s[c.len_utf8()..]))
}

/// Splits `40,000.50` into (`40,000`, `50`) if it is a well-formed number: digits with
/// optional thousands groups of three, and an optional non-empty fraction.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if s.contains('.') && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let mut groups = int.split(',');
    let first = groups.next()?;
    let all_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(first) {
        return None;
    }
    let mut grouped = false;
    for g in groups {
        if g.len() != 3 || !all_digits(g) {
            return None;
        }
        grouped = true;
    }
    if grouped && first.len() > 3 {
        return None;
    }
    Some((int, frac))
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

mod iso4217;

#[cfg(test)]
mod tests;
