//! Goods receipts end to end: inspection reports, partial deliveries, supplier claims emailed
//! in the PO's thread, bad input in both languages, and two receipts at once.

use crate::common::{spawn_desk, TestDesk};
use bizdesk::commands::parse_line;
use bizdesk::domain::Locale;
use bizdesk::service::DeskError;

/// A PO in status `sent` for an approved requisition of tom.baker (Sales): `PO-…`.
pub async fn sent_po(d: &TestDesk, quantity: i64, unit_price: i64) -> String {
    let req = d
        .submit(
            "tom.baker",
            "Office desk",
            quantity,
            &unit_price.to_string(),
        )
        .await;
    d.ok("wang.fang", &format!("/approval approve ref:{req}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{req}"))
        .await;
    if quantity * unit_price >= 50_000 {
        d.ok("zhao.min", &format!("/approval approve ref:{req}"))
            .await;
    }
    insert_sent_po(d.chat.desk.store.pool(), &req, quantity, unit_price).await
}

/// THE stand-in for `/supplier` and `/po` (built in parallel): a qualified supplier
/// `sales@acme.example` (English) and a PO to it in status `sent` for requisition `req`
/// (tom.baker's, Sales), raised by huang.lei, due 2026-11-24, written with SQL. The merger
/// replaces this with the real commands.
pub async fn insert_sent_po(
    pool: &sqlx::AnyPool,
    req: &str,
    quantity: i64,
    unit_price: i64,
) -> String {
    let req_id: i64 = req.trim_start_matches("REQ-").parse().unwrap();
    let id_of = |handle: &'static str| async move {
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM employees WHERE handle = $1")
            .bind(handle)
            .fetch_one(pool)
            .await
            .unwrap();
        id
    };
    let (tom, buyer) = (id_of("tom.baker").await, id_of("huang.lei").await);
    sqlx::query(
        "INSERT INTO suppliers (name, company, email, locale, status, owner_id, created_at, updated_at) \
         SELECT 'Acme Furniture', 'Acme Ltd', 'sales@acme.example', 'en', 'qualified', $1, 0, 0 \
         WHERE NOT EXISTS (SELECT 1 FROM suppliers)",
    )
    .bind(buyer)
    .execute(pool)
    .await
    .unwrap();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO purchase_orders (requisition_id, supplier_id, requester_id, department_code, \
         buyer_id, item, quantity, unit_price_minor, total_minor, currency, delivery_on, status, \
         sent_at, created_at, updated_at) VALUES ($1, 1, $2, 'SAL', $3, 'Office desk', $4, $5, \
         $6, 'CNY', '2026-11-24', 'sent', 0, 0, 0) RETURNING id",
    )
    .bind(req_id)
    .bind(tom)
    .bind(buyer)
    .bind(quantity)
    .bind(unit_price * 100)
    .bind(quantity * unit_price * 100)
    .fetch_one(pool)
    .await
    .unwrap();
    format!("PO-{id:06}")
}

/// The PO's own email to the supplier, as the orders work sends it (already delivered).
async fn po_email(d: &TestDesk, po: &str) {
    d.sql(&format!(
        "INSERT INTO outbox (channel, address, kind, subject_ref, payload, status, attempts, \
         next_attempt_at, created_at, sent_at) VALUES ('email', 'sales@acme.example', \
         'purchase_order', '{po}', '{{}}', 'sent', 1, 0, 1, 1)"
    ))
    .await;
}

