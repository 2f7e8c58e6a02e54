//! Email: messages composed from outbox rows ([`compose`]), sent over a pooled SMTP
//! connection or written as `.eml` files into a folder when no SMTP server is configured.
//! Connection, login and TLS failures come with advice ([`advice`]).

pub mod advice;
pub mod compose;

use crate::config;
use anyhow::{anyhow, Context};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// Where an SMTP server is and how to speak to it (for messages and advice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub user: Option<String>,
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// `smtps://`: TLS from the first byte.
    Wrapper,
    /// `?tls=required`: STARTTLS, refused without it.
    StartTls,
    /// `?tls=opportunistic`: STARTTLS when offered.
    Opportunistic,
    /// Plain text.
    None,
}

impl Endpoint {
    /// Reads an `smtp.url` (validated by the config loader).
    pub fn parse(url: &str) -> anyhow::Result<Endpoint> {
        let (scheme, rest) = url.split_once("://").context("no scheme")?;
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let hostport = hostport.split('/').next().unwrap_or_default();
        let tls = match (scheme, query.unwrap_or_default()) {
            ("smtps", _) => Tls::Wrapper,
            (_, q) if q.contains("tls=required") => Tls::StartTls,
            (_, q) if q.contains("tls=opportunistic") => Tls::Opportunistic,
            _ => Tls::None,
        };
        let default_port = match tls {
            Tls::Wrapper => 465,
            Tls::StartTls | Tls::Opportunistic => 587,
            Tls::None => 25,
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                (h, p.parse().map_err(|_| anyhow!("bad port `{p}`"))?)
            }
            _ => (hostport, default_port),
        };
        let user = userinfo
            .map(|u| u.split(':').next().unwrap_or_default())
            .filter(|u| !u.is_empty())
            .map(percent_decode);
        Ok(Endpoint {
            host: host.to_string(),
            port,
            tls,
            user,
        })
    }

    /// `smtps://host:465` and the like, without credentials.
    pub fn display(&self) -> String {
        let (scheme, query) = match self.tls {
            Tls::Wrapper => ("smtps", ""),
            Tls::StartTls => ("smtp", "?tls=required"),
            Tls::Opportunistic => ("smtp", "?tls=opportunistic"),
            Tls::None => ("smtp", ""),
        };
        format!("{scheme}://{}:{}{query}", self.host, self.port)
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying later (the server is down, busy or slow).
    Transient(String),
    /// Never going to work (a 5xx refusal, an invalid address).
    Permanent(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Endpoint),
    Files(PathBuf),
}

/// Sends email as configured.
pub struct Mailer {
    transport: Transport,
    /// The sender.
    pub from: Mailbox,
    /// Where replies go, when not to the sender.
    pub reply_to: Option<Mailbox>,
    /// The domain Message-IDs are made in (the sender's).
    pub domain: String,
}

impl Mailer {
    /// A mailer from the `[smtp]` settings; `company` names the sender when `from_name` is
    /// empty.
    pub fn from_config(cfg: &config::Smtp, company: &str) -> anyhow::Result<Mailer> {
        let name = if cfg.from_name.is_empty() {
            company
        } else {
            &cfg.from_name
        };
        let address: lettre::Address = cfg
            .from
            .parse()
            .map_err(|e| anyhow!("smtp.from `{}`: {e}", cfg.from))?;
        let domain = address.domain().to_string();
        let from = Mailbox::new(Some(name.to_string()), address);
        let reply_to = match cfg.reply_to.trim() {
            "" => None,
            r => Some(Mailbox::new(
                None,
                r.parse().map_err(|e| anyhow!("smtp.reply_to `{r}`: {e}"))?,
            )),
        };
        let url = cfg.url.expose().trim();
        if let Some(problem) = cfg.plaintext_auth_problem() {
            return Err(anyhow!(problem));
        }
        let transport = if url.is_empty() {
            Transport::Files(cfg.drop_dir.clone())
        } else {
            let endpoint = Endpoint::parse(url).context("smtp.url")?;
            let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| anyhow!("smtp.url: {e}"))?
                .pool_config(PoolConfig::new().max_size(cfg.pool_size))
                .timeout(Some(Duration::from_secs(cfg.timeout_secs)));
            if cfg.password.is_set() {
                let user = endpoint.user.clone().ok_or_else(|| {
                    anyhow!("smtp.password is set but smtp.url names no user: write smtp://USER@HOST:PORT")
                })?;
                builder = builder.credentials(Credentials::new(user, cfg.password.expose().into()));
            }
            Transport::Smtp(builder.build(), endpoint)
        };
        Ok(Mailer {
            transport,
            from,
            reply_to,
            domain,
        })
    }

    /// Where mail goes, for logs: `smtps://host:465` or `files in data/outbox`.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_, e) => e.display(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Sends one message; `stem` names its file when writing files. Returns the provider's
    /// id: the server's reply, or the file written.
    pub async fn send(&self, msg: Message, stem: &str) -> Result<String, SendError> {
        match &self.transport {
            Transport::Smtp(smtp, endpoint) => match smtp.send(msg).await {
                Ok(resp) => {
                    let text: Vec<&str> = resp.message().collect();
                    let mut id = format!("{} {}", resp.code(), text.join(" "));
                    id.truncate(200);
                    Ok(id)
                }
                Err(e) if e.is_permanent() => {
                    Err(SendError::Permanent(advice::explain(endpoint, &e)))
                }
                Err(e) => Err(SendError::Transient(advice::explain(endpoint, &e))),
            },
            Transport::Files(dir) => write_file(dir, stem, &msg.formatted())
                .await
                .map_err(|e| SendError::Transient(format!("{e:#}"))),
        }
    }

    /// Connects (and logs in) without sending, to check the settings.
    pub async fn check(&self) -> Result<(), SendError> {
        match &self.transport {
            Transport::Smtp(smtp, endpoint) => match smtp.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(SendError::Transient(format!(
                    "{} accepted the connection but did not answer NOOP",
                    endpoint.display()
                ))),
                Err(e) => Err(SendError::Transient(advice::explain(endpoint, &e))),
            },
            Transport::Files(dir) => crate::store::files::create_private_dir_all(dir)
                .map_err(|e| SendError::Transient(format!("{e:#}"))),
        }
    }
}

