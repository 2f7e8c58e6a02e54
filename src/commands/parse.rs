//! Turning a console line, or a Discord interaction's options, into a validated [`Invocation`].
//!
//! Console syntax: `/requisition new item:"ThinkPad X1" quantity:2 unit_price:40000`.
//! The leading `/` is optional; words split on whitespace outside quotes; quotes are `"…"`
//! (with `\"` and `\\` escapes), `'…'`, `“…”` and `‘…’` and open only at the start of a word
//! or of a value (so `it's` needs no escaping); options are `name:value` or `name：value`
//! with the English or Chinese option name. Every problem in the line is reported at once.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::convert::*;
use super::spec::{Catalog, CommandSpec, SubcommandSpec};
use super::suggest::closest;
use super::tokenize::tokenize;
use crate::domain::money::{Currency, Money};
use crate::domain::reference::Reference;
use crate::domain::Msg;

/// What the parser needs to know about the user and the company.
#[derive(Debug, Clone)]
pub struct ParseContext {
    /// Currency of money amounts typed without one.
    pub currency: Currency,
    /// Today in the company's time zone: dates beyond the horizon
    /// ([`crate::domain::horizon`]) are refused.
    pub today: NaiveDate,
    /// The configured values (categories, stages) options with `terms` accept by name.
    pub terms: std::sync::Arc<crate::domain::term::Vocabulary>,
}

/// An option value as a transport hands it over: Discord gives typed values, the console text.
/// For `user` options the transport passes the person's handle as `Text`.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Text(String),
    Int(i64),
    Number(f64),
    Bool(bool),
}

/// A validated, typed option value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A plain string option (trimmed), or the `value` of the chosen choice.
    Str(String),
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A `user` option: a lowercase handle without `@`.
    Handle(String),
    Money(Money),
    Date(NaiveDate),
    Ref(Reference),
}

/// A parsed and validated command.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// English command name.
    pub command: String,
    /// English subcommand name, for commands with subcommands.
    pub subcommand: Option<String>,
    /// The action to dispatch, e.g. `requisition.new`.
    pub action: String,
    /// Given options by English name. Absent optional options are not in the map.
    pub options: BTreeMap<String, Value>,
}

impl Invocation {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.options.get(name)
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        match self.get(name)? {
            Value::Number(n) => Some(*n),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn handle(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Value::Handle(h) => Some(h),
            _ => None,
        }
    }

    pub fn money(&self, name: &str) -> Option<Money> {
        match self.get(name)? {
            Value::Money(m) => Some(*m),
            _ => None,
        }
    }

    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name)? {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn reference(&self, name: &str) -> Option<Reference> {
        match self.get(name)? {
            Value::Ref(r) => Some(*r),
            _ => None,
        }
    }
}

/// Parses a console line against the catalog.
pub fn parse_line(
    catalog: &Catalog,
    line: &str,
    ctx: &ParseContext,
) -> Result<Invocation, Vec<Msg>> {
    let body = line.trim_start();
    let body = body
        .strip_prefix('/')
        .or_else(|| body.strip_prefix('／'))
        .unwrap_or(body);
    let tokens = tokenize(body).map_err(|m| vec![m])?;
    let mut tokens = tokens.into_iter().peekable();
    let Some(first) = tokens.next() else {
        return Err(vec![Msg::new("command.empty")]);
    };
    let word = if first.has_sep {
        &first.raw
    } else {
        &first.head
    };
    let command = catalog
        .find_command(word)
        .ok_or_else(|| vec![unknown_command(catalog, word)])?;

    let sub_word = if command.subcommands.is_empty() {
        None
    } else {
        tokens.next_if(|t| !t.has_sep).map(|t| t.head)
    };
    let sub = resolve_subcommand(command, sub_word.as_deref()).map_err(|m| vec![m])?;

    // A bare word right after the subcommand fills its positional option, if it has one.
    let positional = sub.and_then(|s| s.options.iter().find(|o| o.positional));
    let first_bare = match positional {
        Some(o) => tokens.next_if(|t| !t.has_sep).map(|t| Piece::Opt {
            name: o.name.clone(),
            bare_empty: false,
            value: RawValue::Text(t.head),
        }),
        None => None,
    };
    let pieces = first_bare
        .into_iter()
        .chain(tokens.map(|t| {
            if !t.has_sep || t.head.trim().is_empty() {
                Piece::Problem(Msg::new("command.stray_text").arg("text", shown(&t.raw)))
            } else {
                Piece::Opt {
                    bare_empty: t.value.is_empty() && !t.value_quoted,
                    name: t.head,
                    value: RawValue::Text(t.value),
                }
            }
        }))
        .collect();
    bind_pieces(command, sub, pieces, ctx)
}

/// Binds options handed over by a transport (e.g. a Discord interaction) to the command
/// `command` (English or Chinese name) and `subcommand` (`None`: the default subcommand, if
/// the command has one). Option names may be English or Chinese.
pub fn bind(
    catalog: &Catalog,
    command: &str,
    subcommand: Option<&str>,
    raw: Vec<(String, RawValue)>,
    ctx: &ParseContext,
) -> Result<Invocation, Vec<Msg>> {
    let spec = catalog
        .find_command(command)
        .ok_or_else(|| vec![unknown_command(catalog, command)])?;
    let sub = resolve_subcommand(spec, subcommand).map_err(|m| vec![m])?;
    let pieces = raw
        .into_iter()
        .map(|(name, value)| Piece::Opt {
            name,
            value,
            bare_empty: false,
        })
        .collect();
    bind_pieces(spec, sub, pieces, ctx)
}

