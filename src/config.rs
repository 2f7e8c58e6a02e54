//! Settings: embedded defaults, then a TOML file, then `BIZDESK__SECTION__KEY` variables.
//!
//! Unknown keys and bad values are errors naming the file (or variable), the key and what is
//! expected. Secrets are `Secret` values whose `Debug` never shows them.

use crate::domain::money::Currency;
use crate::domain::Locale;
use problems::Problems;
mod check;
pub mod files;
mod names;
pub mod org;
pub mod problems;
pub mod schedules;
mod secret;
pub mod setup;

pub use secret::{redact_url, Secret};

use anyhow::{anyhow, bail};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The defaults shipped with bizdesk (the same file as `config/bizdesk.toml`).
pub const DEFAULTS: &str = include_str!("../config/bizdesk.toml");
/// The path used when `--config` is not given.
pub const DEFAULT_PATH: &str = "config/bizdesk.toml";

/// All settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub company: Company,
    pub database: Database,
    pub directory: DirectoryFile,
    pub workflows: WorkflowsFile,
    pub requisitions: Requisitions,
    pub web: Web,
    pub templates: Templates,
    pub discord: Discord,
    pub smtp: Smtp,
    pub scheduler: Scheduler,
    pub sales: Sales,
    pub procurement: crate::procurement::Settings,
    pub budget: crate::finance::Settings,
    pub inquiries: Inquiries,
    pub security: Security,
    pub log: Log,
}

/// Who the company is and how it counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    /// The name in Chinese, for zh-CN emails and pages (empty: `name`).
    #[serde(default)]
    pub name_zh: String,
    #[serde(deserialize_with = "de_tz")]
    pub time_zone: chrono_tz::Tz,
    #[serde(deserialize_with = "de_locale")]
    pub locale: Locale,
    #[serde(deserialize_with = "de_currency")]
    pub currency: Currency,
}

/// Where the data lives.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: Secret,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("url", &redact_url(self.url.expose()))
            .field("max_connections", &self.max_connections)
            .field("busy_timeout_ms", &self.busy_timeout_ms)
            .finish()
    }
}

/// The directory file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryFile {
    pub file: PathBuf,
    pub sync_on_start: bool,
}

/// The approval policies file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowsFile {
    pub file: PathBuf,
}

/// Requisition settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requisitions {
    /// Category codes, each either `"it"` or `{ code = "it", name = "IT equipment",
    /// name_zh = "IT设备" }` (the names are accepted when typed and shown in replies).
    pub categories: Vec<crate::domain::term::TermEntry>,
}

/// The HTTP server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Web {
    #[serde(deserialize_with = "de_socket")]
    pub bind: std::net::SocketAddr,
    /// The address customers use to reach these pages (links in emails).
    pub public_url: String,
    /// A web session ends after this many minutes without a request.
    pub session_idle_minutes: u32,
    /// How long an approve-from-email link works, in days.
    pub link_valid_days: u32,
    /// Sign-in links one address may ask for per hour.
    pub signin_per_hour: u32,
}

/// Template overrides.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub dir: PathBuf,
}

/// How Discord reaches bizdesk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiscordMode {
    /// A gateway websocket from this process.
    Gateway,
    /// Discord POSTs interactions to `/discord/interactions`.
    Http,
}

/// The Discord connection.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discord {
    pub token: Secret,
    pub mode: DiscordMode,
    #[serde(deserialize_with = "de_snowflake")]
    pub application_id: Option<u64>,
    pub public_key: String,
    /// The application's OAuth2 client secret, for "Sign in with Discord" on the web desk
    /// (empty: that button is not shown).
    pub client_secret: Secret,
    #[serde(deserialize_with = "de_snowflake")]
    pub guild_id: Option<u64>,
    pub api_base: String,
    /// The first wait before retrying an unreachable Discord, in milliseconds; it doubles
    /// (with jitter) up to `reconnect_max_ms`.
    pub reconnect_min_ms: u64,
    /// The longest wait between retries, in milliseconds.
    pub reconnect_max_ms: u64,
}

