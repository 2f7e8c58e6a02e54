//! Supplier payments end to end: the three-way match, finance's exception prompt and its
//! buttons, approval through the `[payment]` policy, payment, reminders, bad input and two
//! requests at once.

use super::receipts::{insert_sent_po, refusal, sent_po};
use crate::common::{spawn_desk, TestDesk};

pub(super) async fn receive(d: &TestDesk, po: &str, accepted: i64, rejected: i64) {
    let line = if rejected > 0 {
        format!("/receipt new po:{po} accepted:{accepted} rejected:{rejected} reason:\"scratched\"")
    } else {
        format!("/receipt new po:{po} accepted:{accepted}")
    };
    d.ok("tom.baker", &line).await;
}

pub(super) async fn status(d: &TestDesk, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT status FROM supplier_payments WHERE id = $1")
        .bind(id)
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn a_full_invoice_after_a_half_rejected_delivery_is_caught_and_finance_pays_the_accepted_amount(
) {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 5, 5).await;
    let text = d
        .ok(
            "huang.lei",
            &format!("/payment request po:{po} invoice:INV-2026-001 amount:10000 due:2026-12-10"),
        )
        .await;
    assert!(
        text.contains("PAY-000001") && text.contains("不匹配"),
        "{text}"
    );
    assert_eq!(status(&d, 1).await, "exception");
    // Every finance member sees the three figures with four buttons.
    for who in ["zhao.min", "grace.lin"] {
        let notes = d.notes_of(who, "payment_exception").await;
        assert_eq!(notes.len(), 1, "{who}");
        let n = &notes[0];
        for figure in ["10,000.00", "5,000.00", "INV-2026-001"] {
            assert!(n.text.contains(figure), "{who} lacks {figure}: {}", n.text);
        }
        assert_eq!(n.actions.len(), 4);
        assert!(n.actions[3].needs_comment);
    }
    // Each in their language (Grace Lin reads English).
    let zh = &d.notes_of("zhao.min", "payment_exception").await[0];
    for label in ["订单金额", "验收金额", "发票金额"] {
        assert!(zh.text.contains(label), "{}", zh.text);
    }
    let labels: Vec<&str> = zh.actions.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(
        labels,
        ["按验收金额支付", "暂缓", "询问供应商", "按发票金额支付"]
    );
    let en = &d.notes_of("grace.lin", "payment_exception").await[0];
    assert!(en.text.contains("Accepted value: 5,000.00"), "{}", en.text);
    let labels: Vec<&str> = en.actions.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Pay accepted amount", "Hold", "Ask supplier", "Override"]
    );
    {}
    // Not an approval task, so finance's morning digest lists it until it is settled.
    let fire = bizdesk::store::to_ms(d.chat.desk.now());
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    bizdesk::service::digests::daily(&d.chat.desk, &mut conn, fire)
        .await
        .unwrap();
    drop(conn);
    let digest = d.notes_of("grace.lin", "daily_digest").await;
    assert!(
        digest.iter().any(|n| n.text.contains("waiting for your settlement")
            && n.text.contains("PAY-000001 · Acme Furniture · invoice INV-2026-001: 10,000.00 CNY against 5,000.00 CNY")),
        "{digest:?}"
    );
    // Only finance settles.
    let denied = d
        .refused(
            "huang.lei",
            "/payment settle ref:PAY-000001 action:pay_accepted",
        )
        .await;
    assert!(
        denied.contains("finance") || denied.contains("财务"),
        "{denied}"
    );
    // Hold first, then ask the supplier (in the PO's thread), then pay the accepted amount.
    let notes = d.notes_of("zhao.min", "payment_exception").await;
    let hold = d.press("zhao.min", &notes[0].actions[1]).await;
    assert!(hold.ok, "{}", hold.text);
    assert_eq!(status(&d, 1).await, "held");
    let ask = d.press("zhao.min", &notes[0].actions[2]).await;
    assert!(ask.ok, "{}", ask.text);
    assert_eq!(status(&d, 1).await, "queried");
    let (address, subject_ref): (String, String) =
        sqlx::query_as("SELECT address, subject_ref FROM outbox WHERE kind = 'supplier_query'")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        (address.as_str(), subject_ref.as_str()),
        ("sales@acme.example", po.as_str())
    );
    // The button's id finds the same action after a restart.
    let again = d
        .chat
        .action_for_custom_id("pay:pay_accepted:1", bizdesk::domain::Locale::ZhCn)
        .unwrap();
    let paid = d.press("zhao.min", &again).await;
    assert!(paid.ok, "{}", paid.text);
    let (st, approved, decision): (String, i64, String) = sqlx::query_as(
        "SELECT status, approved_minor, decision FROM supplier_payments WHERE id = 1",
    )
    .fetch_one(d.chat.desk.store.pool())
    .await
    .unwrap();
    // Settled at the accepted value, it goes through the [payment] approval like a match.
    assert_eq!(
        (st.as_str(), approved, decision.as_str()),
        ("pending", 500_000, "pay_accepted")
    );
    let told = d.notes_of("huang.lei", "payment_update").await;
    assert!(told.iter().any(|n| n.text.contains("5,000.00")), "{told:?}");
    // The approval prompt says how finance settled it, in words of each reader's language.
    let prompts = d.notes_of("grace.lin", "approval_prompt").await;
    assert!(
        prompts.iter().any(|n| n
            .text
            .contains("Settled: pay the accepted amount: 5,000.00")),
        "{prompts:?}"
    );
    // Grace Lin's prompt was closed (its buttons gone); a stale button still refuses.
    let closed = d.notes_of("grace.lin", "prompt_closed").await;
    assert_eq!(closed.len(), 1);
    assert!(closed[0].text.contains("PAY-000001") && closed[0].actions.is_empty());
    let late = d.press("grace.lin", &notes[0].actions[0]).await;
    assert!(!late.ok);
    let refused = d.refused("zhao.min", "/payment paid ref:PAY-000001").await;
    assert!(refused.contains("PAY-000001"), "{refused}");
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    assert_eq!(status(&d, 1).await, "approved");

    let text = d.ok("zhao.min", "/payment paid ref:PAY-000001").await;
    assert!(
        text.contains("5,000.00") && text.contains("已付款"),
        "{text}"
    );
    assert_eq!(status(&d, 1).await, "paid");
    assert!(d
        .notes_of("huang.lei", "payment_update")
        .await
        .iter()
        .any(|n| n.text.contains("已于")));
    let shown = d.ok("zhou.qiang", "/payment show ref:PAY-000001").await;
    assert!(shown.contains("INV-2026-001"), "{shown}");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'payment.%'")
            .await,
        5
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE summary LIKE '%@%'")
            .await,
        0
    );
}

