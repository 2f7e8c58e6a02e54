//! Customers: who the company sells to and serves. Validation of what people type about them;
//! the records live in the store.

use crate::domain::{Locale, Msg};
use serde::Serialize;
use std::fmt;

/// A customer record's id: its own type, so it cannot be passed where an employee's, an
/// order's or an opportunity's id is wanted. (The store reads and writes it as an integer.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CustomerId(pub i64);

/// The number, as users type it after `#`.
impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Longest name or company kept.
pub const MAX_NAME: usize = 200;
/// Longest phone number as written (separators included).
pub const MAX_PHONE: usize = 40;

/// A customer's details as entered (every field checked).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerInput {
    pub name: String,
    pub company: String,
    /// Normalised (`domain::email::normalize`: NFKC, lowercased), or empty.
    pub email: String,
    /// As written (spaces and dashes kept), or empty.
    pub phone: String,
    pub locale: Option<Locale>,
}

/// Checks a name or company: not blank, at most [`MAX_NAME`] characters, one line without
/// control or text-direction characters ([`crate::domain::text`]). Returns it trimmed.
pub fn check_name(field: &'static str, text: &str) -> Result<String, Msg> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Msg::new("customer.name_required").arg("field", field));
    }
    crate::domain::text::check(t, false).map_err(|r| r.msg(field))?;
    if t.chars().count() > MAX_NAME {
        return Err(Msg::new("customer.bad_name")
            .arg("field", field)
            .arg("max", MAX_NAME));
    }
    Ok(t.to_string())
}

/// Checks an email address (`local@domain.tld`, no spaces, at most 254 characters); returns
/// it normalised ([`crate::domain::email::normalize`]: full-width letters made ASCII, lowercased), so
/// one address has one spelling and the uniqueness check cannot be passed with look-alikes.
pub fn check_email(text: &str) -> Result<String, Msg> {
    let typed = text.trim();
    let bad = || Msg::new("customer.bad_email").arg("value", shown(typed));
    let t = crate::domain::email::normalize(typed);
    let (local, domain) = t.rsplit_once('@').ok_or_else(bad)?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let ok = t.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
        && domain.rsplit('.').next().is_some_and(|tld| {
            tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
        });
    if ok {
        Ok(t)
    } else {
        Err(bad())
    }
}

/// Checks a phone number: digits with optional `+` first and spaces, dashes, dots or
/// parentheses between, 6 to 15 digits (E.164's limit), at most [`MAX_PHONE`] characters in
/// all. Returns it trimmed.
pub fn check_phone(text: &str) -> Result<String, Msg> {
    let t = text.trim();
    let bad = || Msg::new("customer.bad_phone").arg("value", shown(t));
    let body = t.strip_prefix('+').unwrap_or(t);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let ok = (6..=15).contains(&digits)
        && t.chars().count() <= MAX_PHONE
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '(');
    if ok {
        Ok(t.to_string())
    } else {
        Err(bad())
    }
}

/// Checks a language tag: `en` or `zh-CN` (also `zh`, `cn`, `中文`, `英文`).
pub fn check_locale(text: &str) -> Result<Locale, Msg> {
    let t = text.trim();
    match t.to_lowercase().as_str() {
        "zh" | "cn" | "中文" | "zh-cn" | "zh_cn" => Ok(Locale::ZhCn),
        "英文" | "en" | "english" => Ok(Locale::En),
        _ => Locale::parse(t).ok_or_else(|| Msg::new("customer.bad_locale").arg("value", shown(t))),
    }
}

/// The text of a CSV file to import: UTF-8, with or without a byte-order mark. Anything else
/// (GBK, what Excel saves as "CSV" on a Chinese Windows; UTF-16 "Unicode text") is refused with
/// the line of the first character that cannot be read and the advice to save as "CSV UTF-8";
/// guessing GBK could silently turn another encoding's names into the wrong characters.
pub fn csv_text(bytes: &[u8]) -> Result<&str, Msg> {
    let not_utf8 = |line: usize| Msg::new("customer.csv_not_utf8").arg("line", line);
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(not_utf8(1));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let read = &bytes[..e.valid_up_to()];
        not_utf8(read.iter().filter(|b| **b == b'\n').count() + 1)
    })
}

