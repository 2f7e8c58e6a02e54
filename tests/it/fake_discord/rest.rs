//! The REST side: the axum handler that records every request, applies injected delays and
//! faults, checks the bot token and routes to Discord's endpoints; Discord-shaped replies; and
//! FakeDiscord's fault injection.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::commands::register_commands;
use super::limits::check_message;
use super::messages::{apply_edit, message_skeleton};
use super::webhooks::{followup, interaction_callback, webhook_message};
use super::{
    bot_user_json, dm_channel_id, id_of, normalize_prefix, snowflake, user_json, FakeDiscord,
    Fault, RecordedRequest, Shared, State, StoredMsg, APP_ID, TOKEN,
};

pub(super) struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
}

impl Reply {
    pub(super) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: vec![],
        }
    }
    pub(super) fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }
    pub(super) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: vec![],
        }
    }
    pub(super) fn error(status: u16, code: i64, message: &str) -> Reply {
        Reply::json(status, json!({"message": message, "code": code}))
    }
    fn unknown_route() -> Reply {
        Reply::error(404, 0, "Unknown route")
    }
    fn into_response(self) -> Response {
        let mut b = Response::builder().status(StatusCode::from_u16(self.status).unwrap());
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        match self.body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        }
    }
}

/// Discord's 400 Invalid Form Body with nested `errors`.
pub(super) fn form_error(errs: &[(String, &str, String)]) -> Reply {
    let mut root = Map::new();
    for (path, code, message) in errs {
        let mut node = &mut root;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            node = node
                .entry(seg.to_string())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap();
        }
        node.entry("_errors")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!({"code": code, "message": message}));
    }
    Reply::json(
        400,
        json!({"code": 50035, "message": "Invalid Form Body", "errors": Value::Object(root)}),
    )
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> (Value, usize) {
    if body.is_empty() {
        return (Value::Null, 0);
    }
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(boundary) = ctype
        .strip_prefix("multipart/form-data")
        .and_then(|r| r.split("boundary=").nth(1))
    {
        let boundary = format!("--{}", boundary.trim_matches('"'));
        let text = String::from_utf8_lossy(body);
        let mut payload = Value::Null;
        let mut files = 0;
        for part in text.split(boundary.as_str()) {
            let Some((head, content)) = part.split_once("\r\n\r\n") else {
                continue;
            };
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            if head.contains("name=\"payload_json\"") {
                payload = serde_json::from_str(content).unwrap_or(Value::String(content.into()));
            } else if head.contains("filename=") {
                files += 1;
            }
        }
        return (payload, files);
    }
    match serde_json::from_slice(body) {
        Ok(v) => (v, 0),
        Err(_) => (Value::String(String::from_utf8_lossy(body).into_owned()), 0),
    }
}

pub(super) async fn rest_handler(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let full = uri.path().to_string();
    let path = full.strip_prefix("/api/v10").map(str::to_string);
    let (json_body, files) = parse_body(&headers, &body);
    let method_s = method.as_str().to_string();
    let idx = shared.update(|s| {
        s.requests.push(RecordedRequest {
            method: method_s.clone(),
            path: path.clone().unwrap_or_else(|| full.clone()),
            query: uri.query().map(str::to_string),
            body: json_body.clone(),
            files,
            at,
            status: 0,
        });
        s.requests.len() - 1
    });
    let reply = match path {
        None => Reply::unknown_route(),
        Some(path) => {
            let delay = shared.read(|s| {
                s.delays
                    .iter()
                    .find(|(p, _)| path.starts_with(p.as_str()))
                    .map(|(_, d)| *d)
            });
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            let fault = shared.update(|s| {
                let f = s.faults.iter_mut().find(|f| {
                    f.remaining > 0
                        && (f.method == "*" || f.method == method_s)
                        && path.starts_with(f.prefix.as_str())
                })?;
                f.remaining -= 1;
                Some((f.status, f.body.clone()))
            });
            match fault {
                Some((status, body)) => fault_reply(status, body),
                None => {
                    let auth_ok = headers.get("authorization").and_then(|v| v.to_str().ok())
                        == Some(&format!("Bot {TOKEN}"));
                    let needs_auth =
                        !(path.starts_with("/interactions/") || path.starts_with("/webhooks/"));
                    if needs_auth && !auth_ok {
                        Reply::error(401, 0, "401: Unauthorized")
                    } else {
                        shared.update(|s| route(s, &shared, &method_s, &path, &json_body, at))
                    }
                }
            }
        }
    };
    shared.update(|s| s.requests[idx].status = reply.status);
    reply.into_response()
}

