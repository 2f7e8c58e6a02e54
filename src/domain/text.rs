//! Free text that people type and others read: which characters a field may hold, and how
//! stored text is shown so that it cannot take over a screen.
//!
//! Refused in every field: C0 controls (ESC starts the terminal sequences that recolour or
//! clear a screen, BEL rings, CR rewrites a line), DEL, C1 controls, and the bidirectional
//! formatting characters (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, and
//! the invisible marks U+200E, U+200F and U+061C), which make text read in another order
//! than it is stored; Chinese and English text needs none of them. Line breaks (`\n`, `\r\n`
//! and U+2028/U+2029, all stored as `\n`) are allowed in multi-line fields only; tabs in any.

use crate::domain::msg::Msg;
use std::borrow::Cow;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A line break in a one-line field.
    LineBreak,
    /// A control character.
    Control(char),
    /// A bidirectional formatting character.
    Bidi(char),
}

impl Refusal {
    /// The message for a field (`option` names it, as the parser's messages do).
    pub fn msg(self, field: &str) -> Msg {
        let (key, c) = match self {
            Refusal::LineBreak => ("option.line_break", '\n'),
            Refusal::Control(c) => ("option.control_char", c),
            Refusal::Bidi(c) => ("option.bidi_char", c),
        };
        Msg::new(key).arg("option", field).arg("char", code(c))
    }
}

/// `U+001B`.
pub fn code(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// A bidirectional formatting character.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A C0 or C1 control character or DEL (line breaks and tabs included).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Checks a field's text: `Ok` with line breaks normalised to `\n` (multi-line fields), or why
/// it is refused (the first offending character).
pub fn check(text: &str, multiline: bool) -> Result<Cow<'_, str>, Refusal> {
    let mut needs_rewrite = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_line_break(c) {
            if !multiline {
                return Err(Refusal::LineBreak);
            }
            needs_rewrite |= c != '\n';
            // A lone CR moves the cursor back over the line: only CR LF is a line break.
            if c == '\r' && chars.peek() != Some(&'\n') {
                return Err(Refusal::Control(c));
            }
        } else if c == '\t' {
            // A tab only moves the cursor on; text pasted from a spreadsheet has them.
        } else if is_control(c) {
            return Err(Refusal::Control(c));
        } else if is_bidi(c) {
            return Err(Refusal::Bidi(c));
        }
    }
    if !needs_rewrite {
        return Ok(Cow::Borrowed(text));
    }
    Ok(Cow::Owned(
        text.replace("\r\n", "\n")
            .replace(['\u{2028}', '\u{2029}'], "\n"),
    ))
}

/// Refuses a text longer than `max` characters, counted and worded as the command parser does
/// (`option.too_long`), so a caller that skips the parser (a modal, a web form, an import)
/// meets the same limit a typed command does.
pub fn at_most(field: &'static str, text: &str, max: usize) -> Result<(), Msg> {
    let length = text.chars().count();
    if length <= max {
        return Ok(());
    }
    Err(Msg::new("option.too_long")
        .arg("option", field)
        .arg("max", max)
        .arg("length", length))
}

/// An optional free text (a note, notes, terms): trimmed, at most `max` characters; empty when
/// not given.
pub fn optional(field: &'static str, text: Option<&str>, max: usize) -> Result<String, Msg> {
    let t = text.map(str::trim).unwrap_or("");
    at_most(field, t, max)?;
    Ok(t.to_string())
}

/// The harmless, visible stand-in for a character that must not reach a screen raw: `^[` for
/// ESC and the other C0 controls and DEL (caret notation), U+FFFD for C1 controls and
/// bidirectional formatting characters.
fn stand_in(c: char, out: &mut String) {
    match c as u32 {
        n @ 0..=0x1F => {
            out.push('^');
            out.push(char::from(b'@' + n as u8));
        }
        0x7F => out.push_str("^?"),
        _ => out.push('\u{FFFD}'),
    }
}