/// Writes `dir/stem.eml` whole or not at all, private (0600 in a 0700 folder), and never over
/// an existing file. A file there with the same Message-ID is this message delivered before
/// (a redelivery): it is kept and nothing is added. Any other file there (outbox ids issued
/// again after a restore) keeps its name and this one takes the next free one, `stem-2.eml`,
/// `stem-3.eml`, ...
async fn write_file(dir: &std::path::Path, stem: &str, bytes: &[u8]) -> anyhow::Result<String> {
    let (dir, stem, bytes) = (dir.to_path_buf(), stem.to_string(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        crate::store::files::create_private_dir_all(&dir)?;
        let id = message_id(&bytes);
        for n in 1..10_000 {
            let name = match n {
                1 => format!("{stem}.eml"),
                n => format!("{stem}-{n}.eml"),
            };
            let path = dir.join(name);
            if crate::store::files::write_new_private(&path, &bytes)? {
                return Ok(path.display().to_string());
            }
            let earlier = std::fs::read(&path).unwrap_or_default();
            if id.is_some() && message_id(&earlier) == id {
                return Ok(path.display().to_string());
            }
        }
        anyhow::bail!("no free file name for {stem}.eml in {}", dir.display())
    })
    .await?
}

/// The Message-ID header of a formatted message, if it has one.
fn message_id(raw: &[u8]) -> Option<String> {
    let head = raw.split(|b| *b == b'\n').take_while(|l| l.len() > 1);
    head.filter_map(|l| std::str::from_utf8(l).ok())
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
}

/// Sends the test email (`templates/email/<locale>/test_email.*`) to `to` right away, not
/// through the outbox; returns the provider's id, or what went wrong with advice.
pub async fn send_test(
    mailer: &Mailer,
    renderer: &crate::chat::render::Renderer,
    locale: crate::domain::Locale,
    company: &str,
    discord: bool,
    to: &str,
) -> Result<String, String> {
    let ctx = serde_json::json!({ "company": company, "recipient": to, "via": mailer.describe() });
    let content = compose::render(
        renderer,
        locale,
        crate::service::notify::kind::TEST_EMAIL,
        &ctx,
        discord,
    )
    .map_err(|e| format!("{e:#}"))?;
    let stamp = chrono::Utc::now().timestamp_millis();
    let env = compose::Envelope {
        from: &mailer.from,
        reply_to: mailer.reply_to.as_ref(),
        to,
        to_name: None,
        message_id: format!("<bizdesk.test.{stamp}@{}>", mailer.domain),
        thread: &[],
    };
    let msg = compose::build(&env, content).map_err(|e| format!("{e:#}"))?;
    mailer
        .send(msg, &format!("test-{stamp}"))
        .await
        .map_err(|e| match e {
            SendError::Permanent(r) | SendError::Transient(r) => r,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_with_their_defaults() {
        let e = Endpoint::parse("smtps://mail%40corp.cn@smtp.corp.cn").unwrap();
        assert_eq!((e.port, e.tls), (465, Tls::Wrapper));
        assert_eq!(e.user.as_deref(), Some("mail@corp.cn"));
        let e = Endpoint::parse("smtp://u:pw@smtp.corp.cn:2587?tls=required").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.tls),
            ("smtp.corp.cn", 2587, Tls::StartTls)
        );
        assert_eq!(e.display(), "smtp://smtp.corp.cn:2587?tls=required");
        let e = Endpoint::parse("smtp://127.0.0.1").unwrap();
        assert_eq!((e.port, e.tls, e.user), (25, Tls::None, None));
    }
}
