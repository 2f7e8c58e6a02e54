//! The scheduler across processes and time zones: two schedulers on one database fire every
//! occurrence and job exactly once; daily callbacks in New York keep to the wall clock across
//! both DST changes.

use crate::common;
use bizdesk::scheduler::Scheduler;
use chrono::{TimeZone, Utc};
use common::spawn_desk_with;
use std::collections::HashMap;
use std::sync::Arc;

#[tokio::test]
async fn two_schedulers_on_one_database_fire_everything_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedules.toml");
    std::fs::write(
        &file,
        "[weekly_kpi]\ncron = \"* * * * *\"\n[sla_sweep]\ncron = \"*/5 * * * *\"\n[daily_digest]\ncron = \"\"\n",
    )
    .unwrap();
    let d = spawn_desk_with(|c| c.scheduler.file = file.clone()).await;
    let r = d.submit("tom.baker", "Laptop", 1, "9000").await;
    for i in 1..=60 {
        let who = if i % 2 == 0 { "tom.baker" } else { "wang.fang" };
        d.ok(
            who,
            &format!("/followup add ref:{r} when:\"in {i} minutes\" note:\"n{i}\""),
        )
        .await;
    }
    d.sync_schedules().await;

    // A second process on the same database and clock.
    let other = bizdesk::app::open_with_clock(&d.config, Arc::new(d.clock.clone()))
        .await
        .unwrap();
    let a = d.scheduler();
    let b = Scheduler::new(other.desk.clone(), Default::default());
    let start = d.chat.desk.now();
    for _ in 0..(65 * 4) {
        d.clock.advance(chrono::Duration::seconds(15));
        let (x, y) = tokio::join!(a.drain(), b.drain());
        x.unwrap();
        y.unwrap();
    }
    let minutes = (d.chat.desk.now() - start).num_minutes();
    assert_eq!(
        a.slow_runs() + b.slow_runs(),
        0,
        "every batch ran on the fast path"
    );

    let pool = d.chat.desk.store.pool();
    let fired: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM outbox WHERE kind = 'followup_due' AND channel = 'chat'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut per: HashMap<i64, usize> = HashMap::new();
    for (p,) in &fired {
        let v: serde_json::Value = serde_json::from_str(p).unwrap();
        *per.entry(v["id"].as_i64().unwrap()).or_default() += 1;
    }
    assert_eq!(per.len(), 60, "every follow-up fired");
    assert!(per.values().all(|n| *n == 1), "each exactly once: {per:?}");

    // The every-minute KPI summary: one occurrence per minute, one DM per central-office
    // member per occurrence; the sweep every five minutes.
    let kpi = occurrences(pool, "kpi.weekly").await;
    let mut distinct = kpi.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), kpi.len(), "no occurrence twice");
    assert_eq!(kpi.len() as i64, minutes, "one per minute");
    for who in ["chen.jie", "liu.yang"] {
        assert_eq!(
            d.notes_of(who, "weekly_kpi").await.len() as i64,
            minutes,
            "{who}"
        );
    }
    let sweeps = occurrences(pool, "sla.sweep").await;
    assert_eq!(sweeps.len() as i64, minutes / 5);

    // Every job that fell due ran once: done, on its first attempt. (The requisition's SLA
    // jobs are due in a day.)
    let (jobs, done_first): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN status = 'done' AND attempts = 1 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM jobs WHERE kind NOT IN ('sla.remind', 'sla.escalate')",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(jobs, done_first);
    assert_eq!(jobs as usize, 60 + kpi.len() + sweeps.len());
}

/// Fire times of the occurrences of one kind of job, in order.
async fn occurrences(pool: &sqlx::AnyPool, kind: &str) -> Vec<i64> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT fire_at FROM jobs WHERE kind = $1 ORDER BY fire_at")
            .bind(kind)
            .fetch_all(pool)
            .await
            .unwrap();
    rows.into_iter().map(|(t,)| t).collect()
}

