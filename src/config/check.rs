//! The settings' values checked once parsed: every problem of every section, reported in one
//! start.

use super::{Config, DiscordMode, Scheduler, Smtp};

/// The problems found so far, each as (key, what to do).
#[derive(Default)]
struct Found(Vec<(String, String)>);

impl Found {
    fn add(&mut self, key: &str, message: impl Into<String>) {
        self.0.push((key.to_string(), message.into()));
    }

    /// Adds `message` under `key` unless `ok`.
    fn unless(&mut self, ok: bool, key: &str, message: &str) {
        if !ok {
            self.add(key, message);
        }
    }
}

impl Config {
    /// Every problem of the settings' values, each as (key, what to do).
    pub(super) fn check(&self) -> Vec<(String, String)> {
        let mut found = Found::default();
        self.check_database(&mut found);
        self.check_discord(&mut found);
        self.check_web(&mut found);
        self.smtp.check(&mut found);
        self.scheduler.check(&mut found);
        self.check_lists(&mut found);
        for (key, message) in self.procurement.problems() {
            found.add(&key, message);
        }
        let categories: Vec<String> = self
            .requisitions
            .categories
            .iter()
            .map(|c| c.term().code)
            .collect();
        for (key, message) in self.budget.problems(&categories) {
            found.add(&key, message);
        }
        found.0
    }

    fn check_database(&self, found: &mut Found) {
        let url = self.database.url.expose();
        found.unless(
            url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"),
            "database.url",
            "expected sqlite://PATH or postgres://USER@HOST/DB",
        );
        found.unless(
            self.database.max_connections > 0,
            "database.max_connections",
            "must be at least 1",
        );
    }

    fn check_discord(&self, found: &mut Found) {
        let d = &self.discord;
        if d.mode == DiscordMode::Http && d.token.is_set() {
            found.unless(
                d.application_id.is_some(),
                "discord.application_id",
                "http mode needs the application id",
            );
            found.unless(
                d.public_key.len() == 64 && d.public_key.chars().all(|c| c.is_ascii_hexdigit()),
                "discord.public_key",
                "http mode needs the application's public key (64 hex characters)",
            );
        }
        found.unless(
            d.api_base.is_empty()
                || d.api_base.starts_with("http://")
                || d.api_base.starts_with("https://"),
            "discord.api_base",
            "expected an http:// or https:// URL, or empty for Discord itself",
        );
        found.unless(
            (10..=600_000).contains(&d.reconnect_min_ms),
            "discord.reconnect_min_ms",
            "must be between 10 and 600000",
        );
        found.unless(
            (d.reconnect_min_ms..=3_600_000).contains(&d.reconnect_max_ms),
            "discord.reconnect_max_ms",
            "must be at least reconnect_min_ms and at most 3600000 (an hour)",
        );
    }

    fn check_web(&self, found: &mut Found) {
        let w = &self.web;
        found.unless(
            w.public_url.starts_with("http://") || w.public_url.starts_with("https://"),
            "web.public_url",
            "expected an http:// or https:// URL, e.g. \"https://desk.example.com\"",
        );
        found.unless(
            (5..=43_200).contains(&w.session_idle_minutes),
            "web.session_idle_minutes",
            "must be between 5 and 43200 (30 days)",
        );
        found.unless(
            (1..=90).contains(&w.link_valid_days),
            "web.link_valid_days",
            "must be between 1 and 90",
        );
        found.unless(
            (1..=100).contains(&w.signin_per_hour),
            "web.signin_per_hour",
            "must be between 1 and 100",
        );
    }

    fn check_lists(&self, found: &mut Found) {
        if let Err(e) = crate::sales::orders::domain::check_stages(&self.sales.order_stages) {
            found.add("sales.order_stages", e.to_string());
        }
        for r in &self.sales.order_roles {
            if crate::domain::directory::Role::parse(r).is_none() {
                found.add("sales.order_roles", format!("`{r}` is not a role"));
            }
        }
        for c in self.requisitions.category_terms() {
            let c = c.code;
            if c.is_empty()
                || c.chars()
                    .any(|ch| !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'))
            {
                found.add(
                    "requisitions.categories",
                    format!("`{c}` must be lowercase letters, digits or _"),
                );
            }
        }
    }
}

impl Smtp {
    fn check(&self, found: &mut Found) {
        let url = self.url.expose().trim();
        if !url.is_empty() {
            if let Err(message) = check_smtp_url(url) {
                found.add("smtp.url", message);
            } else if let Some(problem) = self.plaintext_auth_problem() {
                let key = "smtp.allow_plaintext_auth";
                let prefix = format!("key `{key}`: ");
                found.add(key, problem.strip_prefix(&prefix).unwrap_or(&problem));
            }
        }
        if self.from.parse::<lettre::Address>().is_err() {
            found.add(
                "smtp.from",
                format!("`{}` is not an email address", self.from),
            );
        }
        if !self.reply_to.is_empty() && self.reply_to.parse::<lettre::Address>().is_err() {
            found.add(
                "smtp.reply_to",
                format!("`{}` is not an email address", self.reply_to),
            );
        }
        found.unless(
            (1..=100).contains(&self.pool_size),
            "smtp.pool_size",
            "must be between 1 and 100",
        );
        found.unless(
            (1..=600).contains(&self.timeout_secs),
            "smtp.timeout_secs",
            "must be between 1 and 600",
        );
    }
}

/// What is wrong with a non-empty `smtp.url`, if anything.
fn check_smtp_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("expected smtp://HOST:PORT, smtp://HOST:587?tls=required (STARTTLS) or smtps://HOST:465, or empty to write .eml files".into());
    };
    if scheme != "smtp" && scheme != "smtps" {
        return Err(format!("scheme `{scheme}` is not smtp or smtps (smtp://HOST:587?tls=required for STARTTLS, smtps://HOST:465 for TLS)"));
    }
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split(['/', '?']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("no host in `{}`", super::redact_url(url)));
    }
    if let Some((_, port)) = host.rsplit_once(':') {
        if port.parse::<u16>().is_err() {
            return Err(format!("`{port}` is not a port number"));
        }
    }
    if let Some((_, q)) = rest.split_once('?') {
        for kv in q.split('&') {
            match kv.split_once('=') {
                Some(("tls", "required" | "opportunistic")) => {}
                Some(("tls", v)) => {
                    return Err(format!(
                        "tls={v}: use tls=required (STARTTLS) or tls=opportunistic"
                    ))
                }
                _ => {
                    return Err(format!(
                        "unknown parameter `{kv}`; the only one is tls=required|opportunistic"
                    ))
                }
            }
        }
    }
    Ok(())
}

impl Scheduler {
    fn check(&self, found: &mut Found) {
        found.unless(
            (10..=60_000).contains(&self.poll_ms),
            "scheduler.poll_ms",
            "must be between 10 and 60000",
        );
        found.unless(
            (5..=3600).contains(&self.lease_secs),
            "scheduler.lease_secs",
            "must be between 5 and 3600",
        );
        found.unless(
            (1..=1000).contains(&self.batch),
            "scheduler.batch",
            "must be between 1 and 1000",
        );
    }
}
