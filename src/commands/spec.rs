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

use crate::domain::reference::RefKind;
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

static NAME_RE: LazyLock<Regex> =
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
}

impl OptionType {
    /// Discord's application command option type code.
    pub fn discord_type(self) -> u8 {
        match self {
            OptionType::String => 3,
            OptionType::Integer => 4,
            OptionType::Boolean => 5,
            OptionType::User => 6,
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

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, path: &str, problem: impl AsRef<str>) {
        self.0.push(format!("{path}: {}", problem.as_ref()));
    }
}

/// The lookup forms of a name pair (lowercased; the Chinese one only when it differs).
fn unique_forms(name: &str, name_zh: &str) -> Vec<String> {
    let a = name.to_ascii_lowercase();
    let b = name_zh.to_ascii_lowercase();
    if a == b {
        vec![a]
    } else {
        vec![a, b]
    }
}

fn check_name(p: &mut Problems, path: &str, field: &str, name: &str) {
    if !NAME_RE.is_match(name) {
        p.push(
            path,
            format!(
                "{field} `{name}` must be 1-{MAX_NAME_CHARS} letters, digits, `-` or `_` (no spaces)"
            ),
        );
    } else if name.to_lowercase() != name {
        p.push(path, format!("{field} `{name}` must be lowercase"));
    }
}

fn check_description(p: &mut Problems, path: &str, field: &str, text: &str) {
    let n = text.chars().count();
    if text.trim().is_empty() || n > MAX_DESCRIPTION_CHARS {
        p.push(
            path,
            format!("{field} must be 1-{MAX_DESCRIPTION_CHARS} characters (it has {n})"),
        );
    }
}

fn check_count(p: &mut Problems, path: &str, what: &str, n: usize) {
    if n > MAX_CHILDREN {
        p.push(
            path,
            format!("at most {MAX_CHILDREN} {what} are allowed (found {n})"),
        );
    }
}

/// Names (both forms, lowercased) must be unique among siblings.
fn check_unique<'a>(
    p: &mut Problems,
    path: &str,
    what: &str,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (name, name_zh) in pairs {
        for form in unique_forms(name, name_zh) {
            if let Some(other) = seen.get(&form) {
                p.push(
                    path,
                    format!("{what} name `{form}` is used by both `{other}` and `{name}`"),
                );
            } else {
                seen.insert(form, name);
            }
        }
    }
}

fn check_action(p: &mut Problems, path: &str, action: &str) {
    if action.is_empty() || action.chars().any(char::is_whitespace) {
        p.push(
            path,
            format!("action `{action}` must be non-empty without spaces"),
        );
    }
}

fn check_command(c: &CommandSpec, p: &mut Problems) {
    let path = format!("/{}", c.name);
    check_name(p, &path, "name", &c.name);
    check_name(p, &path, "name_zh", &c.name_zh);
    check_description(p, &path, "description", &c.description);
    check_description(p, &path, "description_zh", &c.description_zh);

    if c.subcommands.is_empty() {
        match &c.action {
            Some(a) => check_action(p, &path, a),
            None => p.push(&path, "a command needs either `action` or `subcommands`"),
        }
        if c.default_subcommand.is_some() {
            p.push(&path, "`default_subcommand` needs `subcommands`");
        }
        check_options(p, &path, &c.options);
    } else {
        if c.action.is_some() {
            p.push(
                &path,
                "a command has either `action` or `subcommands`, not both",
            );
        }
        if !c.options.is_empty() {
            p.push(
                &path,
                "a command with `subcommands` cannot have its own `options`",
            );
        }
        check_count(p, &path, "subcommands", c.subcommands.len());
        check_unique(
            p,
            &path,
            "subcommand",
            c.subcommands
                .iter()
                .map(|s| (s.name.as_str(), s.name_zh.as_str())),
        );
        if let Some(d) = &c.default_subcommand {
            if c.find_subcommand(d).is_none() {
                p.push(
                    &path,
                    format!("default_subcommand `{d}` is not a subcommand"),
                );
            }
        }
        for s in &c.subcommands {
            let path = format!("/{} {}", c.name, s.name);
            check_name(p, &path, "name", &s.name);
            check_name(p, &path, "name_zh", &s.name_zh);
            check_description(p, &path, "description", &s.description);
            check_description(p, &path, "description_zh", &s.description_zh);
            check_action(p, &path, &s.action);
            check_options(p, &path, &s.options);
        }
    }

    for locale in Locale::ALL {
        let total = command_chars(c, locale);
        if total > MAX_COMMAND_CHARS {
            p.push(
                &path,
                format!(
                    "names, descriptions and choices add up to {total} characters in {locale}; \
                     Discord allows {MAX_COMMAND_CHARS}"
                ),
            );
        }
    }
}