fn de_snowflake<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.trim().parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "`{s}` is not a Discord id; copy the number from Discord (Developer Mode > Copy ID)"
        ))
    })
}

/// Outgoing email.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    /// `smtp://[USER@]HOST[:PORT][?tls=required|opportunistic]` or `smtps://...`; empty: write
    /// `.eml` files to `drop_dir`.
    pub url: Secret,
    pub password: Secret,
    /// Log in (send the password) even without TLS; off by default.
    pub allow_plaintext_auth: bool,
    pub from: String,
    pub from_name: String,
    pub reply_to: String,
    pub drop_dir: PathBuf,
    pub pool_size: u32,
    pub timeout_secs: u64,
}

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Smtp")
            .field("url", &redact_url(self.url.expose()))
            .field("password", &self.password)
            .field("allow_plaintext_auth", &self.allow_plaintext_auth)
            .field("from", &self.from)
            .field("from_name", &self.from_name)
            .field("reply_to", &self.reply_to)
            .field("drop_dir", &self.drop_dir)
            .field("pool_size", &self.pool_size)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl Smtp {
    /// Why logging in would send the password unencrypted (unless `allow_plaintext_auth`).
    pub fn plaintext_auth_problem(&self) -> Option<String> {
        let url = self.url.expose().trim();
        if url.is_empty() || self.allow_plaintext_auth {
            return None;
        }
        let (scheme, rest) = url.split_once("://")?;
        // As in `redact_url`: the userinfo ends at the last `@` before the query.
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let url_password = before_query
            .rsplit_once('@')
            .is_some_and(|(u, _)| u.contains(':'));
        let tls = scheme == "smtps" || query.split('&').any(|kv| kv == "tls=required");
        if tls || (!self.password.is_set() && !url_password) {
            return None;
        }
        Some(format!(
            "key `smtp.allow_plaintext_auth`: {} has a password but no TLS, so the password \
             would be sent unencrypted; use smtps://USER@HOST:465 or \
             smtp://USER@HOST:587?tls=required, or set smtp.allow_plaintext_auth = true \
             (BIZDESK__SMTP__ALLOW_PLAINTEXT_AUTH=true) for a server you trust",
            redact_url(url)
        ))
    }
}

/// Sales orders.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sales {
    /// The stages an order goes through, in order.
    pub order_stages: Vec<crate::sales::orders::domain::Stage>,
    /// Roles that may, besides an order's owner, move it, submit its contract and resolve
    /// its issues.
    pub order_roles: Vec<String>,
}

impl Sales {
    /// `order_roles` as roles; an unknown name is an error naming the key.
    pub fn roles(&self) -> anyhow::Result<Vec<crate::domain::directory::Role>> {
        self.order_roles
            .iter()
            .map(|r| {
                crate::domain::directory::Role::parse(r)
                    .ok_or_else(|| anyhow!("key `sales.order_roles`: `{r}` is not a role"))
            })
            .collect()
    }
}

/// Customer inquiries, complaints and feedback.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inquiries {
    /// `config/routing.toml`: the rules that route each to a department.
    pub routing_file: PathBuf,
}

/// Timed work: where the recurring jobs are listed, and how the scheduler claims and waits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduler {
    /// `config/schedules.toml`: the system's recurring jobs.
    pub file: PathBuf,
    /// Run the scheduler in `serve` (several processes may; they share the work).
    pub enabled: bool,
    /// The longest idle wait, in milliseconds.
    pub poll_ms: u64,
    /// How long a claimed job stays one process's before another may take it, in seconds.
    pub lease_secs: u64,
    /// Jobs claimed and completed per transaction.
    pub batch: u32,
}

impl Scheduler {
    /// The scheduler's options from these settings.
    pub fn options(&self) -> crate::scheduler::Options {
        crate::scheduler::Options {
            lease: std::time::Duration::from_secs(self.lease_secs),
            batch: i64::from(self.batch),
            poll: std::time::Duration::from_millis(self.poll_ms),
        }
    }
}

