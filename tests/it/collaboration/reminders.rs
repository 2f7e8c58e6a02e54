//! Follow-ups, customer callbacks, the morning digest and holiday greetings as users meet
//! them — with a manual clock, never by waiting.

use crate::common;
use common::spawn_desk;

#[tokio::test]
async fn a_followup_fires_once_is_snoozed_fires_again_and_is_done() {
    let d = spawn_desk().await;
    // Her own requisition: a follow-up needs a reference one may read.
    let r = d.submit("li.na", "Laptop", 1, "9000").await;
    let set = d
        .ok(
            "li.na",
            &format!("/followup add ref:{r} when:\"in 2 minutes\" note:\"check the quote\""),
        )
        .await;
    assert!(set.contains("#1") && set.contains(&r), "{set}");
    assert_eq!(d.advance(119).await.done, 0);
    d.advance(1).await;
    let due = d.notes_of("li.na", "followup_due").await;
    assert_eq!(due.len(), 1);
    assert!(
        due[0].text.contains("check the quote") && due[0].text.contains(&r),
        "{}",
        due[0].text
    );
    let labels: Vec<&str> = due[0].actions.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["完成", "1小时后提醒", "1天后提醒"]);
    d.advance(3600).await;
    assert_eq!(
        d.notes_of("li.na", "followup_due").await.len(),
        1,
        "fires once"
    );

    // Snooze 1 h from the button: nothing for 59 minutes, then once more.
    let snoozed = d.press("li.na", &due[0].actions[1]).await;
    assert!(
        snoozed.ok && snoozed.text.contains("推迟"),
        "{}",
        snoozed.text
    );
    d.advance(59 * 60).await;
    assert_eq!(d.notes_of("li.na", "followup_due").await.len(), 1);
    d.advance(60).await;
    let due = d.notes_of("li.na", "followup_due").await;
    assert_eq!(due.len(), 2);
    assert!(due[1].text.contains("已推迟"), "{}", due[1].text);

    // Done from the button; it is gone from the list and never fires again.
    let done = d.press("li.na", &due[1].actions[0]).await;
    assert!(done.ok && done.text.contains("已完成"), "{}", done.text);
    let again = d.press("li.na", &due[1].actions[0]).await;
    assert!(!again.ok && again.text.contains("已完成"), "{}", again.text);
    assert!(d.ok("li.na", "/followup list").await.contains("没有"));
    d.advance(86_400).await;
    assert_eq!(d.notes_of("li.na", "followup_due").await.len(), 2);
    let actions: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT action FROM audit_events WHERE action LIKE 'followup.%' ORDER BY seq",
    )
    .fetch_all(d.chat.desk.store.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(a,)| a)
    .collect();
    assert_eq!(
        actions,
        ["followup.add", "followup.snooze", "followup.done"]
    );
}

#[tokio::test]
async fn a_snooze_without_a_length_lasts_the_services_default() {
    let d = spawn_desk().await;
    let r = d.submit("li.na", "Laptop", 1, "9000").await;
    d.ok(
        "li.na",
        &format!("/followup add ref:{r} when:\"in 2 minutes\""),
    )
    .await;
    d.advance(120).await;
    d.ok("li.na", "/followup snooze id:1").await;
    let minutes = bizdesk::collaboration::followups::service::DEFAULT_SNOOZE_MINUTES;
    d.advance(minutes * 60 - 1).await;
    assert_eq!(d.notes_of("li.na", "followup_due").await.len(), 1);
    d.advance(1).await;
    assert_eq!(d.notes_of("li.na", "followup_due").await.len(), 2);
}

