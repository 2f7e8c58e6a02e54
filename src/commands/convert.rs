//! Converting one option's raw value into a typed [`Value`], checking its rules.

use super::parse::{ParseContext, RawValue, Value};
use super::spec::*;
use crate::domain::money::parse_money;
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::domain::{horizon, text};
use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

/// A message about `spec`, starting with its `option` argument.
pub(super) fn problem(key: &'static str, spec: &OptionSpec) -> Msg {
    Msg::new(key).arg("option", &spec.name)
}

/// Adds the arguments every option problem carries (some messages come from other modules).
pub(super) fn complete(mut m: Msg, spec: &OptionSpec, raw: &RawValue, action: &str) -> Msg {
    if m.get("option").is_none() {
        m = m.arg("option", &spec.name);
    }
    if m.get("value").is_none() && m.key != "option.missing" {
        m = m.arg("value", shown(raw_text(raw).trim()));
    }
    m.arg("action", action)
}

/// The value as shown back to the user: long values are cut to keep messages short.
pub(super) fn shown(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX - 1).collect();
        out.push('…');
        out
    }
}

pub(super) fn raw_text(raw: &RawValue) -> String {
    match raw {
        RawValue::Text(s) => s.clone(),
        RawValue::Int(i) => i.to_string(),
        RawValue::Number(n) => format_number(*n),
        RawValue::Bool(b) => b.to_string(),
    }
}

pub(super) fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `Ok(None)`: an optional option given as an empty value, treated as not given.
pub(super) fn convert(
    spec: &OptionSpec,
    raw: &RawValue,
    ctx: &ParseContext,
) -> Result<Option<Value>, Msg> {
    // Every transport's text passes here: one check of its characters for every option.
    let checked;
    let raw = match raw {
        RawValue::Text(t) => {
            let t = text::check(t, spec.multiline).map_err(|refusal| {
                refusal
                    .msg(&spec.name)
                    .arg("value", shown(&text::one_line(t.trim())))
            })?;
            if t.trim().is_empty() {
                return empty_value(spec);
            }
            checked = RawValue::Text(t.into_owned());
            &checked
        }
        other => other,
    };
    match spec.kind {
        OptionType::String | OptionType::Attachment => convert_string(spec, raw, ctx),
        OptionType::Integer => convert_integer(spec, raw),
        OptionType::Number => convert_number(spec, raw),
        OptionType::Boolean => convert_bool(spec, raw),
        OptionType::User => convert_user(spec, raw),
    }
    .map(Some)
}

/// `name:""`: missing when required; an empty string for a plain optional string (so an
/// action can clear a field); otherwise as if not given.
pub(super) fn empty_value(spec: &OptionSpec) -> Result<Option<Value>, Msg> {
    if spec.required {
        return Err(problem("option.missing", spec));
    }
    if spec.kind != OptionType::String || spec.format.is_some() || !spec.choices.is_empty() {
        return Ok(None);
    }
    match spec.min_length {
        Some(min) if min > 0 => Err(problem("option.too_short", spec)
            .arg("value", "")
            .arg("min", min)
            .arg("length", 0)),
        _ => Ok(Some(Value::Str(String::new()))),
    }
}

pub(super) fn not_a_choice(spec: &OptionSpec, value: &str) -> Msg {
    let values: Vec<&str> = spec.choices.iter().map(|c| c.value.as_str()).collect();
    let names_zh: Vec<&str> = spec.choices.iter().map(|c| c.name_zh.as_str()).collect();
    problem("option.not_a_choice", spec)
        .arg("value", shown(value))
        .arg("choices", values.join(", "))
        .arg("choices_zh", names_zh.join("、"))
}

pub(super) fn convert_string(
    spec: &OptionSpec,
    raw: &RawValue,
    ctx: &ParseContext,
) -> Result<Value, Msg> {
    let text = raw_text(raw);
    let t = text.trim();
    if !spec.choices.is_empty() {
        return spec
            .find_choice(t)
            .map(|c| Value::Str(c.value.clone()))
            .ok_or_else(|| not_a_choice(spec, t));
    }
    let length = t.chars().count();
    if let Some(min) = spec.min_length {
        if length < min as usize {
            return Err(problem("option.too_short", spec)
                .arg("value", shown(t))
                .arg("min", min)
                .arg("length", length));
        }
    }
    if let Some(max) = spec.max_length {
        if length > max as usize {
            return Err(problem("option.too_long", spec)
                .arg("value", shown(t))
                .arg("max", max)
                .arg("length", length));
        }
    }
    if let Some(pattern) = &spec.pattern {
        if let Ok(re) = full_match_regex(pattern) {
            if !re.is_match(t) {
                return Err(problem("option.bad_pattern", spec)
                    .arg("value", shown(t))
                    .arg("pattern", pattern));
            }
        }
    }
    if let Some(code) = spec.terms.as_deref().and_then(|l| ctx.terms.resolve(l, t)) {
        return Ok(Value::Str(code.to_string()));
    }
    match spec.format {
        None => Ok(Value::Str(t.to_string())),
        Some(OptionFormat::Money) => parse_money(t, ctx.currency).map(Value::Money),
        Some(OptionFormat::Date) => match parse_date(t) {
            None => Err(problem("option.bad_date", spec).arg("value", shown(t))),
            Some(d) if !horizon::date_within(d, ctx.today) => Err(problem("option.too_far", spec)
                .arg("value", shown(t))
                .arg("max_years", horizon::MAX_YEARS_AHEAD)),
            Some(d) => Ok(Value::Date(d)),
        },
        Some(OptionFormat::Reference) => {
            match spec.ref_kind.as_deref().and_then(RefKind::from_prefix) {
                Some(kind) => Reference::parse_as(t, kind),
                None => Reference::parse(t),
            }
            .map(Value::Ref)
        }
    }
}

