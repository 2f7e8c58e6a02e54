//! Command specifications: the `commands/*.toml` files, one per top-level command.
//!
//! A file describes either a plain command (`action` + `options`) or a command with
//! `subcommands` (each with its own `action` + `options`). Every name and description has an
//! English and a Simplified Chinese form. [`Catalog::validate`] enforces Discord's
//! registration rules so that registering the catalog can never be rejected, plus a few rules
//! of our own (unique actions, a valid `default_subcommand`, compiling patterns).

use std::collections::HashMap;
use std::sync::LazyLock;

use anyhow::{anyhow, Result};
use include_dir::{include_dir, Dir};
use regex::Regex;
use serde::{Deserialize, Serialize};

pub(crate) use super::validate::full_match_regex;
use super::validate::*;
use crate::domain::Locale;

/// The `commands/` folder, embedded at build time.
static COMMAND_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/commands");

/// Discord: command, subcommand and option names are 1 to 32 characters.
pub const MAX_NAME_CHARS: usize = 32;
/// Discord: descriptions are 1 to 100 characters.
pub const MAX_DESCRIPTION_CHARS: usize = 100;
/// Discord: at most 25 options, subcommands or choices at one level.
pub const MAX_CHILDREN: usize = 25;
/// Discord: choice names and string choice values are 1 to 100 characters.
pub const MAX_CHOICE_CHARS: usize = 100;
/// Discord: `min_length` is 0..=6000 and `max_length` is 1..=6000.
pub const MAX_STRING_LENGTH: u32 = 6000;
/// Discord: the names, descriptions and choice names/values of one command, summed, per locale.
pub const MAX_COMMAND_CHARS: usize = 4000;
/// Discord: integer and number options (and their bounds) lie within ±2^53.
pub const NUMBER_LIMIT: f64 = 9_007_199_254_740_992.0;

pub(super) static NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[-_\p{L}\p{N}]{1,32}$").expect("name regex"));

/// One top-level command (one file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSpec {
    pub name: String,
    pub name_zh: String,
    pub description: String,
    pub description_zh: String,
    /// The action of a plain command; `None` when the command has subcommands.
    #[serde(default)]
    pub action: Option<String>,
    /// Options of a plain command.
    #[serde(default)]
    pub options: Vec<OptionSpec>,
    #[serde(default)]
    pub subcommands: Vec<SubcommandSpec>,
    /// Subcommand used when a console line names none (Discord always names one).
    #[serde(default)]
    pub default_subcommand: Option<String>,
}

/// A subcommand of a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubcommandSpec {
    pub name: String,
    pub name_zh: String,
    pub description: String,
    pub description_zh: String,
    pub action: String,
    #[serde(default)]
    pub options: Vec<OptionSpec>,
}

/// An option (`name:value`) of a plain command or a subcommand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    pub name: String,
    pub name_zh: String,
    pub description: String,
    pub description_zh: String,
    #[serde(rename = "type")]
    pub kind: OptionType,
    #[serde(default)]
    pub required: bool,
    /// String options: length bounds, in characters.
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub max_length: Option<u32>,
    /// Integer and number options: inclusive bounds.
    #[serde(default)]
    pub min_value: Option<f64>,
    #[serde(default)]
    pub max_value: Option<f64>,
    /// Fixed choices (string, integer, number options). The stored value is `value`.
    #[serde(default)]
    pub choices: Vec<ChoiceSpec>,
    /// In a typed line, a bare word right after the subcommand is this option's value
    /// (`/budget round open year:2027` for `action:open`); at most one per subcommand.
    #[serde(default)]
    pub positional: bool,
    /// String options: a regex the whole (trimmed) value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// String options: parse the text into a typed value.
    #[serde(default)]
    pub format: Option<OptionFormat>,
    /// `format = "reference"`: the only accepted kind, as its prefix (e.g. `REQ`).
    #[serde(default)]
    pub ref_kind: Option<String>,
    /// Discord asks the bot for suggestions while the user types.
    #[serde(default)]
    pub autocomplete: bool,
    /// String options: the text may have several lines (reasons, comments, details). Other
    /// text is one line; control and text-direction characters are refused in both
    /// ([`crate::domain::text`]).
    #[serde(default)]
    pub multiline: bool,
    /// String options: the configured list (a [`crate::domain::term::Vocabulary`] name, e.g.
    /// `order_stages`) whose codes, English and Chinese names are accepted; a listed name is
    /// replaced by its code, other text passes unchanged for the action to judge.
    #[serde(default)]
    pub terms: Option<String>,
}

/// A fixed choice of an option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceSpec {
    pub name: String,
    pub name_zh: String,
    /// The stored value; for integer/number options the text of the number.
    pub value: String,
}

