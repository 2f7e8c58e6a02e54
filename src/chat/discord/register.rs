//! The slash commands as Discord wants them: the catalog in `commands/*.toml`, translated to
//! the registration JSON (with zh-CN localizations) for a bulk overwrite.

use crate::commands::{Catalog, OptionSpec, OptionType};
use serde_json::{json, Map, Value};

/// Discord's locale key for Simplified Chinese.
const ZH: &str = "zh-CN";

fn localized(en: &str, zh: &str) -> Value {
    if zh.is_empty() || zh == en {
        json!({})
    } else {
        json!({ ZH: zh })
    }
}

fn option(o: &OptionSpec) -> Value {
    let mut v = Map::new();
    v.insert("type".into(), json!(o.kind.discord_type()));
    v.insert("name".into(), json!(o.name));
    v.insert("name_localizations".into(), localized(&o.name, &o.name_zh));
    v.insert("description".into(), json!(o.description));
    v.insert(
        "description_localizations".into(),
        localized(&o.description, &o.description_zh),
    );
    v.insert("required".into(), json!(o.required));
    if let Some(n) = o.min_length {
        v.insert("min_length".into(), json!(n));
    }
    if let Some(n) = o.max_length {
        v.insert("max_length".into(), json!(n));
    }
    let integer = o.kind == OptionType::Integer;
    for (key, bound) in [("min_value", o.min_value), ("max_value", o.max_value)] {
        if let Some(b) = bound {
            v.insert(key.into(), if integer { json!(b as i64) } else { json!(b) });
        }
    }
    if !o.choices.is_empty() {
        let choices: Vec<Value> = o
            .choices
            .iter()
            .map(|c| json!({ "name": c.name, "name_localizations": localized(&c.name, &c.name_zh), "value": c.value }))
            .collect();
        v.insert("choices".into(), json!(choices));
    }
    if o.autocomplete {
        v.insert("autocomplete".into(), json!(true));
    }
    Value::Object(v)
}

/// The whole catalog as the body of `PUT /applications/{app}/commands` (or the guild route).
pub fn registration_body(catalog: &Catalog) -> Value {
    let commands: Vec<Value> = catalog
        .commands
        .iter()
        .map(|c| {
            let options: Vec<Value> = if c.subcommands.is_empty() {
                c.options.iter().map(option).collect()
            } else {
                c.subcommands
                    .iter()
                    .map(|s| {
                        json!({
                            "type": 1, "name": s.name, "name_localizations": localized(&s.name, &s.name_zh),
                            "description": s.description,
                            "description_localizations": localized(&s.description, &s.description_zh),
                            "options": s.options.iter().map(option).collect::<Vec<_>>(),
                        })
                    })
                    .collect()
            };
            json!({
                "type": 1, "name": c.name, "name_localizations": localized(&c.name, &c.name_zh),
                "description": c.description, "description_localizations": localized(&c.description, &c.description_zh),
                "options": options,
                // Usable in the server and in DMs with the bot.
                "contexts": [0, 1], "integration_types": [0],
            })
        })
        .collect();
    Value::Array(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_registers_with_localizations_and_nested_subcommands() {
        let body = registration_body(&Catalog::embedded().unwrap());
        let commands = body.as_array().unwrap();
        let req = commands
            .iter()
            .find(|c| c["name"] == "requisition")
            .unwrap();
        assert_eq!(req["name_localizations"]["zh-CN"], "采购申请");
        let new = req["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "new")
            .unwrap();
        assert_eq!(new["type"], 1);
        let qty = new["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "quantity")
            .unwrap();
        assert_eq!(
            (
                qty["type"].clone(),
                qty["min_value"].clone(),
                qty["required"].clone()
            ),
            (json!(4), json!(1), json!(true))
        );
        let category = new["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "category")
            .unwrap();
        assert_eq!(category["autocomplete"], true);
    }
}