fn fault_reply(status: u16, body: Value) -> Reply {
    let mut r = Reply::json(status, body.clone());
    if status == 429 {
        let after = body["retry_after"].as_f64().unwrap_or(1.0);
        let global = body["global"].as_bool().unwrap_or(false);
        r.headers
            .push(("Retry-After".into(), format!("{}", after.ceil() as u64)));
        r.headers.push(("X-RateLimit-Limit".into(), "5".into()));
        r.headers.push(("X-RateLimit-Remaining".into(), "0".into()));
        r.headers
            .push(("X-RateLimit-Reset-After".into(), format!("{after:.3}")));
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            + after;
        r.headers
            .push(("X-RateLimit-Reset".into(), format!("{reset:.3}")));
        r.headers
            .push(("X-RateLimit-Bucket".into(), "fakebucket".into()));
        r.headers.push((
            "X-RateLimit-Scope".into(),
            if global { "global" } else { "user" }.into(),
        ));
        if global {
            r.headers.push(("X-RateLimit-Global".into(), "true".into()));
        }
    }
    r
}

fn route(
    s: &mut State,
    shared: &Shared,
    method: &str,
    path: &str,
    body: &Value,
    at: Instant,
) -> Reply {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let app_ok = |a: &str| a == APP_ID.to_string();
    match (method, segs.as_slice()) {
        ("GET", ["gateway"]) => Reply::ok(json!({"url": shared.gateway_url})),
        ("GET", ["gateway", "bot"]) => Reply::ok(json!({
            "url": shared.gateway_url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999,
                                    "reset_after": 14_400_000, "max_concurrency": 1},
        })),
        ("GET", ["users", "@me"]) => Reply::ok(bot_user_json()),
        ("GET", ["oauth2", "applications", "@me"]) | ("GET", ["applications", "@me"]) => {
            Reply::ok(application_json())
        }
        ("PUT", ["applications", a, "commands"]) if app_ok(a) => {
            register_commands(s, None, body, shared.opts.validate)
        }
        ("GET", ["applications", a, "commands"]) if app_ok(a) => {
            Reply::ok(Value::Array(s.global_commands.clone()))
        }
        ("PUT", ["applications", a, "guilds", g, "commands"]) if app_ok(a) => {
            let Ok(g) = g.parse::<u64>() else {
                return Reply::error(404, 10004, "Unknown Guild");
            };
            register_commands(s, Some(g), body, shared.opts.validate)
        }
        ("GET", ["applications", a, "guilds", g, "commands"]) if app_ok(a) => {
            let g = g.parse::<u64>().unwrap_or(0);
            Reply::ok(Value::Array(
                s.guild_commands.get(&g).cloned().unwrap_or_default(),
            ))
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            interaction_callback(s, shared, id, token, body, at)
        }
        ("POST", ["webhooks", a, token]) if app_ok(a) => followup(s, shared, token, body),
        (m @ ("GET" | "PATCH" | "DELETE"), ["webhooks", a, token, "messages", mid])
            if app_ok(a) =>
        {
            webhook_message(s, shared, m, token, mid, body)
        }
        ("POST", ["users", "@me", "channels"]) => {
            let Some(uid) = id_of(&body["recipient_id"]) else {
                return form_error(&[(
                    "recipient_id".into(),
                    "BASE_TYPE_REQUIRED",
                    "This field is required".into(),
                )]);
            };
            s.dm_opened.insert(uid);
            Reply::ok(dm_channel_json(s, uid))
        }
        ("GET", ["channels", c]) => {
            let c = c.parse::<u64>().unwrap_or(0);
            match s.dm_opened.iter().find(|u| dm_channel_id(**u) == c) {
                Some(u) => Reply::ok(dm_channel_json(s, *u)),
                None => Reply::error(404, 10003, "Unknown Channel"),
            }
        }
        ("POST", ["channels", c, "typing"]) => {
            let _ = c;
            Reply::no_content()
        }
        ("POST", ["channels", c, "messages"]) => {
            let Ok(c) = c.parse::<u64>() else {
                return Reply::error(404, 10003, "Unknown Channel");
            };
            if let Some(u) = s.blocked_dms.iter().find(|u| dm_channel_id(**u) == c) {
                let _ = u;
                return Reply::error(403, 50007, "Cannot send messages to this user");
            }
            if shared.opts.validate {
                if let Some(r) = check_message(body, "", true) {
                    return r;
                }
            }
            let mut m = message_skeleton(snowflake(), c, false);
            apply_edit(&mut m, body, false);
            s.messages.push(StoredMsg {
                json: m.clone(),
                edits: 0,
            });
            Reply::ok(m)
        }
        (m @ ("GET" | "PATCH" | "DELETE"), ["channels", c, "messages", mid]) => {
            let (Ok(c), Ok(mid)) = (c.parse::<u64>(), mid.parse::<u64>()) else {
                return Reply::error(404, 10008, "Unknown Message");
            };
            let Some(pos) = s.messages.iter().position(|x| {
                id_of(&x.json["id"]) == Some(mid) && id_of(&x.json["channel_id"]) == Some(c)
            }) else {
                return Reply::error(404, 10008, "Unknown Message");
            };
            match m {
                "GET" => Reply::ok(s.messages[pos].json.clone()),
                "DELETE" => {
                    s.messages.remove(pos);
                    Reply::no_content()
                }
                _ => {
                    if shared.opts.validate {
                        if let Some(r) = check_message(body, "", false) {
                            return r;
                        }
                    }
                    let msg = &mut s.messages[pos];
                    apply_edit(&mut msg.json, body, true);
                    msg.edits += 1;
                    Reply::ok(msg.json.clone())
                }
            }
        }
        _ => Reply::unknown_route(),
    }
}