/// Protection of data at rest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// The key file (audit chain and link-signing keys), kept outside the database.
    pub key_file: PathBuf,
}

/// Logging.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub level: String,
}

fn de_tz<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono_tz::Tz, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "`{s}` is not an IANA time zone; write e.g. \"Asia/Shanghai\""
        ))
    })
}

fn de_locale<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Locale, D::Error> {
    let s = String::deserialize(d)?;
    Locale::parse(&s).ok_or_else(|| {
        serde::de::Error::custom(format!("`{s}` is not a locale; use \"zh-CN\" or \"en\""))
    })
}

fn de_currency<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
    let s = String::deserialize(d)?;
    Currency::new(&s)
        .filter(Currency::is_iso4217)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not the ISO 4217 code of a currency in circulation; write the company's currency, such as \"CNY\", \"USD\" or \"EUR\""
            ))
        })
}

fn de_socket<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::net::SocketAddr, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "`{s}` is not an address; write HOST:PORT such as \"127.0.0.1:8080\""
        ))
    })
}

/// Where the configuration came from, for error messages and the start-up log.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: Option<PathBuf>,
    pub env_keys: Vec<String>,
}

/// Settings as loaded, with the problems of their values: even with problems they say where
/// the other files are, so a check can look at those too (a section that could not be read
/// keeps its defaults).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub source: Source,
    pub problems: Problems,
}

impl Config {
    /// Loads settings from `path` (or the default file when it exists, else the embedded
    /// defaults), then applies `BIZDESK__SECTION__KEY` variables from `env`. Every problem
    /// is reported at once.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<(Config, Source)> {
        let loaded = Config::load_checked(path, env)?;
        loaded.problems.into_result()?;
        Ok((loaded.config, loaded.source))
    }

    /// [`Config::load`] that keeps going past bad values: `Err` only when the file cannot be
    /// read or is not TOML; otherwise the settings and every problem found in them.
    pub fn load_checked(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loaded, Problems> {
        let mut table: toml::Table = DEFAULTS.parse().expect("the embedded defaults parse");
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None if Path::new(DEFAULT_PATH).exists() => Some(PathBuf::from(DEFAULT_PATH)),
            None => None,
        };
        let label = file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "embedded defaults".into());
        let mut text = String::new();
        if let Some(p) = &file {
            text = std::fs::read_to_string(p).map_err(|e| {
                one(
                    &label,
                    None,
                    "",
                    format!("cannot read the settings file: {e}"),
                )
            })?;
            let user: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                let line = e.span().map(|s| problems::line_at(&text, s.start));
                one(&label, line, "", e.message().trim_end().to_string())
            })?;
            merge(&mut table, user);
        }
        let mut problems = Problems::default();
        let mut env_keys = Vec::new();
        for (k, v) in env {
            let Some(rest) = k.strip_prefix("BIZDESK__") else {
                continue;
            };
            let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
            if path.len() != 2 || path.iter().any(|s| s.is_empty()) {
                problems.push(&k, None, "", "expected BIZDESK__SECTION__KEY".into());
                continue;
            }
            match set_from_env(&mut table, &path, &v) {
                Ok(()) => env_keys.push(k),
                Err(e) => problems.push(&k, None, "", e.to_string()),
            }
        }
        // Where a key's value came from: the variable that set it, else the file (with the
        // key's line when it is written there).
        let origin = |key: &str| -> (String, Option<usize>) {
            let var = format!("BIZDESK__{}", key.replace('.', "__").to_ascii_uppercase());
            // An unknown section fails at `section`, an unknown key at `section.key`.
            match env_keys
                .iter()
                .find(|k| **k == var || k.starts_with(&format!("{var}__")))
            {
                Some(k) => (k.clone(), None),
                None => (label.clone(), problems::locate(&text, key)),
            }
        };
        let config = match deserialize(&table) {
            Ok(config) => config,
            Err(_) => {
                for (key, message) in unreadable_values(&mut table) {
                    let (file, line) = origin(&key);
                    problems.push(&file, line, &key, message);
                }
                deserialize(&table).map_err(|e| {
                    let key = e.path().to_string();
                    let (file, line) = origin(&key);
                    let mut all = problems.clone();
                    all.push(
                        &file,
                        line,
                        &key,
                        e.inner().message().trim_end().to_string(),
                    );
                    all
                })?
            }
        };
        for (key, message) in config.check() {
            let (file, line) = origin(&key);
            problems.push(&file, line, &key, message);
        }
        Ok(Loaded {
            config,
            source: Source { file, env_keys },
            problems,
        })
    }

    /// Embedded defaults only; for tests and tools.
    pub fn defaults() -> Config {
        Config::load(Some(Path::new("/nonexistent")), [])
            .map(|c| c.0)
            .unwrap_or_else(|_| {
                let t: toml::Table = DEFAULTS.parse().expect("embedded defaults parse");
                t.try_into().expect("embedded defaults are valid")
            })
    }
}