/// The Discord type of an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    String,
    Integer,
    Number,
    Boolean,
    /// A person. Discord hands a user, which the transport maps to a handle; the console
    /// takes `wang.fang` or `@wang.fang`.
    User,
    /// A file. Discord hands an attachment, which the transport maps to its URL; the console
    /// takes a link.
    Attachment,
}

impl OptionType {
    /// Discord's application command option type code.
    pub fn discord_type(self) -> u8 {
        match self {
            OptionType::String => 3,
            OptionType::Integer => 4,
            OptionType::Boolean => 5,
            OptionType::User => 6,
            OptionType::Attachment => 11,
            OptionType::Number => 10,
        }
    }

    /// The name used in the TOML files.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionType::String => "string",
            OptionType::Integer => "integer",
            OptionType::Number => "number",
            OptionType::Boolean => "boolean",
            OptionType::User => "user",
            OptionType::Attachment => "attachment",
        }
    }
}

/// How the text of a string option is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionFormat {
    /// `crate::domain::money::parse_money` with the context's currency.
    Money,
    /// `YYYY-MM-DD`.
    Date,
    /// A document reference such as `REQ-…`; restricted to `ref_kind` when set.
    Reference,
}

fn pick<'a>(locale: Locale, en: &'a str, zh: &'a str) -> &'a str {
    match locale {
        Locale::En => en,
        Locale::ZhCn => zh,
    }
}

fn name_matches(name: &str, name_zh: &str, word: &str) -> bool {
    name.eq_ignore_ascii_case(word) || name_zh.eq_ignore_ascii_case(word)
}

fn find_option<'a>(options: &'a [OptionSpec], word: &str) -> Option<&'a OptionSpec> {
    options.iter().find(|o| o.matches(word))
}

impl CommandSpec {
    pub fn localized_name(&self, locale: Locale) -> &str {
        pick(locale, &self.name, &self.name_zh)
    }

    pub fn localized_description(&self, locale: Locale) -> &str {
        pick(locale, &self.description, &self.description_zh)
    }

    /// Whether `word` is this command's English or Chinese name (ASCII case-insensitive).
    pub fn matches(&self, word: &str) -> bool {
        name_matches(&self.name, &self.name_zh, word)
    }

    /// The subcommand named `word` (English or Chinese name).
    pub fn find_subcommand(&self, word: &str) -> Option<&SubcommandSpec> {
        self.subcommands.iter().find(|s| s.matches(word))
    }

    /// The option named `word` of a plain command.
    pub fn find_option(&self, word: &str) -> Option<&OptionSpec> {
        find_option(&self.options, word)
    }

    /// The subcommand used when none is named, if any.
    pub fn default_subcommand(&self) -> Option<&SubcommandSpec> {
        self.default_subcommand
            .as_deref()
            .and_then(|d| self.find_subcommand(d))
    }
}

impl SubcommandSpec {
    pub fn localized_name(&self, locale: Locale) -> &str {
        pick(locale, &self.name, &self.name_zh)
    }

    pub fn localized_description(&self, locale: Locale) -> &str {
        pick(locale, &self.description, &self.description_zh)
    }

    pub fn matches(&self, word: &str) -> bool {
        name_matches(&self.name, &self.name_zh, word)
    }

    pub fn find_option(&self, word: &str) -> Option<&OptionSpec> {
        find_option(&self.options, word)
    }
}

impl OptionSpec {
    pub fn localized_name(&self, locale: Locale) -> &str {
        pick(locale, &self.name, &self.name_zh)
    }

    pub fn localized_description(&self, locale: Locale) -> &str {
        pick(locale, &self.description, &self.description_zh)
    }

    pub fn matches(&self, word: &str) -> bool {
        name_matches(&self.name, &self.name_zh, word)
    }

    /// The choice whose value, name or Chinese name is `word` (case-insensitive; spaces,
    /// `-` and `_` are interchangeable).
    pub fn find_choice(&self, word: &str) -> Option<&ChoiceSpec> {
        let word = fold_choice(word);
        self.choices.iter().find(|c| {
            fold_choice(&c.value) == word
                || fold_choice(&c.name) == word
                || fold_choice(&c.name_zh) == word
        })
    }
}

impl ChoiceSpec {
    pub fn localized_name(&self, locale: Locale) -> &str {
        pick(locale, &self.name, &self.name_zh)
    }
}

/// Case- and separator-insensitive form of a choice word.
pub(crate) fn fold_choice(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// All commands, in file-name order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    pub commands: Vec<CommandSpec>,
}

