//! What an SMTP failure means and what to try, for logs, dead letters and
//! `bizdesk send-test-email`.

use super::{Endpoint, Tls};
use lettre::transport::smtp::Error;
use std::error::Error as _;

/// The failure and advice in one line, e.g. "connection refused by smtp.corp.cn:465: is TLS
/// right? try STARTTLS on 587 (smtp://smtp.corp.cn:587?tls=required)".
pub fn explain(endpoint: &Endpoint, e: &Error) -> String {
    let mut causes = vec![e.to_string()];
    let mut io_kind = None;
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = io_kind.or(Some(io.kind()));
        }
        let text = s.to_string();
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = s.source();
    }
    let what = causes.join(": ");
    let hint = hint(endpoint, e, io_kind, &what.to_ascii_lowercase());
    match hint {
        Some(h) => format!("{what} — {h}"),
        None => what,
    }
}

fn hint(
    ep: &Endpoint,
    e: &Error,
    io_kind: Option<std::io::ErrorKind>,
    text: &str,
) -> Option<String> {
    let at = format!("{}:{}", ep.host, ep.port);
    let starttls = format!("smtp://{}:587?tls=required", ep.host);
    let wrapper = format!("smtps://{}:465", ep.host);
    if io_kind == Some(std::io::ErrorKind::ConnectionRefused) || text.contains("refused") {
        return Some(match (ep.port, ep.tls) {
            (465, _) => format!("connection refused on 465: is TLS right? try STARTTLS on 587 ({starttls})"),
            (587, Tls::Wrapper) => format!("connection refused on 587: port 587 speaks STARTTLS, write {starttls}"),
            _ => format!("nothing accepts connections on {at}: is the SMTP server running, and is the host and port right? (465 is smtps://, 587 is STARTTLS, 25 is plain)"),
        });
    }
    if text.contains("lookup") || text.contains("resolve") || text.contains("name or service") {
        return Some(format!(
            "the host name `{}` does not resolve: check the host in smtp.url",
            ep.host
        ));
    }
    if e.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) || text.contains("timed out")
    {
        return Some(format!("no answer from {at} in time: a firewall may drop the port (many networks block 25), or the server is overloaded; raise smtp.timeout_secs if it is just slow"));
    }
    if e.is_tls()
        || text.contains("tls")
        || text.contains("corrupt message")
        || text.contains("certificate")
        || text.contains("handshake")
    {
        return Some(match ep.tls {
            Tls::Wrapper => format!("TLS failed on {at}: if this port expects STARTTLS (usually 587), write {starttls}; smtps:// is for TLS from the start (465); a certificate error means the host name does not match the server's certificate"),
            _ => format!("STARTTLS failed on {at}: check the server's certificate matches `{}`, or use {wrapper} if the server speaks TLS from the start", ep.host),
        });
    }
    match e.status().map(|c| c.to_string()) {
        Some(c) if c == "535" || c == "534" => Some(
            "the server refused the login: check the user in smtp.url and the password (BIZDESK__SMTP__PASSWORD); some providers need an app password".into(),
        ),
        Some(c) if c == "530" => Some(format!(
            "the server wants a login{}: write smtp://USER@{at} and set smtp.password",
            if ep.tls == Tls::None { " over TLS" } else { "" }
        )),
        Some(c) if c.starts_with("55") => Some(
            "the server refused this sender or recipient: check smtp.from is an address the server may send as, and the recipient's address".into(),
        ),
        Some(c) if c.starts_with('4') => Some("the server is busy or limiting us; bizdesk retries later".into()),
        _ if text.contains("closed") || text.contains("reset") || text.contains("eof") => Some(format!(
            "{at} closed the connection: if it expects TLS, try {wrapper} or {starttls}"
        )),
        _ => None,
    }
}
