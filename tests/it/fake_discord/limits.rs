//! Discord's documented limits on what the bot sends (messages, embeds, components, modals,
//! autocomplete choices), answered with Discord's 400 Invalid Form Body / 50006 shapes.

use std::collections::HashSet;

use serde_json::Value;

use super::rest::{form_error, Reply};

pub(super) type Errs = Vec<(String, &'static str, String)>;

pub(super) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

pub(super) fn max_len(errs: &mut Errs, path: String, v: &Value, max: usize) {
    if let Some(s) = v.as_str() {
        if s.chars().count() > max {
            errs.push((
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            ));
        }
    }
}

pub(super) fn len_between(errs: &mut Errs, path: String, v: &Value, min: usize, max: usize) {
    let n = v.as_str().map(|s| s.chars().count()).unwrap_or(0);
    if n < min || n > max {
        errs.push((
            path,
            "BASE_TYPE_BAD_LENGTH",
            format!("Must be between {min} and {max} in length."),
        ));
    }
}

/// Message bodies (create, edit, callback data). `require_content`: the message must not be
/// empty (Discord 50006).
pub(super) fn check_message(body: &Value, prefix: &str, require_content: bool) -> Option<Reply> {
    let mut errs: Errs = vec![];
    max_len(&mut errs, join(prefix, "content"), &body["content"], 2000);
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        errs.push((
            join(prefix, "embeds"),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 10 or fewer in length.".into(),
        ));
    }
    let mut total = 0usize;
    for (i, e) in embeds.iter().enumerate() {
        let p = join(prefix, &format!("embeds.{i}"));
        max_len(&mut errs, join(&p, "title"), &e["title"], 256);
        max_len(&mut errs, join(&p, "description"), &e["description"], 4096);
        max_len(
            &mut errs,
            join(&p, "footer.text"),
            &e["footer"]["text"],
            2048,
        );
        max_len(
            &mut errs,
            join(&p, "author.name"),
            &e["author"]["name"],
            256,
        );
        let count = |v: &Value| v.as_str().map(|s| s.chars().count()).unwrap_or(0);
        total += count(&e["title"])
            + count(&e["description"])
            + count(&e["footer"]["text"])
            + count(&e["author"]["name"]);
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            errs.push((
                join(&p, "fields"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.".into(),
            ));
        }
        for (j, f) in fields.iter().enumerate() {
            let fp = join(&p, &format!("fields.{j}"));
            len_between(&mut errs, join(&fp, "name"), &f["name"], 1, 256);
            len_between(&mut errs, join(&fp, "value"), &f["value"], 1, 1024);
            total += count(&f["name"]) + count(&f["value"]);
        }
    }
    if total > 6000 {
        errs.push((
            join(prefix, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000".into(),
        ));
    }
    let rows = body["components"].as_array().cloned().unwrap_or_default();
    check_rows(&mut errs, &join(prefix, "components"), &rows, false);
    if !errs.is_empty() {
        return Some(form_error(&errs));
    }
    if require_content {
        let empty_content = body["content"].as_str().is_none_or(str::is_empty);
        let has_files = body["attachments"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        let has_other = body["sticker_ids"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
            || !body["poll"].is_null();
        if empty_content && embeds.is_empty() && rows.is_empty() && !has_files && !has_other {
            return Some(Reply::error(400, 50006, "Cannot send an empty message"));
        }
    }
    None
}

fn check_rows(errs: &mut Errs, prefix: &str, rows: &[Value], modal: bool) {
    if rows.len() > 5 {
        errs.push((
            prefix.to_string(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 5 or fewer in length.".into(),
        ));
    }
    if modal && rows.is_empty() {
        errs.push((
            prefix.to_string(),
            "BASE_TYPE_MIN_LENGTH",
            "Must be 1 or more in length.".into(),
        ));
    }
    let mut seen = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let rp = format!("{prefix}.{i}");
        if row["type"] != 1 {
            errs.push((
                join(&rp, "type"),
                "UNION_TYPE_CHOICES",
                "Value of field \"type\" must be one of (1,).".into(),
            ));
            continue;
        }
        let comps = row["components"].as_array().cloned().unwrap_or_default();
        let max = if modal { 1 } else { 5 };
        if comps.is_empty() || comps.len() > max {
            errs.push((
                join(&rp, "components"),
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between 1 and {max} in length."),
            ));
        }
        for (j, c) in comps.iter().enumerate() {
            let cp = format!("{rp}.components.{j}");
            let kind = c["type"].as_u64().unwrap_or(0);
            if let Some(id) = c["custom_id"].as_str() {
                if !seen.insert(id.to_string()) {
                    errs.push((
                        join(&cp, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated".into(),
                    ));
                }
            }
            match (modal, kind) {
                (false, 2) => {
                    let link = c["style"] == 5 || c["style"] == 6;
                    if !link {
                        len_between(errs, join(&cp, "custom_id"), &c["custom_id"], 1, 100);
                    }
                    max_len(errs, join(&cp, "label"), &c["label"], 80);
                    if c["label"].is_null() && c["emoji"].is_null() && c["style"] != 6 {
                        errs.push((
                            cp.clone(),
                            "BUTTON_COMPONENT_MISSING_LABEL_OR_EMOJI",
                            "A button must have a label or an emoji".into(),
                        ));
                    }
                }
                (false, 3 | 5 | 6 | 7 | 8) => {
                    len_between(errs, join(&cp, "custom_id"), &c["custom_id"], 1, 100);
                    max_len(errs, join(&cp, "placeholder"), &c["placeholder"], 150);
                    if comps.len() > 1 {
                        errs.push((
                            join(&rp, "components"),
                            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                            "The specified component exceeds the maximum width".into(),
                        ));
                    }
                    if kind == 3 {
                        let opts = c["options"].as_array().cloned().unwrap_or_default();
                        if opts.is_empty() || opts.len() > 25 {
                            errs.push((
                                join(&cp, "options"),
                                "BASE_TYPE_BAD_LENGTH",
                                "Must be between 1 and 25 in length.".into(),
                            ));
                        }
                        for (k, o) in opts.iter().enumerate() {
                            let op = format!("{cp}.options.{k}");
                            len_between(errs, join(&op, "label"), &o["label"], 1, 100);
                            len_between(errs, join(&op, "value"), &o["value"], 1, 100);
                            max_len(errs, join(&op, "description"), &o["description"], 100);
                        }
                    }
                }
                (true, 4) => {
                    len_between(errs, join(&cp, "custom_id"), &c["custom_id"], 1, 100);
                    len_between(errs, join(&cp, "label"), &c["label"], 1, 45);
                    max_len(errs, join(&cp, "value"), &c["value"], 4000);
                    max_len(errs, join(&cp, "placeholder"), &c["placeholder"], 100);
                    if c["style"] != 1 && c["style"] != 2 {
                        errs.push((
                            join(&cp, "style"),
                            "BASE_TYPE_CHOICES",
                            "Value must be one of {1, 2}.".into(),
                        ));
                    }
                    for k in ["min_length", "max_length"] {
                        if c[k].as_u64().is_some_and(|n| n > 4000) {
                            errs.push((
                                join(&cp, k),
                                "NUMBER_TYPE_MAX",
                                "int value should be less than or equal to 4000.".into(),
                            ));
                        }
                    }
                }
                _ => errs.push((
                    join(&cp, "type"),
                    "UNION_TYPE_CHOICES",
                    format!("Component type {kind} is not allowed here."),
                )),
            }
        }
    }
}

pub(super) fn check_modal(data: &Value) -> Option<Reply> {
    let mut errs: Errs = vec![];
    len_between(&mut errs, "data.title".into(), &data["title"], 1, 45);
    len_between(
        &mut errs,
        "data.custom_id".into(),
        &data["custom_id"],
        1,
        100,
    );
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    check_rows(&mut errs, "data.components", &rows, true);
    (!errs.is_empty()).then(|| form_error(&errs))
}

pub(super) fn check_autocomplete(data: &Value) -> Option<Reply> {
    let mut errs: Errs = vec![];
    let choices = data["choices"].as_array().cloned().unwrap_or_default();
    if choices.len() > 25 {
        errs.push((
            "data.choices".into(),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.".into(),
        ));
    }
    for (i, c) in choices.iter().enumerate() {
        len_between(
            &mut errs,
            format!("data.choices.{i}.name"),
            &c["name"],
            1,
            100,
        );
        max_len(
            &mut errs,
            format!("data.choices.{i}.value"),
            &c["value"],
            100,
        );
    }
    (!errs.is_empty()).then(|| form_error(&errs))
}