impl Catalog {
    /// The catalog built into the binary from `commands/*.toml`, validated.
    pub fn embedded() -> Result<Catalog> {
        let mut files = Vec::new();
        for file in COMMAND_DIR.files() {
            let Some(name) = file.path().file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.starts_with('.') || !name.ends_with(".toml") {
                continue;
            }
            let text = file
                .contents_utf8()
                .ok_or_else(|| anyhow!("commands/{name}: not valid UTF-8"))?;
            files.push((name.to_string(), text.to_string()));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Catalog::from_toml_files(&files)
    }

    /// Builds and validates a catalog from `(file name, TOML text)` pairs, one command per
    /// file, in the given order. Every problem found is reported, each naming its file.
    pub fn from_toml_files(files: &[(String, String)]) -> Result<Catalog> {
        let mut problems = Vec::new();
        let mut commands = Vec::new();
        let mut labels = Vec::new();
        for (file, text) in files {
            match toml::from_str::<CommandSpec>(text) {
                Ok(command) => {
                    let stem = file.strip_suffix(".toml").unwrap_or(file);
                    let stem = stem.rsplit(['/', '\\']).next().unwrap_or(stem);
                    if stem != command.name {
                        problems.push(format!(
                            "{file}: defines command `{}`; name the file `{}.toml`",
                            command.name, command.name
                        ));
                    }
                    commands.push(command);
                    labels.push(file.clone());
                }
                Err(e) => problems.push(format!("{file}: {}", e.to_string().trim_end())),
            }
        }
        let catalog = Catalog { commands };
        problems.extend(catalog.problems(&labels));
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(anyhow!(
                "invalid command catalog:\n  {}",
                problems.join("\n  ")
            ))
        }
    }

    /// Checks Discord's registration rules and our own; reports every problem at once.
    pub fn validate(&self) -> Result<()> {
        let labels: Vec<String> = self
            .commands
            .iter()
            .map(|c| format!("command `{}`", c.name))
            .collect();
        let problems = self.problems(&labels);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(anyhow!(
                "invalid command catalog:\n  {}",
                problems.join("\n  ")
            ))
        }
    }

    /// The command named `word` (English or Chinese name, ASCII case-insensitive).
    pub fn find_command(&self, word: &str) -> Option<&CommandSpec> {
        self.commands.iter().find(|c| c.matches(word))
    }

    /// The subcommand `sub` of the command `command` (either name form).
    pub fn find_subcommand(&self, command: &str, sub: &str) -> Option<&SubcommandSpec> {
        self.find_command(command)?.find_subcommand(sub)
    }

    /// The command (and subcommand) that carries `action`.
    pub fn find_action(&self, action: &str) -> Option<(&CommandSpec, Option<&SubcommandSpec>)> {
        for command in &self.commands {
            if command.action.as_deref() == Some(action) {
                return Some((command, None));
            }
            if let Some(sub) = command.subcommands.iter().find(|s| s.action == action) {
                return Some((command, Some(sub)));
            }
        }
        None
    }

    /// The option specs of `action` (empty for an action without options).
    pub fn options_for(&self, action: &str) -> Option<&[OptionSpec]> {
        self.find_action(action).map(|(command, sub)| match sub {
            Some(sub) => sub.options.as_slice(),
            None => command.options.as_slice(),
        })
    }

    /// Every action in the catalog, in catalog order (for dispatch-completeness checks).
    pub fn actions(&self) -> Vec<&str> {
        let mut actions = Vec::new();
        for command in &self.commands {
            if let Some(a) = &command.action {
                actions.push(a.as_str());
            }
            actions.extend(command.subcommands.iter().map(|s| s.action.as_str()));
        }
        actions
    }

    /// All problems, each prefixed with the label of its command (`labels[i]` for command i).
    fn problems(&self, labels: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let label = |i: usize| -> String {
            labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("command #{i}"))
        };
        for (i, command) in self.commands.iter().enumerate() {
            let mut p = Problems::default();
            check_command(command, &mut p);
            out.extend(p.0.into_iter().map(|m| format!("{}: {m}", label(i))));
        }

        // Command names (both forms) are unique across the catalog.
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, command) in self.commands.iter().enumerate() {
            for n in unique_forms(&command.name, &command.name_zh) {
                if let Some(&j) = names.get(&n) {
                    out.push(format!(
                        "{}: command name `{n}` is also used by {}",
                        label(i),
                        label(j)
                    ));
                } else {
                    names.insert(n, i);
                }
            }
        }

        // Actions are unique across the catalog.
        let mut actions: HashMap<&str, usize> = HashMap::new();
        for (i, command) in self.commands.iter().enumerate() {
            let own = command
                .action
                .iter()
                .map(String::as_str)
                .chain(command.subcommands.iter().map(|s| s.action.as_str()));
            for a in own {
                match actions.get(a) {
                    Some(&j) if j == i => {
                        out.push(format!("{}: action `{a}` is used twice", label(i)))
                    }
                    Some(&j) => out.push(format!(
                        "{}: action `{a}` is also used by {}",
                        label(i),
                        label(j)
                    )),
                    None => {
                        actions.insert(a, i);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
