//! The rules a command catalog must satisfy: Discord's registration limits and our own.

use super::spec::*;
use crate::domain::reference::RefKind;
use crate::domain::Locale;
use regex::Regex;
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<String>);

impl Problems {
    fn push(&mut self, path: &str, problem: impl AsRef<str>) {
        self.0.push(format!("{path}: {}", problem.as_ref()));
    }
}

/// The lookup forms of a name pair (lowercased; the Chinese one only when it differs).
pub(super) fn unique_forms(name: &str, name_zh: &str) -> Vec<String> {
    let a = name.to_ascii_lowercase();
    let b = name_zh.to_ascii_lowercase();
    if a == b {
        vec![a]
    } else {
        vec![a, b]
    }
}

pub(super) fn check_name(p: &mut Problems, path: &str, field: &str, name: &str) {
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

pub(super) fn check_description(p: &mut Problems, path: &str, field: &str, text: &str) {
    let n = text.chars().count();
    if text.trim().is_empty() || n > MAX_DESCRIPTION_CHARS {
        p.push(
            path,
            format!("{field} must be 1-{MAX_DESCRIPTION_CHARS} characters (it has {n})"),
        );
    }
}

pub(super) fn check_count(p: &mut Problems, path: &str, what: &str, n: usize) {
    if n > MAX_CHILDREN {
        p.push(
            path,
            format!("at most {MAX_CHILDREN} {what} are allowed (found {n})"),
        );
    }
}

/// Names (both forms, lowercased) must be unique among siblings.
pub(super) fn check_unique<'a>(
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

pub(super) fn check_action(p: &mut Problems, path: &str, action: &str) {
    if action.is_empty() || action.chars().any(char::is_whitespace) {
        p.push(
            path,
            format!("action `{action}` must be non-empty without spaces"),
        );
    }
}

pub(super) fn check_command(c: &CommandSpec, p: &mut Problems) {
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

pub(super) fn command_chars(c: &CommandSpec, locale: Locale) -> usize {
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

pub(super) fn check_options(p: &mut Problems, parent: &str, options: &[OptionSpec]) {
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

pub(super) fn check_option(p: &mut Problems, path: &str, o: &OptionSpec) {
    check_name(p, path, "name", &o.name);
    check_name(p, path, "name_zh", &o.name_zh);
    check_description(p, path, "description", &o.description);
    check_description(p, path, "description_zh", &o.description_zh);
    let kind = o.kind.as_str();
    let is_string = o.kind == OptionType::String;
    let is_numeric = matches!(o.kind, OptionType::Integer | OptionType::Number);

    if o.multiline && (!is_string || o.format.is_some() || !o.choices.is_empty()) {
        p.push(path, "multiline applies to free-text string options only");
    }

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

    if let Some(list) = &o.terms {
        if !is_string || !o.choices.is_empty() || o.format.is_some() {
            p.push(
                path,
                "terms apply to string options without choices or a format",
            );
        }
        if !crate::domain::term::Vocabulary::LISTS.contains(&list.as_str()) {
            p.push(
                path,
                format!(
                    "terms `{list}` is not one of {}",
                    crate::domain::term::Vocabulary::LISTS.join(", ")
                ),
            );
        }
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
