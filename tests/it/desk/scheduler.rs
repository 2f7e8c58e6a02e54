//! The scheduler as users meet it: SLA reminders and escalation, catch-up after downtime,
//! the weekly KPI summary, leases, retries, pruning and bad schedules — with a manual clock,
//! never by waiting. Follow-ups, callbacks and the digest are in `reminders.rs`.

use crate::common;
use bizdesk::store::jobs;
use common::{spawn_desk, spawn_desk_with, TestDesk};

const SLA_POLICY: &str = r#"
[requisition]
[[requisition.stages]]
name = "Department head"
name_zh = "部门负责人审批"
approvers = ["dept_head"]
fallback = ["role:management"]
remind_after = "1m"
escalate_after = "2m"
escalate_to = "role:bcmo"

[[requisition.stages]]
name = "Finance"
name_zh = "财务审批"
approvers = ["role:finance"]
"#;

async fn sla_desk() -> (TestDesk, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("workflows.toml");
    std::fs::write(&policy, SLA_POLICY).unwrap();
    let d = spawn_desk_with(|c| c.workflows.file = policy.clone()).await;
    (d, dir)
}

#[tokio::test]
async fn an_untouched_prompt_is_reminded_then_escalated_and_the_target_decides() {
    let (d, _dir) = sla_desk().await;
    let r = d.submit("tom.baker", "Monitor", 2, "1500").await;
    assert_eq!(
        d.advance(59).await.done,
        0,
        "nothing is due before remind_after"
    );

    // After a minute: a reminder to the head, with the decision buttons, audited.
    d.advance(2).await;
    let reminders = d.notes_of("wang.fang", "approval_reminder").await;
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0].text.contains("催办") && reminders[0].text.contains(&r),
        "{}",
        reminders[0].text
    );
    assert_eq!(reminders[0].actions.len(), 3);
    let trail = d
        .ok("tom.baker", &format!("/requisition show ref:{r}"))
        .await;
    assert!(trail.contains("Department head"), "{trail}");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'approval.remind'")
            .await,
        1
    );
    // Running the scheduler again changes nothing: the reminder was one job, done once.
    assert_eq!(d.advance(0).await.done, 0);
    assert_eq!(d.notes_of("wang.fang", "approval_reminder").await.len(), 1);

    // After two minutes: escalated to the central office.
    d.advance(60).await;
    let chen = d.notes_of("chen.jie", "approval_prompt").await;
    assert_eq!(chen.len(), 1, "the escalation target is prompted");
    assert!(
        chen[0].text.contains("升级审批") && chen[0].text.contains("王芳"),
        "{}",
        chen[0].text
    );
    assert_eq!(d.notes_of("liu.yang", "approval_prompt").await.len(), 1);
    let closed = d.notes_of("wang.fang", "prompt_closed").await;
    assert_eq!(
        closed.len(),
        2,
        "the prompt and the reminder lose their buttons"
    );
    assert!(closed[0].text.contains("升级给"), "{}", closed[0].text);
    let told = d.notes_of("tom.baker", "approval_escalated").await;
    assert_eq!(told.len(), 1);
    assert!(
        told[0].text.contains("escalated") && told[0].text.contains("陈杰"),
        "{}",
        told[0].text
    );
    assert_eq!(d.notes_of("wang.fang", "approval_escalated").await.len(), 1);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'approval.escalate'")
            .await,
        1
    );

    // The old approver's stale button, and typing the command, both say so and change nothing.
    let stale = d.press("wang.fang", &reminders[0].actions[0]).await;
    assert!(
        !stale.ok && stale.text.contains("升级给") && stale.text.contains("陈杰"),
        "{}",
        stale.text
    );
    let typed = d
        .refused("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(typed.contains("升级给"), "{typed}");

    // The target decides; the stage passes (one decision suffices after escalation).
    let out = d.press("chen.jie", &chen[0].actions[0]).await;
    assert!(out.ok, "{}", out.text);
    assert!(
        d.notes_of("grace.lin", "approval_prompt").await.len() == 1,
        "finance is next"
    );
    let liu = d
        .refused("liu.yang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(liu.contains("陈杰"), "{liu}");
    // The escalation job does not fire twice, and nothing escalates the decided stage.
    d.advance(3600).await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'approval.escalate'")
            .await,
        1
    );
    let verify = bizdesk::service::audit::verify(&d.chat.desk).await.unwrap();
    assert!(verify.is_ok(), "{verify:?}");
}