#[tokio::test]
async fn an_override_needs_a_reason_and_pays_the_invoice() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    receive(&d, &po, 10, 0).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:A-1 amount:10800"),
    )
    .await;
    assert_eq!(status(&d, 1).await, "exception");
    let (en, zh) = refusal(
        &d,
        "zhao.min",
        "/payment settle ref:PAY-000001 action:override",
    )
    .await;
    assert!(en.contains("reason:") && zh.contains("理由"), "{en} / {zh}");
    let notes = d.notes_of("grace.lin", "payment_exception").await;
    // Asking for the reason first is not mistaken for a stale approval prompt.
    let grace = d.employee("grace.lin").await;
    assert!(d
        .chat
        .precheck(&grace, &notes[0].actions[3])
        .await
        .is_none());
    let empty = d.chat.press(&grace, &notes[0].actions[3], Some(" ")).await;
    assert!(
        !empty.ok && empty.text.contains("reason:"),
        "{}",
        empty.text
    );
    // The Chinese prompt's button, with the reason its dialog asked for.
    let zh = d.notes_of("zhao.min", "payment_exception").await;
    let reply = d
        .chat
        .press(
            &d.employee("zhao.min").await,
            &zh[0].actions[3],
            Some("freight agreed by phone"),
        )
        .await;
    assert!(reply.ok, "{}", reply.text);
    let (approved, reason): (i64, String) =
        sqlx::query_as("SELECT approved_minor, reason FROM supplier_payments WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        (approved, reason.as_str()),
        (1_080_000, "freight agreed by phone")
    );
}