fn command_chars(c: &CommandSpec, locale: Locale) -> usize {
    let len = |s: &str| s.chars().count();
    let options = |opts: &[OptionSpec]| -> usize {
        opts.iter()
            .map(|o| {
                len(o.localized_name(locale))
                    + len(o.localized_description(locale))
                    + o.choices
                        .iter()
                        .map(|ch| len(ch.localized_name(locale)) + len(&ch.value))
                        .sum::<usize>()
            })
            .sum()
    };
    len(c.localized_name(locale))
        + len(c.localized_description(locale))
        + options(&c.options)
        + c.subcommands
            .iter()
            .map(|s| {
                len(s.localized_name(locale))
                    + len(s.localized_description(locale))
                    + options(&s.options)
            })
            .sum::<usize>()
}

fn check_options(p: &mut Problems, parent: &str, options: &[OptionSpec]) {
    check_count(p, parent, "options", options.len());
    check_unique(
        p,
        parent,
        "option",
        options
            .iter()
            .map(|o| (o.name.as_str(), o.name_zh.as_str())),
    );
    let mut optional_seen: Option<&str> = None;
    for o in options {
        if o.required {
            if let Some(prev) = optional_seen {
                p.push(
                    parent,
                    format!(
                        "required option `{}` must come before optional option `{prev}`",
                        o.name
                    ),
                );
            }
        } else if optional_seen.is_none() {
            optional_seen = Some(&o.name);
        }
        check_option(p, &format!("{parent} {}", o.name), o);
    }
}

