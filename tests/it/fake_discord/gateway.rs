//! The gateway side: a websocket server speaking Discord's gateway protocol (HELLO, IDENTIFY,
//! READY, RESUME, heartbeats, dispatches) and FakeDiscord's gateway controls (session faults,
//! pushing interactions and other dispatches).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::{
    bot_user_json, check_interaction_payload, id_of, snowflake, Conn, FakeDiscord, GatewayState,
    Interaction, Pushed, PushedInfo, Shared, State, APP_ID, TOKEN,
};

impl FakeDiscord {
    /// IDENTIFY payloads received (`d`), in order.
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.shared.read(|s| s.gw.identifies.clone())
    }
    pub fn identifies(&self) -> usize {
        self.shared.read(|s| s.gw.identifies.len())
    }
    pub fn resumes(&self) -> usize {
        self.shared.read(|s| s.gw.resumes.len())
    }
    pub fn heartbeats(&self) -> usize {
        self.shared.read(|s| s.gw.heartbeats)
    }
    /// Websocket connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.read(|s| s.gw.connections)
    }
    /// Every frame the bot sent on the gateway (parsed JSON).
    pub fn gateway_frames(&self) -> Vec<Value> {
        self.shared.read(|s| s.gw.frames.clone())
    }
    /// Is a bot connected with a READY/RESUMED session (so `push` would be delivered)?
    pub fn is_live(&self) -> bool {
        self.shared
            .read(|s| s.gw.conn.as_ref().is_some_and(|c| c.live))
    }

    pub async fn wait_live(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| {
            v.0.gw.conn.as_ref().is_some_and(|c| c.live).then_some(())
        })
        .await
        .is_some()
    }

    pub async fn wait_identifies(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| (v.0.gw.identifies.len() >= n).then_some(()))
            .await
            .is_some()
    }

    pub async fn wait_resumes(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| (v.0.gw.resumes.len() >= n).then_some(()))
            .await
            .is_some()
    }

    pub async fn wait_heartbeats(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |v| (v.0.gw.heartbeats >= n).then_some(()))
            .await
            .is_some()
    }

    /// Stop (true) or resume (false) answering heartbeats with op 11.
    pub fn drop_heartbeat_acks(&self, drop: bool) {
        self.shared.update(|s| s.gw.drop_acks = drop);
    }

    /// Send op 7 RECONNECT; pushes wait until the bot has RESUMEd (or re-IDENTIFYed).
    pub fn send_reconnect(&self) {
        self.shared.update(|s| {
            if let Some(c) = s.gw.conn.as_mut() {
                let _ =
                    c.tx.send(WsMessage::Text(json!({"op": 7, "d": null}).to_string()));
                c.live = false;
            }
        });
    }

    /// Send op 9 INVALID_SESSION (`resumable` as `d`).
    pub fn send_invalid_session(&self, resumable: bool) {
        self.shared.update(|s| {
            if let Some(c) = s.gw.conn.as_mut() {
                let _ = c.tx.send(WsMessage::Text(
                    json!({"op": 9, "d": resumable}).to_string(),
                ));
                c.live = false;
                if !resumable {
                    s.gw.session_id = None;
                }
            }
        });
    }

    /// Close the gateway socket from the server side with `code` (e.g. 4000 unknown error).
    pub fn close_gateway(&self, code: u16) {
        self.shared.update(|s| {
            if let Some(c) = s.gw.conn.as_mut() {
                let _ = c.tx.send(WsMessage::Close(Some(CloseFrame {
                    code: CloseCode::from(code),
                    reason: "fake discord closed the session".into(),
                })));
                c.live = false;
            }
        });
    }

    /// Send an INTERACTION_CREATE built by [`Interaction`]. Waits (up to 10 s) for a live
    /// session; panics if no bot is connected.
    pub async fn push(&self, interaction: &Interaction) -> Pushed {
        check_interaction_payload(interaction.json());
        self.push_raw(interaction.json().clone()).await
    }

    /// Send `d` as an INTERACTION_CREATE as is (e.g. the same interaction again, as a replay).
    /// A replayed id keeps its original push time and acknowledgement state.
    pub async fn push_raw(&self, d: Value) -> Pushed {
        let id = id_of(&d["id"]).expect("interaction payload without id");
        let token = d["token"].as_str().unwrap_or_default().to_string();
        let seq = self.dispatch("INTERACTION_CREATE", d, true).await;
        Pushed { id, token, seq }
    }

    /// Send any dispatch `{"op":0,"t":t,"s":n,"d":d}`; returns `s`. Waits for a live session.
    pub async fn dispatch_event(&self, t: &str, d: Value) -> u64 {
        self.dispatch(t, d, false).await
    }

    async fn dispatch(&self, t: &str, d: Value, interaction: bool) -> u64 {
        loop {
            assert!(
                self.wait_live(Duration::from_secs(10)).await,
                "no bot connected to the fake gateway (identifies: {}, connections: {})",
                self.identifies(),
                self.connections()
            );
            let sent = self.shared.update(|s| {
                if !s.gw.conn.as_ref().is_some_and(|c| c.live) {
                    return None;
                }
                let mut d = d.clone();
                if interaction {
                    register_interaction(s, &mut d);
                }
                send_dispatch(&mut s.gw, t, d)
            });
            if let Some(seq) = sent {
                return seq;
            }
        }
    }
}