/// The settings from their merged table; the error names the key.
fn deserialize(table: &toml::Table) -> Result<Config, serde_path_to_error::Error<toml::de::Error>> {
    serde_path_to_error::deserialize(toml::Value::Table(table.clone()))
}

/// Every value serde refuses, section by section and key by key, as (key, message); each
/// is given its default afterwards, so that the settings can still say where the other files
/// are.
fn unreadable_values(table: &mut toml::Table) -> Vec<(String, String)> {
    let defaults: toml::Table = DEFAULTS.parse().expect("the embedded defaults parse");
    let mut found = Vec::new();
    let names: Vec<String> = table.keys().cloned().collect();
    for name in names {
        let mut previous = String::new();
        loop {
            let alone = toml::Table::from_iter([(name.clone(), table[&name].clone())]);
            let Err(e) = deserialize(&alone) else {
                break;
            };
            let path = e.path().to_string();
            if path == "." || path.is_empty() {
                break; // only the other sections are missing: this one is fine
            }
            found.push((path.clone(), e.inner().message().trim_end().to_string()));
            // The key within the section: `smtp.pool_size`, `requisitions.categories[0]`.
            let key = path
                .strip_prefix(&format!("{name}."))
                .map(|rest| rest.split(['.', '[']).next().unwrap_or(rest).to_string());
            let section = table.get_mut(&name).and_then(toml::Value::as_table_mut);
            match (key, section) {
                (Some(key), Some(section)) if key != previous => {
                    match defaults.get(&name).and_then(|d| d.get(&key)) {
                        Some(d) => section.insert(key.clone(), d.clone()),
                        None => section.remove(&key),
                    };
                    previous = key;
                }
                _ => {
                    match defaults.get(&name) {
                        Some(d) => table.insert(name.clone(), d.clone()),
                        None => table.remove(&name),
                    };
                    break;
                }
            }
        }
    }
    found
}

/// A single problem.
fn one(file: &str, line: Option<usize>, key: &str, message: String) -> Problems {
    let mut p = Problems::default();
    p.push(file, line, key, message);
    p
}

/// Overlays `user` onto `base`, table by table.
fn merge(base: &mut toml::Table, user: toml::Table) {
    for (k, v) in user {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Sets `section.key` from an environment string, typed like the default it replaces.
fn set_from_env(table: &mut toml::Table, path: &[String], raw: &str) -> anyhow::Result<()> {
    let section = table
        .entry(path[0].clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(section) = section else {
        bail!("`{}` is not a section", path[0]);
    };
    let value = match section.get(&path[1]) {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(
            raw.trim()
                .parse()
                .map_err(|_| anyhow!("`{raw}` is not a whole number"))?,
        ),
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(match raw.trim() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => bail!("`{raw}` is not true or false"),
        }),
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(|s| toml::Value::String(s.trim().to_string()))
                .filter(|v| v.as_str() != Some(""))
                .collect(),
        ),
        _ => toml::Value::String(raw.to_string()),
    };
    section.insert(path[1].clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests;