/// The fire times of a callback repeating on `repeat` in `zone`, walking the clock from
/// `start` in `step` increments, `steps` times, with the scheduler run after each.
async fn walk(
    zone: &str,
    start: chrono::DateTime<Utc>,
    repeat: &str,
    step: chrono::Duration,
    steps: i64,
) -> Vec<chrono::DateTime<Utc>> {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let d = spawn_desk_with(|c| c.company.time_zone = tz).await;
    d.clock.set(start);
    d.ok(
        "li.na",
        &format!("/callback schedule customer:Acme repeat:\"{repeat}\""),
    )
    .await;
    for _ in 0..steps {
        d.clock.advance(step);
        d.scheduler().drain().await.unwrap();
    }
    occurrences(d.chat.desk.store.pool(), "callback.fire")
        .await
        .into_iter()
        .map(bizdesk::store::from_ms)
        .collect()
}

fn shown(times: &[chrono::DateTime<Utc>], tz: chrono_tz::Tz) -> Vec<String> {
    times
        .iter()
        .map(|t| t.with_timezone(&tz).format("%m-%d %H:%M").to_string())
        .collect()
}

#[tokio::test]
async fn a_0230_daily_job_on_new_yorks_spring_forward_day_runs_once_at_0300() {
    let start = Utc.with_ymd_and_hms(2027, 3, 13, 0, 0, 0).unwrap();
    let got = walk(
        "America/New_York",
        start,
        "30 2 * * *",
        chrono::Duration::minutes(15),
        72 * 4,
    )
    .await;
    // 02:30 EST = 07:30Z; the gap day's 02:30 does not exist: 03:00 EDT = 07:00Z; then 02:30 EDT.
    assert_eq!(
        shown(&got, chrono_tz::UTC),
        ["03-13 07:30", "03-14 07:00", "03-15 06:30"]
    );
}

#[tokio::test]
async fn a_0130_daily_job_on_new_yorks_fall_back_day_runs_once() {
    let start = Utc.with_ymd_and_hms(2026, 10, 31, 12, 0, 0).unwrap();
    let got = walk(
        "America/New_York",
        start,
        "30 1 * * *",
        chrono::Duration::minutes(15),
        72 * 4,
    )
    .await;
    // 01:30 EDT = 05:30Z (the first of the two 01:30s), then 01:30 EST = 06:30Z.
    assert_eq!(
        shown(&got, chrono_tz::UTC),
        ["11-01 05:30", "11-02 06:30", "11-03 06:30"]
    );
}

#[tokio::test]
async fn month_ends_in_shanghai_follow_the_last_day() {
    let start = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let got = walk(
        "Asia/Shanghai",
        start,
        "每月31号 10:00",
        chrono::Duration::hours(6),
        31 * 4 * 4,
    )
    .await;
    assert_eq!(
        shown(&got, chrono_tz::Asia::Shanghai),
        ["01-31 10:00", "02-28 10:00", "03-31 10:00", "04-30 10:00"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_job_written_for_now_wakes_a_sleeping_scheduler() {
    if common::postgres().is_none() {
        return; // LISTEN/NOTIFY is PostgreSQL's; SQLite schedulers poll
    }
    let d = spawn_desk_with(|_| {}).await;
    // A scheduler that would otherwise sleep 30 s between looks.
    let opts = bizdesk::scheduler::Options {
        poll: std::time::Duration::from_secs(30),
        ..Default::default()
    };
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let runner =
        tokio::spawn(Scheduler::new(d.chat.desk.clone(), opts).run(stop, Some(d.url.clone())));
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    // Another process writes jobs due now; the NOTIFY at commit must wake the sleeper at once.
    let desk = &d.chat.desk;
    let started = std::time::Instant::now();
    let mut woke = false;
    for i in 0..20 {
        let mut tx = desk.store.begin().await.unwrap();
        let now = bizdesk::store::to_ms(desk.now());
        let job = bizdesk::store::jobs::NewJob::new(
            "noop",
            serde_json::json!({}),
            now,
            format!("wake-{i}"),
        );
        bizdesk::service::jobs::schedule(&mut tx, desk.store.backend(), &job, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if d.count("SELECT COUNT(*) FROM jobs WHERE kind = 'noop' AND status = 'done'")
            .await
            > 0
        {
            woke = true;
            break;
        }
    }
    assert!(
        woke,
        "no wake-up within {:?} (poll is 30 s)",
        started.elapsed()
    );
    let _ = stop_tx.send(true);
    runner.await.unwrap();
}