#[tokio::test]
async fn a_prompt_decided_in_time_is_neither_reminded_nor_escalated() {
    let (d, _dir) = sla_desk().await;
    let r = d.submit("tom.baker", "Chair", 1, "900").await;
    d.advance(30).await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    d.advance(600).await;
    assert!(d
        .notes_of("wang.fang", "approval_reminder")
        .await
        .is_empty());
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'approval.escalate%'")
            .await,
        0
    );
    // Both SLA jobs ran (and did nothing); none is left pending.
    assert_eq!(
        d.count("SELECT COUNT(*) FROM jobs WHERE status = 'pending'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_sla_sweep_schedules_what_an_older_version_did_not() {
    let (d, _dir) = sla_desk().await;
    let r = d.submit("tom.baker", "Desk", 1, "800").await;
    d.sql("DELETE FROM jobs").await; // as if the round was opened before the scheduler existed
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    let added = bizdesk::approval::sla::sweep(&mut conn).await.unwrap();
    assert_eq!(added, 2, "a reminder and an escalation");
    assert_eq!(
        bizdesk::approval::sla::sweep(&mut conn).await.unwrap(),
        0,
        "idempotent"
    );
    drop(conn);
    d.advance(61).await;
    let reminders = d.notes_of("wang.fang", "approval_reminder").await;
    assert_eq!(reminders.len(), 1);
    assert!(reminders[0].text.contains(&r));
}

#[tokio::test]
async fn after_downtime_a_missed_digest_fires_once_and_overdue_followups_fire_at_start() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    let r = d.submit("li.na", "Laptop", 1, "9000").await;
    d.ok(
        "li.na",
        &format!("/followup add ref:{r} when:\"in 1 hour\""),
    )
    .await;
    // "Down" from Thursday 10:00 to Tuesday 12:00: Friday, Monday and Tuesday 09:00 missed.
    d.clock.advance(chrono::Duration::hours(4 * 24 + 26));
    // A restart: a new process on the same database syncs its schedules and starts.
    let again = bizdesk::app::open_with_clock(&d.config, std::sync::Arc::new(d.clock.clone()))
        .await
        .unwrap();
    let jobs = bizdesk::app::load_schedules(&d.config).unwrap();
    bizdesk::service::schedules::sync(&again.desk, &jobs)
        .await
        .unwrap();
    let s = bizdesk::scheduler::Scheduler::new(again.desk.clone(), Default::default());
    s.drain().await.unwrap();
    // Meanwhile the head's task was escalated (default SLA: 48 h) to the central office.
    assert_eq!(
        d.notes_of("chen.jie", "daily_digest").await.len(),
        1,
        "once, not three times"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'daily_digest'")
            .await,
        d.count("SELECT COUNT(DISTINCT recipient_id) FROM outbox WHERE kind = 'daily_digest'")
            .await
    );
    assert_eq!(
        d.notes_of("li.na", "followup_due").await.len(),
        1,
        "overdue one-off fires at start"
    );
    let (fire_at,): (i64,) = sqlx::query_as("SELECT fire_at FROM jobs WHERE kind = 'digest.daily'")
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    assert_eq!(
        bizdesk::store::from_ms(fire_at).to_rfc3339(),
        "2026-12-01T01:00:00+00:00",
        "the latest missed occurrence (Tuesday 09:00 in Shanghai)"
    );
}

#[tokio::test]
async fn catch_up_all_fires_every_missed_occurrence() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedules.toml");
    std::fs::write(
        &file,
        "[weekly_kpi]\ncron = \"0 9 * * *\"\ncatch_up = \"all\"\n",
    )
    .unwrap();
    let d = spawn_desk_with(|c| c.scheduler.file = file.clone()).await;
    d.sync_schedules().await;
    d.advance(3 * 86_400).await;
    let kpi = d.notes_of("chen.jie", "weekly_kpi").await;
    assert_eq!(kpi.len(), 3);
    assert!(kpi[0].text.starts_with("📊 审批周报"), "{}", kpi[0].text);
}