fn check_option(p: &mut Problems, path: &str, o: &OptionSpec) {
    check_name(p, path, "name", &o.name);
    check_name(p, path, "name_zh", &o.name_zh);
    check_description(p, path, "description", &o.description);
    check_description(p, path, "description_zh", &o.description_zh);
    let kind = o.kind.as_str();
    let is_string = o.kind == OptionType::String;
    let is_numeric = matches!(o.kind, OptionType::Integer | OptionType::Number);

    // Lengths.
    if (o.min_length.is_some() || o.max_length.is_some()) && !is_string {
        p.push(
            path,
            format!("min_length/max_length apply to string options, not {kind}"),
        );
    }
    if let Some(min) = o.min_length {
        if min > MAX_STRING_LENGTH {
            p.push(path, format!("min_length must be 0-{MAX_STRING_LENGTH}"));
        }
    }
    if let Some(max) = o.max_length {
        if !(1..=MAX_STRING_LENGTH).contains(&max) {
            p.push(path, format!("max_length must be 1-{MAX_STRING_LENGTH}"));
        }
    }
    if let (Some(min), Some(max)) = (o.min_length, o.max_length) {
        if min > max {
            p.push(
                path,
                format!("min_length {min} is greater than max_length {max}"),
            );
        }
    }

    // Value bounds.
    if (o.min_value.is_some() || o.max_value.is_some()) && !is_numeric {
        p.push(
            path,
            format!("min_value/max_value apply to integer and number options, not {kind}"),
        );
    }
    for (field, bound) in [("min_value", o.min_value), ("max_value", o.max_value)] {
        let Some(v) = bound else { continue };
        if !v.is_finite() || v.abs() > NUMBER_LIMIT {
            p.push(path, format!("{field} must lie within ±2^53"));
        } else if o.kind == OptionType::Integer && v.fract() != 0.0 {
            p.push(
                path,
                format!("{field} of an integer option must be a whole number"),
            );
        }
    }
    if let (Some(min), Some(max)) = (o.min_value, o.max_value) {
        if min > max {
            p.push(
                path,
                format!("min_value {min} is greater than max_value {max}"),
            );
        }
    }

    // Choices.
    if !o.choices.is_empty() {
        if !(is_string || is_numeric) {
            p.push(
                path,
                format!("choices apply to string, integer and number options, not {kind}"),
            );
        }
        if o.autocomplete {
            p.push(path, "an option cannot have both choices and autocomplete");
        }
        if o.format.is_some() {
            p.push(path, "an option cannot have both choices and a format");
        }
        check_count(p, path, "choices", o.choices.len());
        for ch in &o.choices {
            for (field, text) in [
                ("name", &ch.name),
                ("name_zh", &ch.name_zh),
                ("value", &ch.value),
            ] {
                let n = text.chars().count();
                if text.trim().is_empty() || n > MAX_CHOICE_CHARS {
                    p.push(
                        path,
                        format!("choice {field} `{text}` must be 1-{MAX_CHOICE_CHARS} characters"),
                    );
                }
            }
            let numeric_ok = match o.kind {
                OptionType::Integer => ch
                    .value
                    .trim()
                    .parse::<i64>()
                    .is_ok_and(|v| (v as f64).abs() <= NUMBER_LIMIT),
                OptionType::Number => ch
                    .value
                    .trim()
                    .parse::<f64>()
                    .is_ok_and(|v| v.is_finite() && v.abs() <= NUMBER_LIMIT),
                _ => true,
            };
            if !numeric_ok {
                p.push(
                    path,
                    format!("choice value `{}` is not a valid {kind}", ch.value),
                );
            }
        }
        // A word may match a choice by value, name or Chinese name: no word may match two.
        let mut seen: HashMap<String, &str> = HashMap::new();
        for ch in &o.choices {
            let mut forms = vec![
                fold_choice(&ch.value),
                fold_choice(&ch.name),
                fold_choice(&ch.name_zh),
            ];
            forms.sort();
            forms.dedup();
            for f in forms {
                if let Some(other) = seen.get(&f) {
                    p.push(
                        path,
                        format!("choices `{other}` and `{}` both answer to `{f}`", ch.value),
                    );
                } else {
                    seen.insert(f, &ch.value);
                }
            }
        }
    }
    if o.autocomplete && !(is_string || is_numeric) {
        p.push(
            path,
            format!("autocomplete applies to string, integer and number options, not {kind}"),
        );
    }

    // Pattern and format.
    if let Some(pattern) = &o.pattern {
        if !is_string {
            p.push(
                path,
                format!("pattern applies to string options, not {kind}"),
            );
        }
        if let Err(e) = full_match_regex(pattern) {
            p.push(path, format!("pattern `{pattern}` does not compile: {e}"));
        }
    }
    if o.format.is_some() && !is_string {
        p.push(
            path,
            format!("format applies to string options, not {kind}"),
        );
    }
    if let Some(prefix) = &o.ref_kind {
        if o.format != Some(OptionFormat::Reference) {
            p.push(path, "ref_kind needs format = \"reference\"");
        }
        if RefKind::from_prefix(prefix).is_none() {
            p.push(
                path,
                format!("ref_kind `{prefix}` is not a known reference prefix"),
            );
        }
    }
}