#[tokio::test]
async fn a_matched_request_goes_through_payment_approval_then_is_paid() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 30000).await;
    receive(&d, &po, 10, 0).await;
    // Within 2 % and 500: a match.
    let text = d
        .ok(
            "zhou.qiang",
            &format!("/payment request po:{po} invoice:B-7 amount:300400 due:2026-11-28"),
        )
        .await;
    assert!(text.contains("匹配") && text.contains("财务"), "{text}");
    assert_eq!(status(&d, 1).await, "pending");
    let prompts: Vec<_> = d
        .notes_of("zhao.min", "approval_prompt")
        .await
        .into_iter()
        .filter(|n| n.text.contains("PAY-000001"))
        .collect();
    assert_eq!(prompts.len(), 1);
    for fact in ["B-7", "300,000.00", "300,400.00", "Acme Furniture"] {
        assert!(
            prompts[0].text.contains(fact),
            "prompt lacks {fact}: {}",
            prompts[0].text
        );
    }
    let refused = d.refused("zhao.min", "/payment paid ref:PAY-000001").await;
    assert!(refused.contains("PAY-000001"), "{refused}");
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    // Above 200,000: management too.
    assert_eq!(status(&d, 1).await, "pending");
    d.ok("zhang.wei", "/approval approve ref:PAY-000001").await;
    assert_eq!(status(&d, 1).await, "approved");

    // Due in two days: finance is reminded; once overdue it is in finance's digest.
    let fire = bizdesk::store::to_ms(d.chat.desk.now());
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    bizdesk::procurement::payments::service::remind(&d.chat.desk, &mut conn, fire)
        .await
        .unwrap();
    drop(conn);
    let due = d.notes_of("grace.lin", "payable_due").await;
    assert_eq!(due.len(), 1);
    assert!(due[0].text.contains("PAY-000001") && due[0].text.contains("2026-11-28"));
    d.clock.advance(chrono::Duration::days(3));
    let fire = bizdesk::store::to_ms(d.chat.desk.now());
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    bizdesk::service::digests::daily(&d.chat.desk, &mut conn, fire)
        .await
        .unwrap();
    drop(conn);
    let digest = d.notes_of("zhao.min", "daily_digest").await;
    assert!(
        digest
            .iter()
            .any(|n| n.text.contains("逾期未付") && n.text.contains("PAY-000001")),
        "{digest:?}"
    );

    let (en, zh) = refusal(
        &d,
        "zhao.min",
        "/payment paid ref:PAY-000001 date:2026-12-31",
    )
    .await;
    assert!(en.contains("future") && zh.contains("晚于"), "{en} / {zh}");
    let (en, _) = refusal(&d, "zhao.min", "/payment paid ref:PAY-000001 amount:400000").await;
    assert!(en.contains("300,400.00"), "{en}");
    d.ok(
        "zhao.min",
        "/payment paid ref:PAY-000001 date:2026-11-28 amount:300400",
    )
    .await;
    assert_eq!(status(&d, 1).await, "paid");
    let list = d.ok("grace.lin", "/payment list status:paid").await;
    assert!(list.contains("PAY-000001"), "{list}");
}