#[tokio::test]
async fn the_weekly_kpi_counts_the_weeks_decisions_and_sla_events() {
    let (d, _dir) = sla_desk().await;
    d.sync_schedules().await;
    let a = d.submit("tom.baker", "Desk", 1, "800").await;
    let b = d.submit("tom.baker", "Chair", 1, "300").await;
    // An opportunity is a submission too; it waits all week (reminded twice, escalated once).
    d.ok("li.na", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok("li.na", "/opportunity new customer:#1 title:\"装修\"")
        .await;
    d.advance(30 * 60).await; // both reminded, then escalated
    d.ok("chen.jie", &format!("/approval approve ref:{a}"))
        .await;
    d.ok("grace.lin", &format!("/approval approve ref:{a}"))
        .await;
    d.ok(
        "chen.jie",
        &format!("/approval reject ref:{b} comment:\"no budget\""),
    )
    .await;
    // Thursday 10:30 → Monday 09:00, a day or two at a time, so that each reminder and
    // escalation happens (and is audited) in its own time, not all at Monday's tick.
    d.advance(24 * 3600).await;
    d.advance(48 * 3600).await;
    d.advance(22 * 3600 + 30 * 60).await;
    let kpi = d.notes_of("liu.yang", "weekly_kpi").await;
    assert_eq!(kpi.len(), 1);
    let t = &kpi[0].text;
    for part in [
        "提交：3",
        "批准：1",
        "驳回：1",
        "当前待审批：1",
        "催办：4 次",
        "升级：3 次",
        "中位数 0 小时 30 分钟",
    ] {
        assert!(t.contains(part), "{part} in {t}");
    }
}

#[tokio::test]
async fn a_crashed_workers_job_runs_after_its_lease_and_a_slow_one_has_one_effect() {
    let d = spawn_desk().await;
    let r = d.submit("li.na", "Laptop", 1, "9000").await;
    d.ok(
        "li.na",
        &format!("/followup add ref:{r} when:\"in 1 minute\""),
    )
    .await;
    d.clock.advance(chrono::Duration::seconds(61));
    let desk = &d.chat.desk;
    let now = bizdesk::store::to_ms(desk.now());
    // Worker A claims it (60 s lease) and "crashes".
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let a = jobs::claim(&mut conn, desk.store.backend(), now, 60_000, 10)
        .await
        .unwrap();
    assert_eq!(a.len(), 1);
    drop(conn);
    assert_eq!(d.advance(0).await.done, 0, "leased: nobody else takes it");
    assert!(d.notes_of("li.na", "followup_due").await.is_empty());
    d.advance(61).await;
    assert_eq!(
        d.notes_of("li.na", "followup_due").await.len(),
        1,
        "recovered after the lease"
    );
    // A, slow rather than dead, now tries to complete with its old lease: nothing happens.
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let held = a[0].locked_until.unwrap();
    let late = jobs::complete(&mut conn, &[a[0].id], held, now + 200_000)
        .await
        .unwrap();
    assert!(late.is_empty());
    let (attempts,): (i64,) = sqlx::query_as("SELECT attempts FROM jobs WHERE id = $1")
        .bind(a[0].id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    // Nor can A, failing late, put the job back into the queue.
    assert!(!jobs::fail(
        &mut conn,
        a[0].id,
        held,
        now + 300_000,
        "late failure",
        now + 200_000
    )
    .await
    .unwrap());
    assert_eq!(d.notes_of("li.na", "followup_due").await.len(), 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_and_does_not_hold_back_others() {
    let d = spawn_desk().await;
    let now = bizdesk::store::to_ms(d.chat.desk.now());
    d.sql(&format!(
        "INSERT INTO jobs (kind, payload, run_at, status, attempts, max_attempts, created_at) \
         VALUES ('no.such.kind', '{{}}', {now}, 'pending', 0, 3, {now}), ('noop', '{{}}', {now}, 'pending', 0, 3, {now})"
    ))
    .await;
    let s = d.scheduler();
    let t = s.drain().await.unwrap();
    assert_eq!((t.done, t.failed), (1, 1));
    assert_eq!(s.slow_runs(), 1, "the failing batch ran again job by job");
    let (status, attempts, error): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM jobs WHERE kind = 'no.such.kind'")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap().contains("no handler"));
    d.advance(3600).await;
    d.advance(3600).await;
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM jobs WHERE kind = 'no.such.kind'")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(status, "failed", "given up after max_attempts");
}

#[tokio::test]
async fn bad_schedules_are_refused_at_start_with_file_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedules.toml");
    std::fs::write(&file, "[daily_digest]\ncron = \"0 9 * * MON-FRI-SAT\"\n").unwrap();
    let mut config = bizdesk::config::Config::defaults();
    config.scheduler.file = file.clone();
    let e = bizdesk::app::load_schedules(&config)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("schedules.toml") && e.contains("daily_digest.cron"),
        "{e}"
    );
    std::fs::write(
        &file,
        "[daily_digest]\ncron = \"0 9 * * *\"\ntime_zone = \"Europe/Shanghai\"\n",
    )
    .unwrap();
    let e = bizdesk::app::load_schedules(&config)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("daily_digest.time_zone") && e.contains("IANA"),
        "{e}"
    );
}

#[tokio::test]
async fn finished_jobs_are_pruned_after_thirty_days_and_failed_or_sla_ones_kept_and_old_interaction_ids_forgotten(
) {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    let now = bizdesk::store::to_ms(d.chat.desk.now());
    let old = now - 40 * 86_400_000;
    let recent = now - 86_400_000;
    for (kind, status, finished, key) in [
        ("followup.fire", "done", old, "a"),
        ("followup.fire", "cancelled", old, "b"),
        ("followup.fire", "failed", old, "c"),
        ("sla.remind", "done", old, "d"),
        ("followup.fire", "done", recent, "e"),
    ] {
        d.sql(&format!(
            "INSERT INTO jobs (kind, payload, run_at, status, attempts, max_attempts, unique_key, created_at, finished_at) \
             VALUES ('{kind}', '{{}}', {finished}, '{status}', 1, 10, '{key}', {finished}, {finished})"
        ))
        .await;
    }
    // Interaction ids: a two-day-old one is forgotten, a fresh one kept for replays.
    for (id, at) in [("old", now - 2 * 86_400_000), ("fresh", now)] {
        d.sql(&format!(
            "INSERT INTO discord_interactions (id, received_at) VALUES ('{id}', {at})"
        ))
        .await;
    }
    // Thursday 10:00 → Friday 03:30: the nightly prune.
    d.advance(17 * 3600 + 30 * 60).await;
    let left: Vec<(String,)> = sqlx::query_as(
        "SELECT unique_key FROM jobs WHERE unique_key IN ('a','b','c','d','e') ORDER BY unique_key",
    )
    .fetch_all(d.chat.desk.store.pool())
    .await
    .unwrap();
    let left: Vec<&str> = left.iter().map(|(k,)| k.as_str()).collect();
    assert_eq!(left, ["c", "d", "e"]);
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM discord_interactions ORDER BY id")
        .fetch_all(d.chat.desk.store.pool())
        .await
        .unwrap();
    assert_eq!(ids, [("fresh".to_string(),)]);
}

#[tokio::test]
async fn an_escalation_can_go_to_the_departments_superior() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("workflows.toml");
    std::fs::write(
        &policy,
        SLA_POLICY.replace("escalate_to = \"role:bcmo\"", "escalate_to = \"superior\""),
    )
    .unwrap();
    let d = spawn_desk_with(|c| c.workflows.file = policy.clone()).await;
    let r = d.submit("tom.baker", "Monitor", 2, "1500").await;
    d.advance(121).await;
    // Sales' head (王芳) did not decide: the head above Sales (张伟, management) now may.
    let up = d.notes_of("zhang.wei", "approval_prompt").await;
    assert_eq!(up.len(), 1, "the superior is prompted");
    assert!(
        up[0].text.contains(&r) && up[0].text.contains("王芳"),
        "{}",
        up[0].text
    );
    assert!(d.notes_of("chen.jie", "approval_prompt").await.is_empty());
    d.ok("zhang.wei", &format!("/approval approve ref:{r}"))
        .await;
    let stale = d
        .refused("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(stale.contains("张伟"), "{stale}");
}

#[tokio::test]
async fn an_idle_tick_does_not_wait_for_the_writer() {
    let d = spawn_desk().await;
    // Someone holds the write transaction (on SQLite, the one writer connection).
    let held = d.chat.desk.store.begin().await.unwrap();
    let tick = tokio::time::timeout(std::time::Duration::from_secs(5), d.scheduler().tick())
        .await
        .expect("an idle tick finds out from reads that nothing is due")
        .unwrap();
    assert_eq!((tick.occurrences, tick.done), (0, 0));
    drop(held);
}

/// Escalation resolves its target from the facts the round was planned with, not from the
/// directory as it is when the deadline passes: a requester who moved department does not move
/// their old request's escalation to the new department's head.
#[tokio::test]
async fn an_escalation_follows_the_request_not_the_requesters_new_department() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("workflows.toml");
    std::fs::write(
        &policy,
        SLA_POLICY.replace("escalate_to = \"role:bcmo\"", "escalate_to = \"dept_head\""),
    )
    .unwrap();
    let d = spawn_desk_with(|c| c.workflows.file = policy.clone()).await;
    let r = d.submit("tom.baker", "Monitor", 2, "1500").await;
    // Tom moves from sales to procurement while his request waits for the sales head.
    let sample = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml"));
    let moved = sample.replace(
        "email = \"tom.baker@example.com\"\ndepartment = \"SAL\"",
        "email = \"tom.baker@example.com\"\ndepartment = \"PUR\"",
    );
    assert_ne!(moved, sample);
    let org = bizdesk::config::org::OrgFile::parse(&moved).unwrap();
    bizdesk::service::directory::sync(&d.chat.desk, &org, "test")
        .await
        .unwrap();
    d.advance(121).await;
    // The request's department head already holds it: nobody else to escalate to, said so.
    assert!(
        d.notes_of("zhou.qiang", "approval_prompt").await.is_empty(),
        "the procurement head was prompted for a sales request {r}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'approval.escalate_skipped'")
            .await,
        1
    );
}