/// Checks a whole customer; every problem at once. `email` and `phone` may be empty, but not
/// both (there must be a way to reach them).
pub fn check(
    name: &str,
    company: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    locale: Option<&str>,
) -> Result<CustomerInput, Vec<Msg>> {
    let mut problems = Vec::new();
    let mut out = CustomerInput::default();
    match check_name("name", name) {
        Ok(n) => out.name = n,
        Err(m) => problems.push(m),
    }
    if let Some(c) = company.map(str::trim).filter(|c| !c.is_empty()) {
        match check_name("company", c) {
            Ok(c) => out.company = c,
            Err(m) => problems.push(m),
        }
    }
    if let Some(e) = email.map(str::trim).filter(|e| !e.is_empty()) {
        match check_email(e) {
            Ok(e) => out.email = e,
            Err(m) => problems.push(m),
        }
    }
    if let Some(p) = phone.map(str::trim).filter(|p| !p.is_empty()) {
        match check_phone(p) {
            Ok(p) => out.phone = p,
            Err(m) => problems.push(m),
        }
    }
    if let Some(l) = locale.map(str::trim).filter(|l| !l.is_empty()) {
        match check_locale(l) {
            Ok(l) => out.locale = Some(l),
            Err(m) => problems.push(m),
        }
    }
    let no_contact =
        email.is_none_or(|e| e.trim().is_empty()) && phone.is_none_or(|p| p.trim().is_empty());
    if no_contact {
        problems.push(Msg::new("customer.no_contact"));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn shown(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        s.chars().take(59).chain(['…']).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_one_clean_line() {
        assert_eq!(check_name("name", " 周军 ").unwrap(), "周军");
        for (bad, key) in [
            ("Zhou\nJun", "option.line_break"),
            ("\u{1b}[31mZhou", "option.control_char"),
            ("Zhou\u{202E}nuJ", "option.bidi_char"),
        ] {
            let m = check_name("company", bad).unwrap_err();
            assert_eq!((m.key, m.get("option")), (key, Some("company")), "{bad:?}");
        }
    }

    #[test]
    fn phones_are_limited_as_the_command_is_without_it() {
        assert_eq!(
            check_phone(" +86 21-5555 0101 ").unwrap(),
            "+86 21-5555 0101"
        );
        // Few enough digits, but padded past the 40 characters `/customer add` allows.
        let padded = format!("1{}23456", "-".repeat(40));
        assert_eq!(check_phone(&padded).unwrap_err().key, "customer.bad_phone");
        assert!(check_phone("12345").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            check_email(" Zhou.Jun@Example.COM ").unwrap(),
            "zhou.jun@example.com"
        );
        assert!(check_email("li+sales@huadong.com.cn").is_ok());
        assert!(check_email("张三@例子.中国").is_ok());
        assert_eq!(
            check_email("q@ｅｘａｍｐｌｅ.com").unwrap(),
            "q@example.com"
        );
        assert_eq!(
            check_email("Ｑ＠ＥＸＡＭＰＬＥ．ＣＯＭ").unwrap(),
            "q@example.com"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "a@b.c",
            "a b@c.com",
            "@c.com",
            "a@.com",
            "a@c..com",
            "a..b@c.com",
            "a@c.com.",
            "a@-c.com",
            "a@c.123",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_text_is_utf8_with_or_without_a_bom() {
        assert_eq!(csv_text("name\n周军\n".as_bytes()), Ok("name\n周军\n"));
        assert_eq!(csv_text(b"\xef\xbb\xbfname\n"), Ok("name\n"));
        // 周军 in GBK on line 2; UTF-16 with its byte-order mark.
        let gbk = csv_text(b"name\n\xd6\xdc\xbe\xfc\n").unwrap_err();
        assert_eq!(
            (gbk.key, gbk.get("line")),
            ("customer.csv_not_utf8", Some("2"))
        );
        assert!(csv_text(b"\xff\xfen\x00a\x00").is_err());
    }

    #[test]
    fn phones() {
        for ok in [
            "+86 138 0013 8000",
            "13800138000",
            "(021) 6234-5678",
            "+1 415.555.0100",
        ] {
            assert!(check_phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "12345",
            "phone",
            "+86 138 0013 8000 ext 5",
            "1234567890123456",
            "++86 1380013800",
            "-138001380",
        ] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_customer_needs_a_name_and_a_way_to_reach_them() {
        let e = check("", None, None, None, Some("fr")).unwrap_err();
        let keys: Vec<&str> = e.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                "customer.name_required",
                "customer.bad_locale",
                "customer.no_contact"
            ]
        );
        let c = check(
            "周军",
            Some("华东电子"),
            Some("ZJ@huadong.cn"),
            None,
            Some("中文"),
        )
        .unwrap();
        assert_eq!(
            (c.email.as_str(), c.locale),
            ("zj@huadong.cn", Some(Locale::ZhCn))
        );
    }

    proptest! {
        #[test]
        fn checks_never_panic(s in "\\PC{0,80}") {
            let _ = check_email(&s);
            let _ = check_phone(&s);
            let _ = check_locale(&s);
            let _ = check(&s, Some(&s), Some(&s), Some(&s), Some(&s));
        }
    }
}