fn application_json() -> Value {
    json!({
        "id": APP_ID.to_string(),
        "name": "bizdesk",
        "icon": null,
        "description": "",
        "summary": "",
        "type": null,
        "rpc_origins": [],
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "4f1b2cbe1c0f4b8a4a2c1a9e3f0d6c7b8a9e0f1d2c3b4a5968778695a4b3c2d1",
        "flags": 0,
        "owner": user_json(1_100_000_000_000_000_099),
        "team": null,
        "bot": bot_user_json(),
        "integration_types_config": {"0": {}},
        "interactions_endpoint_url": null,
        "redirect_uris": [],
    })
}

fn dm_channel_json(s: &State, user_id: u64) -> Value {
    let ch = dm_channel_id(user_id);
    let last = s
        .messages
        .iter()
        .rev()
        .find(|m| id_of(&m.json["channel_id"]) == Some(ch))
        .map(|m| m.json["id"].clone())
        .unwrap_or(Value::Null);
    json!({
        "id": ch.to_string(),
        "type": 1,
        "last_message_id": last,
        "flags": 0,
        "recipients": [user_json(user_id)],
    })
}

impl FakeDiscord {
    /// The next `times` requests with `method` ("*" for any) and a path starting with
    /// `path_prefix` (with or without `/api/v10`) get `status` and `body`. A 429 also gets
    /// `Retry-After` (whole seconds, rounded up) and `X-RateLimit-*` headers from
    /// `body.retry_after`/`body.global`.
    pub fn fail_next(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        body: Value,
        times: usize,
    ) {
        let f = Fault {
            method: method.to_ascii_uppercase(),
            prefix: normalize_prefix(path_prefix),
            status,
            body,
            remaining: times,
        };
        self.shared.update(|s| s.faults.push(f));
    }

    /// Delay every answer on paths starting with `path_prefix` by `d` (request recorded first).
    pub fn delay(&self, path_prefix: &str, d: Duration) {
        let p = normalize_prefix(path_prefix);
        self.shared.update(|s| {
            s.delays.retain(|(q, _)| *q != p);
            s.delays.push((p, d));
        });
    }

    pub fn clear_delays(&self) {
        self.shared.update(|s| s.delays.clear());
    }

    /// From now on, posting to `user_id`'s DM channel gets 403 Cannot send messages to this
    /// user (50007), as when the user closed DMs or left the server.
    pub fn block_dms(&self, user_id: u64) {
        self.shared.update(|s| s.blocked_dms.insert(user_id));
    }

    pub fn unblock_dms(&self, user_id: u64) {
        self.shared.update(|s| s.blocked_dms.remove(&user_id));
    }
}