/// A regex that must match the whole text.
pub(crate) fn full_match_regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(name: &str, required: bool) -> String {
        format!(
            "[[options]]\nname = \"{name}\"\nname_zh = \"{name}_zh\"\ndescription = \"d\"\n\
             description_zh = \"说明\"\ntype = \"string\"\nrequired = {required}\n"
        )
    }

    fn plain(name: &str, options: &str) -> (String, String) {
        (
            format!("{name}.toml"),
            format!(
                "name = \"{name}\"\nname_zh = \"{name}_zh\"\ndescription = \"d\"\n\
                 description_zh = \"说明\"\naction = \"{name}\"\n{options}"
            ),
        )
    }

    fn error_of(files: &[(String, String)]) -> String {
        format!("{:#}", Catalog::from_toml_files(files).unwrap_err())
    }

    #[test]
    fn embedded_catalog_loads_and_validates() {
        let catalog = Catalog::embedded().expect("embedded catalog");
        catalog.validate().expect("valid");
        let names: Vec<&str> = catalog.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "approval",
                "delegate",
                "help",
                "inbox",
                "requisition",
                "whoami"
            ]
        );
        for action in [
            "help",
            "whoami",
            "inbox",
            "requisition.new",
            "requisition.show",
            "requisition.list",
            "requisition.withdraw",
            "requisition.resubmit",
            "approval.approve",
            "approval.reject",
            "approval.changes",
            "delegate.set",
            "delegate.off",
            "delegate.show",
        ] {
            assert!(catalog.options_for(action).is_some(), "{action}");
        }
        assert_eq!(catalog.actions().len(), 14);
        let new = catalog.options_for("requisition.new").unwrap();
        assert_eq!(new[0].name, "item");
        assert!(catalog.find_command("采购申请").is_some());
        assert!(catalog.find_command("REQUISITION").is_some());
        assert_eq!(
            catalog
                .find_subcommand("审批", "退回修改")
                .map(|s| s.action.as_str()),
            Some("approval.changes")
        );
        let cmd = catalog.find_command("delegate").unwrap();
        assert_eq!(cmd.default_subcommand().unwrap().name, "set");
        assert_eq!(cmd.localized_name(Locale::ZhCn), "代理审批");
        assert_eq!(OptionType::Number.discord_type(), 10);
    }

    #[test]
    fn accepts_a_minimal_catalog() {
        let catalog =
            Catalog::from_toml_files(&[plain("ping", &option("a", true))]).expect("valid");
        assert_eq!(catalog.options_for("ping").unwrap().len(), 1);
    }

    #[test]
    fn rejects_uppercase_names() {
        let err = error_of(&[plain("ping", &option("Item", true))]);
        assert!(err.contains("ping.toml"), "{err}");
        assert!(err.contains("`Item` must be lowercase"), "{err}");
        let err = error_of(&[plain("ping", &option("two words", true))]);
        assert!(err.contains("no spaces"), "{err}");
    }

    #[test]
    fn rejects_optional_before_required() {
        let opts = option("a", false) + &option("b", true);
        let err = error_of(&[plain("ping", &opts)]);
        assert!(
            err.contains("required option `b` must come before optional option `a`"),
            "{err}"
        );
    }

    #[test]
    fn rejects_26_options() {
        let opts: String = (0..26).map(|i| option(&format!("o{i}"), false)).collect();
        let err = error_of(&[plain("ping", &opts)]);
        assert!(err.contains("at most 25 options"), "{err}");
    }

    #[test]
    fn rejects_other_mistakes_and_reports_them_all() {
        let bad = "[[options]]\nname = \"n\"\nname_zh = \"n\"\ndescription = \"d\"\n\
                   description_zh = \"说\"\ntype = \"integer\"\nmin_value = 5\nmax_value = 1\n\
                   [[options]]\nname = \"p\"\nname_zh = \"n\"\ndescription = \"d\"\n\
                   description_zh = \"说\"\ntype = \"string\"\npattern = \"(\"\n\
                   format = \"reference\"\nref_kind = \"XYZ\"\n";
        let err = error_of(&[plain("ping", bad), plain("pong", "")]);
        assert!(
            err.contains("min_value 5 is greater than max_value 1"),
            "{err}"
        );
        assert!(
            err.contains("option name `n` is used by both `n` and `p`"),
            "{err}"
        );
        assert!(err.contains("does not compile"), "{err}");
        assert!(err.contains("ref_kind `XYZ`"), "{err}");

        // Duplicate actions across files, wrong file name, unknown field, missing action.
        let mut dup = plain("pong", "");
        dup.1 = dup.1.replace("action = \"pong\"", "action = \"ping\"");
        let err = error_of(&[plain("ping", ""), dup]);
        assert!(
            err.contains("action `ping` is also used by ping.toml"),
            "{err}"
        );
        let (_, text) = plain("ping", "");
        let err = error_of(&[("other.toml".into(), text)]);
        assert!(err.contains("name the file `ping.toml`"), "{err}");
        let (file, text) = plain("ping", "");
        let err = error_of(&[(file, text + "requird = true\n")]);
        assert!(
            err.contains("ping.toml") && err.contains("requird"),
            "{err}"
        );
        let (file, text) = plain("ping", "");
        let err = error_of(&[(file, text.replace("action = \"ping\"\n", ""))]);
        assert!(err.contains("either `action` or `subcommands`"), "{err}");
    }

    #[test]
    fn rejects_bad_default_subcommand_and_long_descriptions() {
        let text = format!(
            "name = \"x\"\nname_zh = \"叉\"\ndescription = \"{}\"\ndescription_zh = \"说明\"\n\
             default_subcommand = \"nope\"\n[[subcommands]]\nname = \"a\"\nname_zh = \"甲\"\n\
             description = \"d\"\ndescription_zh = \"说明\"\naction = \"x.a\"\n",
            "y".repeat(101)
        );
        let err = error_of(&[("x.toml".into(), text)]);
        assert!(err.contains("default_subcommand `nope`"), "{err}");
        assert!(
            err.contains("description must be 1-100 characters (it has 101)"),
            "{err}"
        );
    }
}
