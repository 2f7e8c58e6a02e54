//! Application command registration (`PUT .../commands`, global or per guild): Discord's
//! rules on names, descriptions, localizations and options, and the echoed command objects.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::limits::{join, len_between, max_len, Errs};
use super::rest::{form_error, Reply};
use super::{snowflake, State, APP_ID, LOCALES};

fn valid_name(name: &str, chat_input: bool) -> bool {
    let n = name.chars().count();
    if n == 0 || n > 32 {
        return false;
    }
    if !chat_input {
        return true;
    }
    name.chars()
        .all(|c| (c == '-' || c == '_' || c.is_alphanumeric()) && !c.is_uppercase())
}

fn check_localizations(errs: &mut Errs, path: &str, v: &Value, names: bool, chat_input: bool) {
    let Some(map) = v.as_object() else { return };
    for (locale, text) in map {
        let p = format!("{path}.{locale}");
        if !LOCALES.contains(&locale.as_str()) {
            errs.push((p, "LOCALE_INVALID", format!("Invalid locale {locale:?}")));
            continue;
        }
        if names {
            if !valid_name(text.as_str().unwrap_or(""), chat_input) {
                errs.push((
                    p,
                    "APPLICATION_COMMAND_INVALID_NAME",
                    format!("Command name is invalid: {text}"),
                ));
            }
        } else {
            len_between(errs, p, text, 1, 100);
        }
    }
}

fn check_options(errs: &mut Errs, path: &str, options: &[Value]) {
    if options.len() > 25 {
        errs.push((
            path.into(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.".into(),
        ));
    }
    let mut names = HashSet::new();
    let mut optional_seen = false;
    for (i, o) in options.iter().enumerate() {
        let p = format!("{path}.{i}");
        let name = o["name"].as_str().unwrap_or("");
        if !valid_name(name, true) {
            errs.push((
                join(&p, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                format!("Command name is invalid: {name:?}"),
            ));
        }
        if !names.insert(name.to_string()) {
            errs.push((
                join(&p, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique".into(),
            ));
        }
        len_between(errs, join(&p, "description"), &o["description"], 1, 100);
        check_localizations(
            errs,
            &join(&p, "name_localizations"),
            &o["name_localizations"],
            true,
            true,
        );
        check_localizations(
            errs,
            &join(&p, "description_localizations"),
            &o["description_localizations"],
            false,
            true,
        );
        let kind = o["type"].as_u64().unwrap_or(0);
        if kind == 1 || kind == 2 {
            let sub = o["options"].as_array().cloned().unwrap_or_default();
            check_options(errs, &join(&p, "options"), &sub);
            continue;
        }
        let required = o["required"].as_bool().unwrap_or(false);
        if required && optional_seen {
            errs.push((
                p.clone(),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options".into(),
            ));
        }
        optional_seen |= !required;
        let choices = o["choices"].as_array().cloned().unwrap_or_default();
        if choices.len() > 25 {
            errs.push((
                join(&p, "choices"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.".into(),
            ));
        }
        if !choices.is_empty() && o["autocomplete"] == true {
            errs.push((
                join(&p, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_AND_CHOICES",
                "Autocomplete cannot be set for options with choices".into(),
            ));
        }
        for (j, c) in choices.iter().enumerate() {
            let cp = format!("{p}.choices.{j}");
            len_between(errs, join(&cp, "name"), &c["name"], 1, 100);
            max_len(errs, join(&cp, "value"), &c["value"], 100);
            check_localizations(
                errs,
                &join(&cp, "name_localizations"),
                &c["name_localizations"],
                false,
                true,
            );
        }
    }
}

pub(super) fn register_commands(
    s: &mut State,
    guild: Option<u64>,
    body: &Value,
    validate: bool,
) -> Reply {
    let Some(list) = body.as_array() else {
        return form_error(&[("".into(), "BASE_TYPE_ARRAY", "Must be an array.".into())]);
    };
    if validate {
        let mut errs: Errs = vec![];
        let mut names = HashSet::new();
        for (i, c) in list.iter().enumerate() {
            let p = format!("{i}");
            let kind = c["type"].as_u64().unwrap_or(1);
            let chat_input = kind == 1;
            let name = c["name"].as_str().unwrap_or("");
            if !valid_name(name, chat_input) {
                errs.push((
                    join(&p, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    format!("Command name is invalid: {name:?}"),
                ));
            }
            if !names.insert((kind, name.to_string())) {
                errs.push((
                    join(&p, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    format!("Application command names must be unique: {name:?}"),
                ));
            }
            if chat_input {
                len_between(
                    &mut errs,
                    join(&p, "description"),
                    &c["description"],
                    1,
                    100,
                );
            } else if c["description"].as_str().is_some_and(|d| !d.is_empty()) {
                errs.push((
                    join(&p, "description"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 0 or fewer in length.".into(),
                ));
            }
            check_localizations(
                &mut errs,
                &join(&p, "name_localizations"),
                &c["name_localizations"],
                true,
                chat_input,
            );
            check_localizations(
                &mut errs,
                &join(&p, "description_localizations"),
                &c["description_localizations"],
                false,
                chat_input,
            );
            let opts = c["options"].as_array().cloned().unwrap_or_default();
            check_options(&mut errs, &join(&p, "options"), &opts);
        }
        if list.len() > 100 {
            errs.push((
                "".into(),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.".into(),
            ));
        }
        if !errs.is_empty() {
            return form_error(&errs);
        }
    }
    let previous = match guild {
        None => s.global_commands.clone(),
        Some(g) => s.guild_commands.get(&g).cloned().unwrap_or_default(),
    };
    let echoed: Vec<Value> = list
        .iter()
        .map(|c| {
            let mut c = c.clone();
            let kind = c["type"].as_u64().unwrap_or(1);
            let same = previous
                .iter()
                .find(|p| p["name"] == c["name"] && p["type"].as_u64() == Some(kind));
            let id = same
                .map(|p| p["id"].clone())
                .unwrap_or_else(|| json!(snowflake().to_string()));
            c["id"] = id;
            c["type"] = json!(kind);
            c["application_id"] = json!(APP_ID.to_string());
            if c.get("description").is_none() || c["description"].is_null() {
                c["description"] = json!("");
            }
            c["version"] = json!(snowflake().to_string());
            if c.get("default_member_permissions").is_none() {
                c["default_member_permissions"] = Value::Null;
            }
            if c.get("nsfw").is_none() {
                c["nsfw"] = json!(false);
            }
            if let Some(g) = guild {
                c["guild_id"] = json!(g.to_string());
            }
            c
        })
        .collect();
    match guild {
        None => s.global_commands = echoed.clone(),
        Some(g) => {
            s.guild_commands.insert(g, echoed.clone());
        }
    }
    s.last_registered = echoed.clone();
    s.registrations += 1;
    Reply::ok(Value::Array(echoed))
}