/// `command.unknown`, with the nearest command name as `suggestion` (empty when none is near).
pub fn unknown_command(catalog: &Catalog, word: &str) -> Msg {
    let names = catalog
        .commands
        .iter()
        .flat_map(|c| [c.name.as_str(), c.name_zh.as_str()]);
    Msg::new("command.unknown")
        .arg("command", shown(word))
        .arg("suggestion", closest(word, names).unwrap_or_default())
}

/// The nearest of the English and Chinese names of `pairs` to `word`, as
/// `(name, whether it is the Chinese form)`.
fn closest_pair<'a>(
    word: &str,
    pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<(&'a str, bool)> {
    let found = closest(word, pairs.clone().flat_map(|(en, zh)| [en, zh]))?;
    let is_zh = pairs.clone().any(|(en, zh)| zh == found && en != found);
    Some((found, is_zh))
}

/// Comma-separated English names and `、`-separated Chinese names.
fn name_lists<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> (String, String) {
    let (en, zh): (Vec<&str>, Vec<&str>) = pairs.unzip();
    (en.join(", "), zh.join("、"))
}

fn resolve_subcommand<'c>(
    command: &'c CommandSpec,
    word: Option<&str>,
) -> Result<Option<&'c SubcommandSpec>, Msg> {
    let (choices, choices_zh) = name_lists(
        command
            .subcommands
            .iter()
            .map(|s| (s.name.as_str(), s.name_zh.as_str())),
    );
    let with_context = |m: Msg| {
        m.arg("command", &command.name)
            .arg("command_zh", &command.name_zh)
    };
    match word {
        Some(w) => match command.find_subcommand(w) {
            Some(sub) => Ok(Some(sub)),
            None => Err(with_context(Msg::new("command.unknown_subcommand"))
                .arg("subcommand", shown(w))
                .arg("suggestion", suggest_subcommand(command, w))
                .arg("choices", choices)
                .arg("choices_zh", choices_zh)),
        },
        None if command.subcommands.is_empty() => Ok(None),
        None => match command.default_subcommand() {
            Some(sub) => Ok(Some(sub)),
            None => Err(with_context(Msg::new("command.missing_subcommand"))
                .arg("choices", choices)
                .arg("choices_zh", choices_zh)),
        },
    }
}

/// `/command sub` nearest to the mistyped `word`, in the script the user typed (or empty).
fn suggest_subcommand(command: &CommandSpec, word: &str) -> String {
    let pairs = command
        .subcommands
        .iter()
        .map(|s| (s.name.as_str(), s.name_zh.as_str()));
    match closest_pair(word, pairs) {
        Some((sub, true)) => format!("/{} {sub}", command.name_zh),
        Some((sub, false)) => format!("/{} {sub}", command.name),
        None => String::new(),
    }
}

/// One element of the option part, in the order the user gave it.
enum Piece {
    Problem(Msg),
    Opt {
        name: String,
        value: RawValue,
        /// `name:` with nothing after it (not even quotes).
        bare_empty: bool,
    },
}

fn bind_pieces(
    command: &CommandSpec,
    sub: Option<&SubcommandSpec>,
    pieces: Vec<Piece>,
    ctx: &ParseContext,
) -> Result<Invocation, Vec<Msg>> {
    let (specs, action) = match sub {
        Some(s) => (s.options.as_slice(), s.action.as_str()),
        None => (
            command.options.as_slice(),
            command.action.as_deref().unwrap_or(""),
        ),
    };
    let mut errors = Vec::new();
    let mut seen = vec![false; specs.len()];
    let mut options = BTreeMap::new();
    for piece in pieces {
        let (name, raw, bare_empty) = match piece {
            Piece::Problem(m) => {
                errors.push(m.arg("action", action));
                continue;
            }
            Piece::Opt {
                name,
                value,
                bare_empty,
            } => (name, value, bare_empty),
        };
        let Some(i) = specs.iter().position(|s| s.matches(&name)) else {
            let (choices, choices_zh) =
                name_lists(specs.iter().map(|s| (s.name.as_str(), s.name_zh.as_str())));
            errors.push(
                Msg::new("command.unknown_option")
                    .arg("option", shown(&name))
                    .arg(
                        "suggestion",
                        closest_pair(
                            &name,
                            specs.iter().map(|s| (s.name.as_str(), s.name_zh.as_str())),
                        )
                        .map(|(n, _)| n)
                        .unwrap_or_default(),
                    )
                    .arg("choices", choices)
                    .arg("choices_zh", choices_zh)
                    .arg("action", action),
            );
            continue;
        };
        let spec = &specs[i];
        if seen[i] {
            errors.push(
                problem("command.duplicate_option", spec)
                    .arg("value", shown(&raw_text(&raw)))
                    .arg("action", action),
            );
            continue;
        }
        seen[i] = true;
        if bare_empty {
            errors.push(problem("option.missing", spec).arg("action", action));
            continue;
        }
        match convert(spec, &raw, ctx) {
            Ok(Some(v)) => {
                options.insert(spec.name.clone(), v);
            }
            Ok(None) => {}
            Err(m) => errors.push(complete(m, spec, &raw, action)),
        }
    }
    for (spec, given) in specs.iter().zip(&seen) {
        if spec.required && !given {
            errors.push(problem("option.missing", spec).arg("action", action));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Invocation {
        command: command.name.clone(),
        subcommand: sub.map(|s| s.name.clone()),
        action: action.to_string(),
        options,
    })
}

#[cfg(test)]
mod tests;
