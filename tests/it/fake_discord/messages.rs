//! The Discord objects the fake serves: users, messages ([`StoredMessage`] and the Message JSON
//! the REST side builds), and FakeDiscord's read access to channel messages.

use std::time::Duration;

use serde_json::{json, Value};

use super::{dm_channel_id, id_of, FakeDiscord, FakeView, APP_ID, BOT_USERNAME, BOT_USER_ID};

/// The user object the fake uses for `user_id` (username `user<id>`).
pub fn user_json(user_id: u64) -> Value {
    json!({
        "id": user_id.to_string(),
        "username": format!("user{user_id}"),
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "public_flags": 0,
    })
}

pub fn bot_user_json() -> Value {
    json!({
        "id": BOT_USER_ID.to_string(),
        "username": BOT_USERNAME,
        "discriminator": "0",
        "global_name": "Bizdesk",
        "avatar": null,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "flags": 0,
        "public_flags": 0,
    })
}

pub(super) fn now_ts() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

/// A message in a channel, as it is now (edits applied).
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub id: u64,
    pub channel_id: u64,
    pub content: String,
    /// Action rows as sent (`[{type:1, components:[...]}]`).
    pub components: Vec<Value>,
    pub embeds: Vec<Value>,
    pub flags: u64,
    /// How many edits were applied (PATCH, or UPDATE_MESSAGE / deferred-update edits).
    pub edits: usize,
    /// The full Message JSON the fake would return for it.
    pub json: Value,
}

impl StoredMessage {
    pub(super) fn from_json(json: &Value, edits: usize) -> Self {
        StoredMessage {
            id: id_of(&json["id"]).unwrap_or(0),
            channel_id: id_of(&json["channel_id"]).unwrap_or(0),
            content: json["content"].as_str().unwrap_or("").to_string(),
            components: json["components"].as_array().cloned().unwrap_or_default(),
            embeds: json["embeds"].as_array().cloned().unwrap_or_default(),
            flags: json["flags"].as_u64().unwrap_or(0),
            edits,
            json: json.clone(),
        }
    }

    /// The full Message JSON (what `Interaction::button` wants as the clicked message).
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }

    /// All components (buttons, selects) of all rows.
    pub fn all_components(&self) -> Vec<Value> {
        self.components
            .iter()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// custom_ids of all components, in order.
    pub fn custom_ids(&self) -> Vec<String> {
        self.all_components()
            .iter()
            .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
            .collect()
    }

    /// The first button whose label is `label`.
    pub fn button(&self, label: &str) -> Option<Value> {
        self.all_components()
            .into_iter()
            .find(|c| c["type"] == 2 && c["label"] == label)
    }

    /// Content plus embed titles/descriptions/fields, for "does it mention X" assertions.
    pub fn text(&self) -> String {
        let mut s = self.content.clone();
        for e in &self.embeds {
            for k in ["title", "description"] {
                if let Some(t) = e[k].as_str() {
                    s.push('\n');
                    s.push_str(t);
                }
            }
            for f in e["fields"].as_array().into_iter().flatten() {
                s.push('\n');
                s.push_str(f["name"].as_str().unwrap_or(""));
                s.push('\n');
                s.push_str(f["value"].as_str().unwrap_or(""));
            }
        }
        s
    }
}

pub(super) fn message_skeleton(id: u64, channel_id: u64, webhook: bool) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": bot_user_json(),
        "content": "",
        "timestamp": now_ts(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
        "components": [],
    });
    if webhook {
        m["webhook_id"] = json!(APP_ID.to_string());
        m["application_id"] = json!(APP_ID.to_string());
    }
    m
}

pub(super) fn normalize_embeds(m: &mut Value) {
    if let Some(embeds) = m["embeds"].as_array_mut() {
        for e in embeds {
            if e.is_object() && e.get("type").is_none() {
                e["type"] = json!("rich");
            }
        }
    }
}

/// Apply the message fields of a create/edit body (absent fields are kept).
pub(super) fn apply_edit(m: &mut Value, body: &Value, is_edit: bool) {
    for key in ["content", "components", "embeds", "flags", "tts"] {
        if let Some(v) = body.get(key) {
            m[key] = match (key, v) {
                ("content", Value::Null) => json!(""),
                ("components" | "embeds", Value::Null) => json!([]),
                ("flags", Value::Null) => json!(0),
                ("tts", Value::Null) => json!(false),
                _ => v.clone(),
            };
        }
    }
    normalize_embeds(m);
    if is_edit {
        m["edited_timestamp"] = json!(now_ts());
    }
}

impl FakeDiscord {
    /// Messages in `user_id`'s DM channel, oldest first, edits applied.
    pub fn dm_messages(&self, user_id: u64) -> Vec<StoredMessage> {
        self.channel_messages(dm_channel_id(user_id))
    }

    /// Messages in any channel, oldest first, edits applied.
    pub fn channel_messages(&self, channel_id: u64) -> Vec<StoredMessage> {
        self.shared
            .read(|s| FakeView(s).channel_messages(channel_id))
    }

    /// The first DM to `user_id` matching `pred` (checked again after every change).
    pub async fn wait_dm(
        &self,
        user_id: u64,
        pred: impl Fn(&StoredMessage) -> bool,
        timeout: Duration,
    ) -> Option<StoredMessage> {
        let ch = dm_channel_id(user_id);
        self.wait_until(timeout, |v| {
            v.channel_messages(ch).into_iter().find(|m| pred(m))
        })
        .await
    }

    /// Users for whom `POST /users/@me/channels` was called.
    pub fn dm_opened(&self) -> Vec<u64> {
        self.shared.read(|s| s.dm_opened.iter().copied().collect())
    }
}
