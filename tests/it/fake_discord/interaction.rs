//! INTERACTION_CREATE payload builders ([`Interaction`]) and [`check_interaction_payload`],
//! which proves serenity would turn a payload into an `Event::InteractionCreate`.

use serde_json::{json, Value};

use super::messages::{message_skeleton, normalize_embeds};
use super::{dm_channel_id, snowflake, user_json, APP_ID, GUILD_CHANNEL_ID, GUILD_ID, LOCALES};

/// One INTERACTION_CREATE payload, checked against serenity's deserializer when built.
#[derive(Clone, Debug)]
pub struct Interaction {
    id: u64,
    token: String,
    user_id: u64,
    json: Value,
}

fn option_json(name: &str, value: Value) -> Value {
    // `{"type": N, "value": V}` (exactly those keys) gives an explicit option type.
    if let Value::Object(m) = &value {
        if m.len() == 2 && m.contains_key("type") && m.contains_key("value") {
            return json!({"name": name, "type": m["type"], "value": m["value"]});
        }
    }
    let kind = match &value {
        Value::String(_) => 3,
        Value::Bool(_) => 5,
        Value::Number(n) if n.is_i64() || n.is_u64() => 4,
        Value::Number(_) => 10,
        other => panic!("option {name}: cannot infer a Discord option type for {other}"),
    };
    json!({"name": name, "type": kind, "value": value})
}

/// Nest `options` under `subcommand` ("sub" or "group sub").
fn nest_options(subcommand: Option<&str>, options: Vec<Value>) -> Vec<Value> {
    match subcommand {
        None => options,
        Some(path) => {
            let parts: Vec<&str> = path.split_whitespace().collect();
            match parts.as_slice() {
                [sub] => vec![json!({"name": sub, "type": 1, "options": options})],
                [group, sub] => vec![json!({
                    "name": group, "type": 2,
                    "options": [{"name": sub, "type": 1, "options": options}],
                })],
                _ => panic!("subcommand must be \"sub\" or \"group sub\", got {path:?}"),
            }
        }
    }
}

/// A full Message JSON from a partial one (missing required fields filled in).
fn complete_message(partial: &Value, channel_id: u64) -> Value {
    let mut m = message_skeleton(snowflake(), channel_id, false);
    if let Value::Object(p) = partial {
        for (k, v) in p {
            m[k] = v.clone();
        }
    }
    normalize_embeds(&mut m);
    m
}

impl Interaction {
    fn base(kind: u64, user_id: u64, locale: &str, data: Value) -> Interaction {
        assert!(
            LOCALES.contains(&locale),
            "{locale:?} is not a Discord locale (use e.g. en-US, zh-CN, zh-TW)"
        );
        let id = snowflake();
        let token = format!("itok.{id}.{:x}", dm_channel_id(id));
        let channel = dm_channel_id(user_id);
        let json = json!({
            "id": id.to_string(),
            "application_id": APP_ID.to_string(),
            "type": kind,
            "data": data,
            "channel_id": channel.to_string(),
            "channel": {"id": channel.to_string(), "type": 1, "last_message_id": null,
                        "flags": 0, "recipients": [user_json(user_id)]},
            "user": user_json(user_id),
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": "2248473465835073",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID.to_string()},
            "context": 1,
            "attachment_size_limit": 10_485_760,
        });
        Interaction {
            id,
            token,
            user_id,
            json,
        }
    }

    /// A slash command (type 2). Option types are inferred from the JSON value (string 3,
    /// integer 4, bool 5, float 10); pass `json!({"type": N, "value": V})` for others.
    /// `subcommand` is `"sub"` or `"group sub"`.
    pub fn slash(
        user_id: u64,
        locale: &str,
        command: &str,
        subcommand: Option<&str>,
        options: Vec<(&str, Value)>,
    ) -> Interaction {
        let opts = options
            .into_iter()
            .map(|(n, v)| option_json(n, v))
            .collect();
        let data = json!({
            "id": snowflake().to_string(),
            "name": command,
            "type": 1,
            "options": nest_options(subcommand, opts),
        });
        Interaction::base(2, user_id, locale, data).checked()
    }

    /// Adds an uploaded file to a slash command's resolved data, as Discord does for an
    /// attachment option (`{"type": 11, "value": "<id>"}`).
    pub fn with_attachment(mut self, id: u64, filename: &str, url: &str) -> Interaction {
        self.json["data"]["resolved"]["attachments"][id.to_string()] = json!({
            "id": id.to_string(), "filename": filename, "size": 48_213, "url": url,
            "proxy_url": url, "content_type": "application/pdf",
        });
        self.checked()
    }