#[tokio::test]
async fn bad_payment_requests_are_refused_in_both_languages_and_change_nothing() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    receive(&d, &po, 4, 0).await;
    d.ok(
        "huang.lei",
        &format!("/payment request po:{po} invoice:X-1 amount:400"),
    )
    .await;
    let before = (
        d.count("SELECT COUNT(*) FROM supplier_payments").await,
        d.count("SELECT COUNT(*) FROM outbox").await,
    );
    let cases = [
        (
            "/payment request po:PO-000009 invoice:X-2 amount:100",
            "PO-000009",
            "PO-000009",
        ),
        (
            &*format!("/payment request po:{po} invoice:\" X-1 \" amount:100"),
            "PAY-000001",
            "PAY-000001",
        ),
        (
            &*format!("/payment request po:{po} invoice:X-3 amount:100 due:2026-13-45"),
            "YYYY-MM-DD",
            "YYYY-MM-DD",
        ),
        (
            &*format!("/payment request po:{po} invoice:X-3 amount:-5"),
            "0",
            "0",
        ),
        (
            &*format!("/payment request po:{po} invoice:X-3 amount:100"),
            "PO-000001",
            "PO-000001",
        ),
        ("/payment show ref:PAY-000009", "PAY-000009", "PAY-000009"),
    ];
    for (line, en_has, zh_has) in cases {
        let (en, zh) = refusal(&d, "huang.lei", line).await;
        assert!(en.contains(en_has), "{line}: {en}");
        assert!(zh.contains(zh_has), "{line}: {zh}");
        assert_ne!(en, zh, "{line}");
    }
    // Only procurement and finance request payments.
    let no = d
        .refused(
            "tom.baker",
            &format!("/payment request po:{po} invoice:X-9 amount:100"),
        )
        .await;
    assert!(no.contains("/payment request"), "{no}");
    let after = (
        d.count("SELECT COUNT(*) FROM supplier_payments").await,
        d.count("SELECT COUNT(*) FROM outbox").await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn two_requests_at_once_never_claim_more_than_was_accepted() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    receive(&d, &po, 10, 0).await;
    let a = format!("/payment request po:{po} invoice:C-1 amount:1000");
    let b = format!("/payment request po:{po} invoice:C-2 amount:1000");
    let (ra, rb) = tokio::join!(d.run("huang.lei", &a), d.run("zhou.qiang", &b));
    assert!(
        ra.ok != rb.ok,
        "exactly one claims it: {} / {}",
        ra.text,
        rb.text
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM supplier_payments WHERE status = 'pending'")
            .await,
        1
    );
    // One invoice number twice at once: one of them is told which request has it.
    let c = format!("/payment request po:{po} invoice:D-1 amount:1");
    let (rc, rd) = tokio::join!(d.run("huang.lei", &c), d.run("zhou.qiang", &c));
    assert!(!rc.ok || !rd.ok);
    assert!(
        d.count("SELECT COUNT(*) FROM supplier_payments WHERE invoice = 'D-1'")
            .await
            <= 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_discord_finance_overrides_a_mismatch_with_the_prompts_button_and_a_reason() {
    use crate::discord_support::{content, Bot};
    use serde_json::json;
    let bot = Bot::start().await;
    bot.submit("tom.baker", "Office desk", 10, "1000").await;
    for who in ["wang.fang", "chen.jie"] {
        let p = bot.prompt(who, "REQ-000001").await;
        bot.click(who, &p, 0).await;
    }
    let po = insert_sent_po(bot.chat.desk.store.pool(), "REQ-000001", 10, 1000).await;
    let r = bot
        .slash(
            "tom.baker",
            "en-US",
            "receipt",
            Some("new"),
            vec![
                ("po", json!(po)),
                ("accepted", json!(5)),
                ("rejected", json!(5)),
                ("reason", json!("cracked")),
            ],
        )
        .await;
    assert!(content(&r).contains("GR-000001"), "{r}");
    let r = bot
        .slash(
            "huang.lei",
            "zh-CN",
            "payment",
            Some("request"),
            vec![
                ("po", json!(po)),
                ("invoice", json!("INV-9")),
                ("amount", json!("10000")),
            ],
        )
        .await;
    assert!(content(&r).contains("PAY-000001"), "{r}");
    let dm = bot
        .dm("zhao.min", |m| {
            m.text().contains("PAY-000001") && !m.custom_ids().is_empty()
        })
        .await;
    assert_eq!(
        dm.custom_ids(),
        [
            "pay:pay_accepted:1",
            "pay:hold:1",
            "pay:ask_supplier:1",
            "pay:override:1"
        ],
        "{}",
        dm.text()
    );
    assert!(dm.text().contains("5,000.00"), "{}", dm.text());
    let modal = bot.click("zhao.min", &dm, 3).await;
    assert_eq!(modal["type"], 9, "Override asks why: {modal}");
    let r = bot.answer_modal("zhao.min", &modal, "freight agreed").await;
    assert!(content(&r).contains("审批中"), "{r}");
    let (st, approved): (String, i64) =
        sqlx::query_as("SELECT status, approved_minor FROM supplier_payments WHERE id = 1")
            .fetch_one(bot.chat.desk.store.pool())
            .await
            .unwrap();
    // The override goes to the [payment] approval at 10,000.00 (finance only, below 200,000).
    assert_eq!((st.as_str(), approved), ("pending", 1_000_000));
    bot.stop().await;
}