/// Full-width digits, signs and points (as typed with a Chinese IME) to ASCII.
pub(super) fn ascii_digits(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' | '−' => '-',
            '＋' => '+',
            '．' => '.',
            c => c,
        })
        .collect()
}

static INTEGER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[+-]?[0-9]+$").expect("integer regex"));
static NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$").expect("number regex")
});
static DATE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").expect("date regex"));
static HANDLE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9._-]{0,31}$").expect("handle regex"));

pub(super) fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = ascii_digits(t);
    if !DATE_RE.is_match(&t) {
        return None;
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()
}

/// Formats a bound for a message: whole numbers without a decimal point.
pub(super) fn format_bound(v: f64) -> String {
    format_number(v)
}

pub(super) fn check_range(spec: &OptionSpec, v: f64, shown_value: &str) -> Result<(), Msg> {
    let min = spec.min_value.unwrap_or(-NUMBER_LIMIT);
    let max = spec.max_value.unwrap_or(NUMBER_LIMIT);
    if v < min {
        return Err(problem("option.too_small", spec)
            .arg("value", shown(shown_value))
            .arg("min", format_bound(min)));
    }
    if v > max {
        return Err(problem("option.too_large", spec)
            .arg("value", shown(shown_value))
            .arg("max", format_bound(max)));
    }
    Ok(())
}

pub(super) fn convert_integer(spec: &OptionSpec, raw: &RawValue) -> Result<Value, Msg> {
    let not_integer = |v: &str| problem("option.not_integer", spec).arg("value", shown(v));
    let (n, typed) = match raw {
        RawValue::Int(i) => (*i, i.to_string()),
        RawValue::Number(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() <= NUMBER_LIMIT {
                (*f as i64, format_number(*f))
            } else {
                return Err(not_integer(&format_number(*f)));
            }
        }
        RawValue::Bool(b) => return Err(not_integer(&b.to_string())),
        RawValue::Text(s) => {
            let typed = s.trim();
            if let Some(choice) = spec.find_choice(typed) {
                if let Ok(v) = choice.value.trim().parse::<i64>() {
                    return Ok(Value::Int(v));
                }
            }
            let t = ascii_digits(typed);
            if !INTEGER_RE.is_match(&t) {
                return Err(not_integer(typed));
            }
            match t.parse::<i64>() {
                Ok(v) => (v, typed.to_string()),
                // All digits but beyond i64: surely out of range.
                Err(_) if t.starts_with('-') => (i64::MIN, typed.to_string()),
                Err(_) => (i64::MAX, typed.to_string()),
            }
        }
    };
    if !spec.choices.is_empty() {
        return if spec
            .choices
            .iter()
            .any(|c| c.value.trim().parse::<i64>() == Ok(n))
        {
            Ok(Value::Int(n))
        } else {
            Err(not_a_choice(spec, &typed))
        };
    }
    check_range(spec, n as f64, &typed)?;
    Ok(Value::Int(n))
}

pub(super) fn convert_number(spec: &OptionSpec, raw: &RawValue) -> Result<Value, Msg> {
    let not_number = |v: &str| problem("option.not_number", spec).arg("value", shown(v));
    let (n, typed) = match raw {
        RawValue::Int(i) => (*i as f64, i.to_string()),
        RawValue::Number(f) if f.is_finite() => (*f, format_number(*f)),
        RawValue::Number(f) => return Err(not_number(&f.to_string())),
        RawValue::Bool(b) => return Err(not_number(&b.to_string())),
        RawValue::Text(s) => {
            let typed = s.trim();
            if let Some(choice) = spec.find_choice(typed) {
                if let Ok(v) = choice.value.trim().parse::<f64>() {
                    return Ok(Value::Number(v));
                }
            }
            let t = ascii_digits(typed);
            match t.parse::<f64>() {
                Ok(v) if NUMBER_RE.is_match(&t) && v.is_finite() => (v, typed.to_string()),
                _ => return Err(not_number(typed)),
            }
        }
    };
    if !spec.choices.is_empty() {
        return if spec
            .choices
            .iter()
            .any(|c| c.value.trim().parse::<f64>() == Ok(n))
        {
            Ok(Value::Number(n))
        } else {
            Err(not_a_choice(spec, &typed))
        };
    }
    check_range(spec, n, &typed)?;
    Ok(Value::Number(n))
}

pub(super) fn convert_bool(spec: &OptionSpec, raw: &RawValue) -> Result<Value, Msg> {
    let b = match raw {
        RawValue::Bool(b) => Some(*b),
        RawValue::Int(1) => Some(true),
        RawValue::Int(0) => Some(false),
        RawValue::Text(s) => match ascii_digits(s).to_lowercase().as_str() {
            "true" | "yes" | "是" | "1" => Some(true),
            "false" | "no" | "否" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    b.map(Value::Bool).ok_or_else(|| {
        problem("option.not_boolean", spec).arg("value", shown(raw_text(raw).trim()))
    })
}

pub(super) fn convert_user(spec: &OptionSpec, raw: &RawValue) -> Result<Value, Msg> {
    let text = raw_text(raw);
    let typed = text.trim();
    let handle = typed
        .strip_prefix('@')
        .or_else(|| typed.strip_prefix('＠'))
        .unwrap_or(typed)
        .to_lowercase();
    if matches!(raw, RawValue::Text(_)) && HANDLE_RE.is_match(&handle) {
        Ok(Value::Handle(handle))
    } else {
        Err(problem("option.bad_handle", spec).arg("value", shown(typed)))
    }
}