/// Runs `line` as `who`, which must be refused for bad input; its messages in English and in
/// Chinese.
pub async fn refusal(d: &TestDesk, who: &str, line: &str) -> (String, String) {
    let actor = d.employee(who).await;
    let msgs = match parse_line(&d.chat.catalog, line, &d.chat.parse_context()) {
        Err(msgs) => msgs,
        Ok(inv) => match d.chat.execute(&actor, &inv).await {
            Err(DeskError::User(msgs)) => msgs,
            other => panic!("{line}: should be refused, got {other:?}"),
        },
    };
    let text = |l| {
        msgs.iter()
            .map(|m| d.chat.renderer.msg(l, m))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (text(Locale::En), text(Locale::ZhCn))
}

#[tokio::test]
async fn a_half_rejected_delivery_opens_a_claim_emailed_in_the_pos_thread_until_resolved() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 1000).await;
    po_email(&d, &po).await;
    let text = d
        .ok(
            "tom.baker",
            &format!("/receipt new po:{po} accepted:5 rejected:5 reason:\"cracked legs\" attachment:https://photos.example/gr1.jpg"),
        )
        .await;
    for expect in [
        "GR-000001",
        "Accepted 5 · rejected 5: cracked legs",
        "2 day(s) late",
        "https://photos.example/gr1.jpg",
        "5 of 10 accepted, 5 still due",
        "Claim: open",
    ] {
        assert!(text.contains(expect), "lacks {expect}:\n{text}");
    }
    // The supplier's claim email is threaded with the PO's.
    let (id, address, subject_ref): (i64, String, String) =
        sqlx::query_as("SELECT id, address, subject_ref FROM outbox WHERE kind = 'supplier_claim'")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        (address.as_str(), subject_ref.as_str()),
        ("sales@acme.example", po.as_str())
    );
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    let thread = bizdesk::store::outbox::thread_before(&mut conn, &po, &address, id)
        .await
        .unwrap();
    assert_eq!(thread.len(), 1, "the PO's email heads the thread");
    drop(conn);
    d.send_all_email().await;
    let eml = std::fs::read_dir(&d.config.smtp.drop_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("supplier_claim.eml"))
        .expect("the claim email was written");
    let raw = std::fs::read(eml).unwrap();
    let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert!(m.subject().unwrap().contains(&po), "{:?}", m.subject());
    assert!(
        m.in_reply_to().as_text().is_some(),
        "threaded under the PO's email"
    );
    let body = m.body_text(0).unwrap();
    assert!(
        body.contains("5 rejected") && body.contains("cracked legs"),
        "{body}"
    );
    assert!(body.contains("replacement"), "{body}");

    // The central office hears of the claim; the requester (who recorded it) does not.
    let bcmo = d.notes_of("chen.jie", "receipt_claim").await;
    assert_eq!(bcmo.len(), 1);
    assert!(bcmo[0].text.contains("GR-000001") && bcmo[0].text.contains("cracked legs"));
    let open = d.ok("chen.jie", "/receipt list open:yes").await;
    assert!(open.contains("GR-000001"), "{open}");
    // The PO is still open for the rest; more than is due is refused.
    let refused = d
        .refused("tom.baker", &format!("/receipt new po:{po} accepted:6"))
        .await;
    assert!(
        refused.contains("5 still due") || refused.contains("has 5 still due"),
        "{refused}"
    );

    let text = d
        .ok(
            "chen.jie",
            "/receipt resolve ref:GR-000001 resolution:replacement note:\"5 more next week\"",
        )
        .await;
    assert!(text.contains("补货"), "{text}");
    assert_eq!(d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'supplier_claim' AND subject_ref = 'PO-000001'").await, 2);
    let told = d.notes_of("tom.baker", "receipt_claim").await;
    assert!(told.iter().any(|n| n.text.contains("resolved")), "{told:?}");
    let again = d
        .refused(
            "chen.jie",
            "/receipt resolve ref:GR-000001 resolution:credit",
        )
        .await;
    assert!(again.contains("GR-000001"), "{again}");

    // The replacements arrive: everything is accepted, the PO is received.
    let text = d
        .ok("tom.baker", &format!("/receipt new po:{po} accepted:5"))
        .await;
    assert!(text.contains("fully received"), "{text}");
    let status = d
        .count("SELECT COUNT(*) FROM purchase_orders WHERE status = 'received'")
        .await;
    assert_eq!(status, 1);
    let (en, _) = refusal(&d, "tom.baker", &format!("/receipt new po:{po} accepted:1")).await;
    assert!(en.contains("received"), "{en}");
    // Audit trail: no supplier address.
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE summary LIKE '%@%'")
            .await,
        0
    );
    assert_eq!(
        d.count(
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('receipt.new', 'receipt.resolve')"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn bad_receipts_are_refused_in_both_languages_and_change_nothing() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    let before = d.count("SELECT COUNT(*) FROM outbox").await;
    let cases = [
        (
            "/receipt new po:PO-000009 accepted:1",
            "PO-000009",
            "PO-000009",
        ),
        (
            &*format!("/receipt new po:{po} accepted:-1"),
            "accepted",
            "至少为 0",
        ),
        (
            &*format!("/receipt new po:{po} accepted:8 rejected:3 reason:bent"),
            "10",
            "10",
        ),
        (
            &*format!("/receipt new po:{po} accepted:0"),
            "at least one",
            "至少",
        ),
        (
            &*format!("/receipt new po:{po} accepted:1 rejected:1"),
            "reason",
            "原因",
        ),
        (
            &*format!("/receipt new po:{po} accepted:1 attachment:photo.jpg"),
            "https://",
            "https://",
        ),
        ("/receipt show ref:GR-000009", "GR-000009", "GR-000009"),
        (
            "/receipt resolve ref:GR-000001 resolution:refund",
            "refund",
            "refund",
        ),
    ];
    for (line, en_has, zh_has) in cases {
        let (en, zh) = refusal(&d, "tom.baker", line).await;
        assert!(en.contains(en_has), "{line}: {en}");
        assert!(zh.contains(zh_has), "{line}: {zh}");
        assert_ne!(en, zh, "{line}: told in each language");
    }
    // A Chinese-speaking colleague of the department reads it in Chinese.
    let zh = d
        .refused("li.na", &format!("/receipt new po:{po} accepted:11"))
        .await;
    assert!(zh.contains("尚有 10 未到货"), "{zh}");
    // Someone from another department (not an inspector or the central office) may not.
    let other = d
        .refused("huang.lei", &format!("/receipt new po:{po} accepted:1"))
        .await;
    assert!(other.contains("SAL"), "{other}");
    assert_eq!(d.count("SELECT COUNT(*) FROM receipts").await, 0);
    assert_eq!(d.count("SELECT COUNT(*) FROM outbox").await, before);
}

#[tokio::test]
async fn two_receipts_at_once_never_exceed_the_order() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    let line = format!("/receipt new po:{po} accepted:6");
    let (a, b) = tokio::join!(d.run("tom.baker", &line), d.run("chen.jie", &line));
    assert!(a.ok != b.ok, "exactly one fits: {} / {}", a.text, b.text);
    assert_eq!(
        d.count("SELECT CAST(SUM(accepted) AS BIGINT) FROM receipts")
            .await,
        6
    );
}

#[tokio::test]
async fn goods_credited_or_returned_are_no_longer_due() {
    let d = spawn_desk().await;
    let po = sent_po(&d, 10, 100).await;
    d.ok(
        "tom.baker",
        &format!("/receipt new po:{po} accepted:6 rejected:2 reason:dented"),
    )
    .await;
    d.ok(
        "tom.baker",
        "/receipt resolve ref:GR-000001 resolution:credit note:\"credit note CN-3\"",
    )
    .await;
    // Two credited are written off: two more complete the order.
    let refused = d
        .refused("tom.baker", &format!("/receipt new po:{po} accepted:3"))
        .await;
    assert!(refused.contains("has 2 still due"), "{refused}");
    d.ok(
        "tom.baker",
        &format!("/receipt new po:{po} accepted:1 rejected:1 reason:scratched"),
    )
    .await;
    let text = d
        .ok(
            "tom.baker",
            "/receipt resolve ref:GR-000002 resolution:return",
        )
        .await;
    assert!(
        text.contains("0 still due") && text.contains("fully received"),
        "{text}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM purchase_orders WHERE status = 'received'")
            .await,
        1
    );
}
