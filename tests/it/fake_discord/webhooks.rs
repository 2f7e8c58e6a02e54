//! Interaction responses: `POST /interactions/{id}/{token}/callback` (deadline, double
//! acknowledgement, allowed response types) and the interaction webhook (@original and
//! follow-ups), plus FakeDiscord's read access to them.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::limits::{check_autocomplete, check_message, check_modal};
use super::messages::{apply_edit, message_skeleton};
use super::rest::{form_error, Reply};
use super::{
    dm_channel_id, id_of, snowflake, Callback, FakeDiscord, Shared, State, GUILD_CHANNEL_ID,
};

pub(super) fn interaction_callback(
    s: &mut State,
    shared: &Shared,
    id: &str,
    token: &str,
    body: &Value,
    at: Instant,
) -> Reply {
    let id_n = id.parse::<u64>().unwrap_or(0);
    let record = |s: &mut State, status: u16, latency: Option<Duration>| {
        s.callbacks.push(Callback {
            interaction_id: id_n,
            token: token.to_string(),
            body: body.clone(),
            at,
            latency,
            status,
        });
    };
    let Some(info) = s.interactions.get(&id_n) else {
        record(s, 404, None);
        return Reply::error(404, 10062, "Unknown interaction");
    };
    let latency = at.duration_since(info.pushed_at);
    let (info_token, info_kind, info_response) = (info.token.clone(), info.kind, info.response);
    let component_msg = info.message;
    let user_id = info.user_id;
    if info_token != token {
        record(s, 401, Some(latency));
        return Reply::error(401, 50027, "Invalid Webhook Token");
    }
    if shared
        .opts
        .interaction_deadline
        .is_some_and(|d| latency > d)
    {
        record(s, 404, Some(latency));
        return Reply::error(404, 10062, "Unknown interaction");
    }
    if info_response.is_some() {
        record(s, 400, Some(latency));
        return Reply::error(400, 40060, "Interaction has already been acknowledged.");
    }
    let kind = body["type"].as_u64().unwrap_or(0);
    let allowed: &[u64] = match info_kind {
        2 => &[4, 5, 9],
        3 => &[4, 5, 6, 7, 9],
        4 => &[8],
        5 => &[4, 5, 6, 7],
        _ => &[1],
    };
    if shared.opts.validate {
        if !allowed.contains(&kind) {
            record(s, 400, Some(latency));
            return form_error(&[(
                "type".into(),
                "BASE_TYPE_CHOICES",
                format!(
                    "Value must be one of {allowed:?} for interaction type {}.",
                    info_kind
                ),
            )]);
        }
        let check = match kind {
            4 => check_message(&body["data"], "data", true),
            5 | 7 => check_message(&body["data"], "data", false),
            8 => check_autocomplete(&body["data"]),
            9 => check_modal(&body["data"]),
            _ => None,
        };
        if let Some(r) = check {
            record(s, 400, Some(latency));
            return r;
        }
    }
    record(s, 204, Some(latency));
    let interaction_kind = info_kind;
    s.interactions.get_mut(&id_n).unwrap().response = Some(kind);
    let data = &body["data"];
    let wh = s.webhooks.entry(token.to_string()).or_default();
    match kind {
        4 | 5 => {
            let channel = user_id.map(dm_channel_id).unwrap_or(GUILD_CHANNEL_ID);
            let mut m = message_skeleton(snowflake(), channel, true);
            m["type"] = json!(if interaction_kind == 2 { 20 } else { 0 });
            if kind == 5 {
                m["flags"] = json!(128 | data["flags"].as_u64().unwrap_or(0));
            } else {
                apply_edit(&mut m, data, false);
            }
            wh.original = Some(m);
        }
        6 | 7 => {
            // @original is the message the component is on.
            let stored = component_msg.and_then(|(c, mid)| {
                s.messages.iter_mut().find(|x| {
                    id_of(&x.json["id"]) == Some(mid) && id_of(&x.json["channel_id"]) == Some(c)
                })
            });
            let current = match stored {
                Some(sm) => {
                    if kind == 7 {
                        apply_edit(&mut sm.json, data, true);
                        sm.edits += 1;
                    }
                    Some(sm.json.clone())
                }
                None => None,
            };
            let wh = s.webhooks.entry(token.to_string()).or_default();
            if let Some(c) = current {
                wh.original = Some(c);
            } else if let Some((c, mid)) = component_msg {
                let mut m = message_skeleton(mid, c, false);
                if kind == 7 {
                    apply_edit(&mut m, data, true);
                }
                wh.original = Some(m);
            }
        }
        _ => {}
    }
    Reply::no_content()
}

pub(super) fn followup(s: &mut State, shared: &Shared, token: &str, body: &Value) -> Reply {
    let Some(&iid) = s.tokens.get(token) else {
        return Reply::error(404, 10015, "Unknown Webhook");
    };
    let info = &s.interactions[&iid];
    if info.response.is_none() {
        return Reply::error(404, 10015, "Unknown Webhook");
    }
    if shared.opts.validate {
        if let Some(r) = check_message(body, "", true) {
            return r;
        }
    }
    let channel = info.user_id.map(dm_channel_id).unwrap_or(GUILD_CHANNEL_ID);
    let mut m = message_skeleton(snowflake(), channel, true);
    apply_edit(&mut m, body, false);
    s.webhooks
        .entry(token.to_string())
        .or_default()
        .followups
        .push(m.clone());
    Reply::ok(m)
}