#[tokio::test]
async fn followups_read_english_and_chinese_times_and_refuse_bad_input() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Laptop", 1, "9000").await;
    // The clock stands at Thursday 2026-11-26 10:00 in Shanghai.
    let cases = [
        ("tomorrow 9:00", "2026-11-27 09:00"),
        ("明天9点", "2026-11-27 09:00"),
        ("下周一 9:00", "2026-11-30 09:00"),
        ("3天后", "2026-11-29 10:00"),
        ("2026-12-01 10:00", "2026-12-01 10:00"),
    ];
    for (when, expect) in cases {
        let text = d
            .ok(
                "tom.baker",
                &format!("/followup add ref:{r} when:\"{when}\""),
            )
            .await;
        assert!(text.contains(expect), "{when}: {text}");
    }
    let before = d.count("SELECT COUNT(*) FROM followups").await;
    let refusals = [
        (
            format!("/followup add ref:{r} when:\"yesterday-ish\""),
            "yesterday-ish",
        ),
        (
            format!("/followup add ref:{r} when:\"2020-01-01 10:00\""),
            "2020-01-01",
        ),
        (
            "/followup add ref:REQ-009999 when:\"tomorrow 9:00\"".to_string(),
            "REQ-009999",
        ),
        (
            "/followup add ref:INQ-000001 when:\"tomorrow 9:00\"".to_string(),
            "INQ-000001",
        ),
        ("/followup done id:999".to_string(), "#999"),
    ];
    for (line, shows) in refusals {
        let text = d.refused("tom.baker", &line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    // Someone else's follow-up is not yours to close.
    let other = d.refused("li.na", "/followup done id:1").await;
    assert!(other.contains("#1"), "{other}");
    assert_eq!(d.count("SELECT COUNT(*) FROM followups").await, before);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM followups WHERE status <> 'open'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_monthly_callback_reminds_at_each_occurrence() {
    let d = spawn_desk().await;
    let text = d
        .ok(
            "li.na",
            "/callback schedule customer:\"华东电子 周经理\" when:\"2026-12-01 10:00\" repeat:\"每月1号 10:00\" note:\"new price list\"",
        )
        .await;
    assert!(text.contains("#1") && text.contains("0 10 1 * *"), "{text}");
    let bad = d.refused("li.na", "/callback schedule customer:Acme").await;
    assert!(bad.contains("时间"), "li.na reads Chinese: {bad}");
    let bad = d
        .refused(
            "li.na",
            "/callback schedule customer:Acme repeat:\"every blue moon\"",
        )
        .await;
    assert!(bad.contains("every blue moon"), "{bad}");
    let bad = d
        .refused(
            "li.na",
            "/callback schedule customer:Acme repeat:\"*/10 * * * * *\"",
        )
        .await;
    assert!(
        bad.contains("一小时"),
        "a callback every 10 seconds is a typo: {bad}"
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM callbacks").await, 1);

    // Through three months, one reminder per month.
    for _ in 0..(90 * 24) {
        d.clock.advance(chrono::Duration::hours(1));
        d.scheduler().drain().await.unwrap();
    }
    let due = d.notes_of("li.na", "callback_due").await;
    assert_eq!(due.len(), 3, "Dec 1, Jan 1, Feb 1");
    assert!(
        due[0].text.contains("2026-12-01 10:00") && due[0].text.contains("华东电子"),
        "{}",
        due[0].text
    );
    assert!(due[2].text.contains("2027-02-01 10:00"), "{}", due[2].text);
    let done = d.press("li.na", &due[2].actions[0]).await;
    assert!(done.ok && done.text.contains("累计 1 次"), "{}", done.text);
    assert!(d
        .ok("li.na", "/callback list")
        .await
        .contains("2027-03-01 10:00"));
    d.ok("li.na", "/callback cancel id:1").await;
    d.advance(40 * 86_400).await;
    assert_eq!(
        d.notes_of("li.na", "callback_due").await.len(),
        3,
        "no more after cancel"
    );
}

#[tokio::test]
async fn the_morning_digest_lists_pending_tasks_and_todays_followups_once() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    let r = d.submit("li.na", "Laptop", 1, "9000").await;
    d.ok(
        "li.na",
        &format!("/followup add ref:{r} when:\"明天10点\" note:\"call the vendor\""),
    )
    .await;
    // Thursday 10:00 → Friday 09:00: the digest.
    d.advance(23 * 3600).await;
    let wang = d.notes_of("wang.fang", "daily_digest").await;
    assert_eq!(wang.len(), 1);
    assert!(
        wang[0].text.contains(&r) && wang[0].text.contains("23小时"),
        "{}",
        wang[0].text
    );
    let li = d.notes_of("li.na", "daily_digest").await;
    assert_eq!(li.len(), 1);
    assert!(
        li[0].text.contains("call the vendor") && li[0].text.contains("10:00"),
        "{}",
        li[0].text
    );
    assert!(
        d.notes_of("tom.baker", "daily_digest").await.is_empty(),
        "nothing pending for tom"
    );
    d.advance(3600).await;
    assert_eq!(d.notes_of("wang.fang", "daily_digest").await.len(), 1);
}

#[tokio::test]
async fn holiday_greetings_remind_callback_owners_of_their_customers() {
    let d = spawn_desk().await;
    d.sync_schedules().await;
    d.ok(
        "li.na",
        "/callback schedule customer:\"华东电子\" repeat:\"every month\"",
    )
    .await;
    d.ok(
        "li.na",
        "/callback schedule customer:\"Acme\" when:\"2027-03-01 10:00\"",
    )
    .await;
    d.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 28, 1, 59, 0).unwrap());
    d.advance(60).await;
    let g = d.notes_of("li.na", "holiday_greetings").await;
    assert_eq!(g.len(), 1);
    assert!(
        g[0].text.contains("华东电子") && g[0].text.contains("Acme"),
        "{}",
        g[0].text
    );
}

