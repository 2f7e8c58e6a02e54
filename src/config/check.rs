//! The settings' values checked once parsed: each section on its own, every section's
//! problem reported in one start.

use super::{Config, DiscordMode};
use anyhow::{anyhow, bail};

impl Config {
    /// Every problem of the settings' values: each section is checked, so one start shows them
    /// all (within a section, the first).
    pub(super) fn check(&self) -> Vec<anyhow::Error> {
        [
            self.check_database(),
            self.check_discord(),
            self.smtp.check(),
            self.scheduler.check(),
            self.check_lists(),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect()
    }

    fn check_database(&self) -> anyhow::Result<()> {
        let url = self.database.url.expose();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            bail!("key `database.url`: expected sqlite://PATH or postgres://USER@HOST/DB");
        }
        if self.database.max_connections == 0 {
            bail!("key `database.max_connections`: must be at least 1");
        }
        Ok(())
    }

    fn check_discord(&self) -> anyhow::Result<()> {
        let d = &self.discord;
        if d.mode == DiscordMode::Http && d.token.is_set() {
            if d.application_id.is_none() {
                bail!("key `discord.application_id`: http mode needs the application id");
            }
            if d.public_key.len() != 64 || !d.public_key.chars().all(|c| c.is_ascii_hexdigit()) {
                bail!("key `discord.public_key`: http mode needs the application's public key (64 hex characters)");
            }
        }
        let base_ok = d.api_base.is_empty()
            || d.api_base.starts_with("http://")
            || d.api_base.starts_with("https://");
        if !base_ok {
            bail!("key `discord.api_base`: expected an http:// or https:// URL, or empty for Discord itself");
        }
        if !(10..=600_000).contains(&d.reconnect_min_ms) {
            bail!("key `discord.reconnect_min_ms`: must be between 10 and 600000");
        }
        if !(d.reconnect_min_ms..=3_600_000).contains(&d.reconnect_max_ms) {
            bail!("key `discord.reconnect_max_ms`: must be at least reconnect_min_ms and at most 3600000 (an hour)");
        }
        Ok(())
    }

    fn check_lists(&self) -> anyhow::Result<()> {
        crate::sales::orders::domain::check_stages(&self.sales.order_stages)
            .map_err(|e| anyhow!("key `sales.order_stages`: {e}"))?;
        self.sales.roles()?;
        for c in self.requisitions.category_terms() {
            let c = c.code;
            if c.is_empty()
                || c.chars()
                    .any(|ch| !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'))
            {
                bail!(
                    "key `requisitions.categories`: `{c}` must be lowercase letters, digits or _"
                );
            }
        }
        Ok(())
    }
}
