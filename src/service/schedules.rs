//! The system's recurring jobs (from `config/schedules.toml`) as schedule rows.

use crate::config::schedules::SystemJob;
use crate::domain::schedule::Recurrence;
use crate::service::{Desk, DeskResult};
use crate::store::schedules::{self, NewSchedule};
use crate::store::{self, from_ms};

/// The schedule row name of a system job.
pub fn system_name(key: &str) -> String {
    format!("system.{key}")
}

/// Writes the configured system jobs. A job whose rule is unchanged keeps its next fire time
/// (so occurrences missed while bizdesk was down still fire, per its catch-up rule); a new or
/// changed rule starts from now; an empty cron turns the job off. Returns a line per change.
pub async fn sync(desk: &Desk, jobs: &[SystemJob]) -> DeskResult<Vec<String>> {
    let mut tx = desk.store.begin().await?;
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut changes = Vec::new();
    for job in jobs {
        let name = system_name(&job.key);
        let existing = schedules::by_name(&mut tx, &name).await?;
        let Some(cron) = &job.cron else {
            if let Some(s) = existing.filter(|s| s.next_fire_at.is_some()) {
                schedules::stop(&mut tx, s.id, now_ms).await?;
                changes.push(format!("{} off", job.key));
            }
            continue;
        };
        let rule = Recurrence::new(cron, job.tz).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let tz = job.tz.name();
        let unchanged = existing.as_ref().is_some_and(|s| {
            s.expr == *cron
                && s.tz == tz
                && s.catch_up == job.catch_up.as_str()
                && s.kind == job.kind
                && s.next_fire_at.is_some()
        });
        if unchanged {
            continue;
        }
        let next = rule.next_after(now).map(store::to_ms);
        let row = NewSchedule {
            name: &name,
            kind: job.kind,
            payload: "{}",
            expr: cron,
            tz,
            catch_up: job.catch_up.as_str(),
            next_fire_at: next,
        };
        match existing {
            Some(s) => schedules::redefine(&mut tx, s.id, &row, now_ms).await?,
            None => {
                if schedules::create(&mut tx, &row, now_ms).await?.is_none() {
                    continue; // another process starting at the same time wrote it
                }
            }
        }
        let when = next.map(|n| from_ms(n).with_timezone(&job.tz).to_string());
        changes.push(format!(
            "{} `{cron}` ({tz}), next {}",
            job.key,
            when.unwrap_or_else(|| "never".into())
        ));
    }
    tx.commit().await?;
    Ok(changes)
}
