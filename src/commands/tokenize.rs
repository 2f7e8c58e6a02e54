//! Splitting a console line into words and `name:value` pairs, honouring quotes.

use super::convert::shown;
use crate::domain::Msg;

/// One whitespace-separated word of a line, quotes removed.
#[derive(Debug, Default)]
pub(super) struct Token {
    /// Text before the first unquoted `:`/`：` (the whole word when there is none).
    pub(super) head: String,
    /// Text after it.
    pub(super) value: String,
    pub(super) has_sep: bool,
    /// A quote appeared in the value part (so an empty value was typed on purpose).
    pub(super) value_quoted: bool,
    /// The word as typed.
    pub(super) raw: String,
}

impl Token {
    fn push(&mut self, c: char) {
        if self.has_sep {
            self.value.push(c);
        } else {
            self.head.push(c);
        }
    }
}

pub(super) fn closing_quote(c: char) -> Option<char> {
    match c {
        '"' => Some('"'),
        '\'' => Some('\''),
        '“' => Some('”'),
        '‘' => Some('’'),
        _ => None,
    }
}

pub(super) fn tokenize(s: &str) -> Result<Vec<Token>, Msg> {
    let mut tokens = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(tokens);
        }
        let mut tok = Token::default();
        // (opening, closing) of the quote we are in.
        let mut quote: Option<(char, char)> = None;
        // Whether the current part (head or value) has any characters yet.
        let mut part_started = false;
        while let Some(&c) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            tok.raw.push(c);
            if let Some((_, close)) = quote {
                if c == close {
                    quote = None;
                } else if c == '\\' && close == '"' {
                    match chars.next_if(|&n| n == '"' || n == '\\') {
                        Some(n) => {
                            tok.raw.push(n);
                            tok.push(n);
                        }
                        None => tok.push(c),
                    }
                } else {
                    tok.push(c);
                }
                continue;
            }
            if !part_started {
                part_started = true;
                if let Some(close) = closing_quote(c) {
                    quote = Some((c, close));
                    if tok.has_sep {
                        tok.value_quoted = true;
                    }
                    continue;
                }
            }
            if !tok.has_sep && (c == ':' || c == '：') {
                tok.has_sep = true;
                part_started = false;
                continue;
            }
            tok.push(c);
        }
        if let Some((open, close)) = quote {
            return Err(Msg::new("command.unterminated_quote")
                .arg("quote", open)
                .arg("close", close)
                .arg("text", shown(&tok.raw)));
        }
        tokens.push(tok);
    }
}