#[tokio::test]
async fn a_callback_links_to_the_customer_it_names() {
    let d = spawn_desk().await;
    d.ok(
        "li.na",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn phone:\"+86 138 0013 8000\"",
    )
    .await;
    d.ok("li.na", "/customer add name:\"周军\" email:zj2@example.com")
        .await;
    // By number or email: the record, and its phone and email in the reminder.
    d.ok(
        "li.na",
        "/callback schedule customer:#1 when:\"in 1 hour\" note:\"新价目表\"",
    )
    .await;
    d.ok(
        "li.na",
        "/callback schedule customer:zj2@example.com when:\"in 2 hours\"",
    )
    .await;
    // Someone not on file stays free text, even when part of a customer's name matches; an
    // unknown number or email, or a name two customers share, is refused and nothing is
    // scheduled.
    d.ok(
        "li.na",
        "/customer add name:\"王总贸易\" email:wz@example.com",
    )
    .await;
    d.ok(
        "li.na",
        "/callback schedule customer:\"王总\" when:\"in 3 hours\"",
    )
    .await;
    for (line, shows) in [
        ("/callback schedule customer:#9 when:\"in 1 hour\"", "#9"),
        (
            "/callback schedule customer:nobody@example.com when:\"in 1 hour\"",
            "nobody@example.com",
        ),
        ("/callback schedule customer:周军 when:\"in 1 hour\"", "#2"),
    ] {
        let text = d.refused("li.na", line).await;
        assert!(text.contains(shows), "{line}: {text}");
    }
    let linked: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT customer, customer_id FROM callbacks ORDER BY id")
            .fetch_all(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        linked,
        [
            ("周军".to_string(), Some(1)),
            ("周军".to_string(), Some(2)),
            ("王总".to_string(), None)
        ]
    );
    d.advance(3 * 3600 + 60).await;
    let due = d.notes_of("li.na", "callback_due").await;
    assert_eq!(due.len(), 3);
    assert!(
        due[0].text.contains("(#1)")
            && due[0].text.contains("+86 138 0013 8000")
            && due[0].text.contains("zj@huadong.cn"),
        "{}",
        due[0].text
    );
    assert!(!due[2].text.contains("(#"), "{}", due[2].text);
}

#[tokio::test]
async fn notices_queued_by_an_earlier_version_still_render() {
    let d = spawn_desk().await;
    let li = d.employee("li.na").await;
    // A callback reminder and a service-level alert as the previous version queued them.
    for (kind, payload) in [
        (
            "callback_due",
            r#"{"id": 1, "customer": "华东电子", "note": "", "due_at_ms": 0, "next_ms": null, "repeat": null}"#,
        ),
        (
            "inquiry_sla",
            r#"{"ref": "INQ-000001", "check": "response", "due_ms": 0, "subject": "Late", "kind": "complaint", "customer": "周军", "priority": "normal", "department": "Customer Service", "department_zh": "客户服务部", "owner": null}"#,
        ),
    ] {
        d.sql(&format!(
            "INSERT INTO outbox (channel, recipient_id, kind, payload, next_attempt_at, created_at) \
             VALUES ('chat', {}, '{kind}', '{payload}', 0, 0)",
            li.id
        ))
        .await;
    }
    let shown = d.notifications("li.na").await;
    assert_eq!(shown.len(), 2);
    assert!(shown[0].1.text.contains("华东电子"), "{}", shown[0].1.text);
    assert!(
        shown[1].1.text.contains("INQ-000001") && shown[1].1.text.contains("已超过"),
        "{}",
        shown[1].1.text
    );
}