/// Text made safe to show on a terminal, in a chat message or a plain-text email: every
/// control character (but `\n` and tab) and every bidirectional formatting character is
/// replaced by a visible stand-in; `\r\n` becomes `\n`.
pub fn display_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| (is_control(c) && c != '\n' && c != '\t') || is_bidi(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if unsafe_char(c) {
            stand_in(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text with every character [`check`] refuses dropped and line breaks stored as
/// `\n`: for text from outside (a customer's comment on a web form) that cannot be sent back
/// to be retyped.
pub fn clean(text: &str) -> String {
    let text = text
        .replace("\r\n", "\n")
        .replace(['\u{2028}', '\u{2029}'], "\n");
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || !(is_control(c) || is_bidi(c)))
        .collect()
}

/// [`display_safe`] on one line: line breaks and tabs are shown as `⏎` and a space (for
/// echoing a refused value back in a message).
pub fn one_line(text: &str) -> String {
    display_safe(text)
        .chars()
        .map(|c| match c {
            '\n' => '⏎',
            '\t' => ' ',
            c => c,
        })
        .collect()
}

/// Equality of two secrets (signatures, tokens) that takes the same time wherever they differ:
/// a timing difference must not reveal how much of a guess is right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_refuse_controls_breaks_and_bidi() {
        let hostile = "\u{1b}[31mRED\u{1b}[0m\u{7}";
        assert_eq!(check(hostile, false), Err(Refusal::Control('\u{1b}')));
        assert_eq!(check(hostile, true), Err(Refusal::Control('\u{1b}')));
        assert_eq!(
            check("line1\nline2 [1] Approve", false),
            Err(Refusal::LineBreak)
        );
        assert_eq!(check("a\u{2028}b", false), Err(Refusal::LineBreak));
        assert_eq!(
            check("invoice\u{202E}fdp.exe", false),
            Err(Refusal::Bidi('\u{202E}'))
        );
        assert_eq!(check("x\u{2067}y", true), Err(Refusal::Bidi('\u{2067}')));
        assert_eq!(check("a\tb", false).unwrap(), "a\tb");
        assert_eq!(check("\u{85}", true), Err(Refusal::Control('\u{85}')));
        assert_eq!(check("\u{7f}", true), Err(Refusal::Control('\u{7f}')));
        assert_eq!(check("over\rwrite", true), Err(Refusal::Control('\r')));
        assert_eq!(
            Refusal::Control('\u{1b}').msg("item").get("char"),
            Some("U+001B")
        );
    }

    #[test]
    fn lengths_are_counted_in_characters_as_the_parser_counts_them() {
        assert!(at_most("item", &"笔".repeat(200), 200).is_ok());
        let m = at_most("item", &"笔".repeat(201), 200).unwrap_err();
        assert_eq!(m.key, "option.too_long");
        assert_eq!(
            (m.get("option"), m.get("max"), m.get("length")),
            (Some("item"), Some("200"), Some("201"))
        );
        assert_eq!(optional("note", Some("  hi "), 2).unwrap(), "hi");
        assert_eq!(optional("note", None, 2).unwrap(), "");
        assert!(optional("note", Some("abc"), 2).is_err());
    }

    #[test]
    fn multi_line_fields_keep_breaks_as_lf() {
        assert_eq!(check("ok 笔记本 ✓ 👍🏽", false).unwrap(), "ok 笔记本 ✓ 👍🏽");
        assert!(matches!(check("a\nb", true), Ok(Cow::Borrowed("a\nb"))));
        assert_eq!(check("a\r\nb\u{2029}c\td", true).unwrap(), "a\nb\nc\td");
    }

    #[test]
    fn stored_text_is_shown_harmless() {
        assert_eq!(
            display_safe("\u{1b}[31mRED\u{1b}[0m\u{7}"),
            "^[[31mRED^[[0m^G"
        );
        assert_eq!(
            display_safe("a\u{202E}b\u{9b}c\u{7f}"),
            "a\u{FFFD}b\u{FFFD}c^?"
        );
        assert_eq!(display_safe("two\r\nlines\tok"), "two\nlines\tok");
        assert!(matches!(display_safe("plain 中文"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\nb\u{1b}"), "a⏎b^[");
        assert_eq!(clean("ok\r\n\u{1b}[2Jfine\u{202E}\u{7}"), "ok\n[2Jfine");
    }
}