fn register_interaction(s: &mut State, d: &mut Value) {
    // Use the registered command's id (and guild), as Discord would.
    if d["type"] == 2 || d["type"] == 4 {
        let guild = id_of(&d["guild_id"]);
        let registered = guild
            .and_then(|g| s.guild_commands.get(&g))
            .into_iter()
            .flatten()
            .chain(s.global_commands.iter())
            .find(|c| c["name"] == d["data"]["name"] && c["type"] == d["data"]["type"])
            .cloned();
        if let Some(c) = registered {
            d["data"]["id"] = c["id"].clone();
            if let Some(g) = c.get("guild_id") {
                d["data"]["guild_id"] = g.clone();
            }
        }
    }
    let Some(id) = id_of(&d["id"]) else { return };
    if s.interactions.contains_key(&id) {
        return; // a replay: same interaction, same deadline, same acknowledgement
    }
    let token = d["token"].as_str().unwrap_or_default().to_string();
    let user_id = id_of(&d["user"]["id"]).or_else(|| id_of(&d["member"]["user"]["id"]));
    let message = match (
        id_of(&d["message"]["id"]),
        id_of(&d["message"]["channel_id"]),
    ) {
        (Some(m), Some(c)) => Some((c, m)),
        _ => None,
    };
    s.tokens.insert(token.clone(), id);
    s.interactions.insert(
        id,
        PushedInfo {
            token,
            kind: d["type"].as_u64().unwrap_or(0),
            user_id,
            pushed_at: Instant::now(),
            message,
            response: None,
        },
    );
}

fn send_dispatch(gw: &mut GatewayState, t: &str, d: Value) -> Option<u64> {
    let conn = gw.conn.as_ref()?;
    gw.seq += 1;
    let frame = json!({"op": 0, "t": t, "s": gw.seq, "d": d});
    conn.tx.send(WsMessage::Text(frame.to_string())).ok()?;
    gw.dispatched.push(frame);
    Some(gw.seq)
}

pub(super) async fn gateway_conn(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<WsMessage>();
    let conn_id = shared.update(|s| {
        s.gw.connections += 1;
        let id = s.gw.connections;
        // A new connection replaces the old one (as after RECONNECT).
        s.gw.conn = Some(Conn {
            id,
            tx: tx.clone(),
            live: false,
        });
        id
    });
    let hello = json!({"op": 10, "d": {"heartbeat_interval": shared.opts.heartbeat_interval.as_millis() as u64}});
    if ws.send(WsMessage::Text(hello.to_string())).await.is_err() {
        return;
    }
    let mut closing = false;
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                None | Some(Err(_)) => break,
                Some(Ok(WsMessage::Text(t))) => handle_frame(&shared, conn_id, &tx, &t),
                Some(Ok(WsMessage::Binary(b))) => {
                    if let Ok(t) = String::from_utf8(b) {
                        handle_frame(&shared, conn_id, &tx, &t);
                    }
                }
                // tungstenite answers the Close itself; keep reading until the socket ends.
                Some(Ok(WsMessage::Close(_))) => closing = true,
                Some(Ok(_)) => {}
            },
            out = rx.recv(), if !closing => {
                if let Some(m) = out {
                    let is_close = matches!(m, WsMessage::Close(_));
                    if ws.send(m).await.is_err() {
                        break;
                    }
                    if is_close {
                        closing = true;
                    }
                }
            }
        }
    }
    shared.update(|s| {
        if s.gw.conn.as_ref().is_some_and(|c| c.id == conn_id) {
            s.gw.conn = None;
        }
    });
}

fn handle_frame(shared: &Shared, conn_id: u64, tx: &mpsc::UnboundedSender<WsMessage>, text: &str) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let gateway_url = shared.gateway_url.clone();
    shared.update(|s| {
        let gw = &mut s.gw;
        gw.frames.push(v.clone());
        let current = gw.conn.as_ref().is_some_and(|c| c.id == conn_id);
        match v["op"].as_u64() {
            Some(1) => {
                gw.heartbeats += 1;
                if !gw.drop_acks {
                    let _ = tx.send(WsMessage::Text(json!({"op": 11}).to_string()));
                }
            }
            Some(2) => {
                let d = v["d"].clone();
                gw.identifies.push(d.clone());
                if d["token"] != format!("Bot {TOKEN}") {
                    let _ = tx.send(WsMessage::Close(Some(CloseFrame {
                        code: CloseCode::from(4004),
                        reason: "Authentication failed.".into(),
                    })));
                    return;
                }
                if !current {
                    return;
                }
                let session = format!("fake-session-{}", snowflake());
                gw.session_id = Some(session.clone());
                gw.seq = 0;
                let ready = json!({
                    "v": 10,
                    "user": bot_user_json(),
                    "guilds": [],
                    "private_channels": [],
                    "relationships": [],
                    "session_id": session,
                    "session_type": "normal",
                    "resume_gateway_url": gateway_url,
                    "shard": d["shard"].clone(),
                    "application": {"id": APP_ID.to_string(), "flags": 0},
                });
                if send_dispatch(gw, "READY", ready).is_some() {
                    if let Some(c) = gw.conn.as_mut() {
                        c.live = true;
                    }
                }
            }
            Some(6) => {
                let d = v["d"].clone();
                gw.resumes.push(d.clone());
                if !current {
                    return;
                }
                let ok = gw.session_id.is_some()
                    && d["session_id"].as_str() == gw.session_id.as_deref()
                    && d["token"] == format!("Bot {TOKEN}");
                if ok {
                    if send_dispatch(gw, "RESUMED", json!({})).is_some() {
                        if let Some(c) = gw.conn.as_mut() {
                            c.live = true;
                        }
                    }
                } else {
                    let _ = tx.send(WsMessage::Text(json!({"op": 9, "d": false}).to_string()));
                }
            }
            _ => {}
        }
    });
}
