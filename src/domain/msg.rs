//! A message for a person, kept as data until a transport renders it in their language.

use serde::Serialize;

/// A user-facing message: a catalog key (see `templates/chat/<locale>/messages/`) and its
/// named arguments. Domain and service code return these; `chat::render` turns them into text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    /// Dotted catalog key, e.g. `money.negative`.
    pub key: &'static str,
    /// Named arguments, available to the message template as variables.
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    /// A message with no arguments yet.
    pub fn new(key: &'static str) -> Self {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The value of an argument, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}