pub(super) fn webhook_message(
    s: &mut State,
    shared: &Shared,
    method: &str,
    token: &str,
    mid: &str,
    body: &Value,
) -> Reply {
    let Some(&iid) = s.tokens.get(token) else {
        return Reply::error(404, 10015, "Unknown Webhook");
    };
    let info = &s.interactions[&iid];
    if info.response.is_none() {
        return Reply::error(404, 10015, "Unknown Webhook");
    }
    let component_msg = info.message;
    let response = info.response;
    if method == "PATCH" && shared.opts.validate {
        if let Some(r) = check_message(body, "", false) {
            return r;
        }
    }
    if mid == "@original" {
        let is_component_original = matches!(response, Some(6 | 7));
        match method {
            "GET" => match s.webhooks.get(token).and_then(|w| w.original.clone()) {
                Some(m) => Reply::ok(m),
                None => Reply::error(404, 10008, "Unknown Message"),
            },
            "DELETE" => {
                let wh = s.webhooks.entry(token.to_string()).or_default();
                if wh.original.take().is_none() {
                    return Reply::error(404, 10008, "Unknown Message");
                }
                if is_component_original {
                    if let Some((c, mid)) = component_msg {
                        s.messages.retain(|x| {
                            !(id_of(&x.json["id"]) == Some(mid)
                                && id_of(&x.json["channel_id"]) == Some(c))
                        });
                    }
                }
                Reply::no_content()
            }
            _ => {
                let mut edited = None;
                if is_component_original {
                    if let Some((c, mid)) = component_msg {
                        if let Some(sm) = s.messages.iter_mut().find(|x| {
                            id_of(&x.json["id"]) == Some(mid)
                                && id_of(&x.json["channel_id"]) == Some(c)
                        }) {
                            apply_edit(&mut sm.json, body, true);
                            sm.edits += 1;
                            edited = Some(sm.json.clone());
                        }
                    }
                }
                let wh = s.webhooks.entry(token.to_string()).or_default();
                wh.original_edits.push(body.clone());
                let m = match edited {
                    Some(m) => m,
                    None => {
                        let mut m = wh.original.clone().unwrap_or_else(|| {
                            message_skeleton(snowflake(), GUILD_CHANNEL_ID, true)
                        });
                        // A deferred (loading) response stops loading once edited.
                        if let Some(f) = m["flags"].as_u64() {
                            m["flags"] = json!(f & !128);
                        }
                        apply_edit(&mut m, body, true);
                        m
                    }
                };
                wh.original = Some(m.clone());
                Reply::ok(m)
            }
        }
    } else {
        let wh = s.webhooks.entry(token.to_string()).or_default();
        let Some(pos) = wh.followups.iter().position(|m| m["id"] == mid) else {
            return Reply::error(404, 10008, "Unknown Message");
        };
        match method {
            "GET" => Reply::ok(wh.followups[pos].clone()),
            "DELETE" => {
                wh.followups.remove(pos);
                Reply::no_content()
            }
            _ => {
                apply_edit(&mut wh.followups[pos], body, true);
                Reply::ok(wh.followups[pos].clone())
            }
        }
    }
}

impl FakeDiscord {
    /// Bodies of the accepted `PATCH /webhooks/{app}/{token}/messages/@original`, in order.
    pub fn original_edits(&self, token: &str) -> Vec<Value> {
        self.shared.read(|s| {
            s.webhooks
                .get(token)
                .map(|w| w.original_edits.clone())
                .unwrap_or_default()
        })
    }

    /// The latest edit of @original once there is at least one.
    pub async fn wait_original_edit(&self, token: &str, timeout: Duration) -> Option<Value> {
        self.wait_original_edits(token, 1, timeout)
            .await
            .and_then(|v| v.last().cloned())
    }

    /// All edits of @original once there are at least `n`.
    pub async fn wait_original_edits(
        &self,
        token: &str,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<Value>> {
        self.wait_until(timeout, |v| {
            let edits = v.0.webhooks.get(token).map(|w| &w.original_edits)?;
            (edits.len() >= n).then(|| edits.clone())
        })
        .await
    }

    /// The interaction's original response message as it stands (None before one exists).
    pub fn original_message(&self, token: &str) -> Option<Value> {
        self.shared
            .read(|s| s.webhooks.get(token).and_then(|w| w.original.clone()))
    }

    /// Follow-up messages (`POST /webhooks/{app}/{token}`), current state.
    pub fn followups(&self, token: &str) -> Vec<Value> {
        self.shared.read(|s| {
            s.webhooks
                .get(token)
                .map(|w| w.followups.clone())
                .unwrap_or_default()
        })
    }

    /// All follow-ups once there are at least `n`.
    pub async fn wait_followups(
        &self,
        token: &str,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<Value>> {
        self.wait_until(timeout, |v| {
            let f = v.0.webhooks.get(token).map(|w| &w.followups)?;
            (f.len() >= n).then(|| f.clone())
        })
        .await
    }
}