    /// Autocomplete (type 4): `focused` is (option name, what the user has typed so far).
    pub fn autocomplete(
        user_id: u64,
        locale: &str,
        command: &str,
        subcommand: Option<&str>,
        options: Vec<(&str, Value)>,
        focused: (&str, &str),
    ) -> Interaction {
        let mut opts: Vec<Value> = options
            .into_iter()
            .map(|(n, v)| option_json(n, v))
            .collect();
        opts.push(json!({"name": focused.0, "type": 3, "value": focused.1, "focused": true}));
        let data = json!({
            "id": snowflake().to_string(),
            "name": command,
            "type": 1,
            "options": nest_options(subcommand, opts),
        });
        Interaction::base(4, user_id, locale, data).checked()
    }

    /// A button click (type 3, component_type 2) on `message` (a full Message JSON such as
    /// `StoredMessage::to_json()`, or a partial one: missing fields are filled in).
    pub fn button(user_id: u64, locale: &str, custom_id: &str, message: Value) -> Interaction {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let mut i = Interaction::base(3, user_id, locale, data);
        i.json["message"] = complete_message(&message, dm_channel_id(user_id));
        i.checked()
    }

    /// A string-select choice (type 3, component_type 3) on `message`.
    pub fn select(
        user_id: u64,
        locale: &str,
        custom_id: &str,
        values: Vec<&str>,
        message: Value,
    ) -> Interaction {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        let mut i = Interaction::base(3, user_id, locale, data);
        i.json["message"] = complete_message(&message, dm_channel_id(user_id));
        i.checked()
    }

    /// A modal submit (type 5): one action row per (text input custom_id, value).
    pub fn modal_submit(
        user_id: u64,
        locale: &str,
        custom_id: &str,
        fields: Vec<(&str, &str)>,
    ) -> Interaction {
        let rows: Vec<Value> = fields
            .into_iter()
            .map(|(cid, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": cid, "value": value}]})
            })
            .collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        Interaction::base(5, user_id, locale, data).checked()
    }

    /// The same interaction from a guild channel: `guild_id` + `member{user,...}`, no `user`.
    pub fn in_guild(mut self) -> Interaction {
        let obj = self.json.as_object_mut().unwrap();
        let user = obj
            .remove("user")
            .unwrap_or_else(|| user_json(self.user_id));
        obj.insert("guild_id".into(), json!(GUILD_ID.to_string()));
        obj.insert("guild_locale".into(), json!("en-US"));
        obj.insert("channel_id".into(), json!(GUILD_CHANNEL_ID.to_string()));
        obj.insert(
            "channel".into(),
            json!({"id": GUILD_CHANNEL_ID.to_string(), "type": 0, "name": "desk",
                   "guild_id": GUILD_ID.to_string(), "permissions": "2248473465835073",
                   "flags": 0, "nsfw": false, "parent_id": null, "position": 0}),
        );
        obj.insert("context".into(), json!(0));
        obj.insert(
            "member".into(),
            json!({
                "user": user,
                "nick": null, "avatar": null, "roles": [],
                "joined_at": "2024-01-01T00:00:00.000000+00:00",
                "premium_since": null, "deaf": false, "mute": false, "flags": 0,
                "pending": false, "permissions": "2248473465835073",
                "communication_disabled_until": null,
            }),
        );
        if let Some(m) = obj.get_mut("message") {
            m["channel_id"] = json!(GUILD_CHANNEL_ID.to_string());
            m["guild_id"] = json!(GUILD_ID.to_string());
        }
        self.checked()
    }

    /// Set the user's username (and global_name).
    pub fn with_username(mut self, name: &str) -> Interaction {
        for path in ["/user", "/member/user"] {
            if let Some(u) = self.json.pointer_mut(path).filter(|u| u.is_object()) {
                u["username"] = json!(name);
                u["global_name"] = json!(name);
            }
        }
        self.checked()
    }

    pub fn id(&self) -> u64 {
        self.id
    }
    pub fn token(&self) -> &str {
        &self.token
    }
    pub fn user_id(&self) -> u64 {
        self.user_id
    }
    /// The INTERACTION_CREATE `d` payload (for `push_raw` replays).
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// Panics unless serenity turns this payload into an `Event::InteractionCreate`.
    fn checked(self) -> Interaction {
        check_interaction_payload(&self.json);
        self
    }
}

/// Panics unless serenity deserializes `d` as an INTERACTION_CREATE (not `Event::Unknown`).
pub fn check_interaction_payload(d: &Value) {
    use serenity::model::application::Interaction as SInteraction;
    use serenity::model::event::Event;
    if let Err(e) = serde_json::from_value::<SInteraction>(d.clone()) {
        panic!(
            "serenity would drop this INTERACTION_CREATE: {e}\n{}",
            serde_json::to_string_pretty(d).unwrap()
        );
    }
    match serde_json::from_value::<Event>(json!({"t": "INTERACTION_CREATE", "d": d})) {
        Ok(Event::InteractionCreate(_)) => {}
        other => panic!("serenity does not see an InteractionCreate: {other:?}"),
    }
}
