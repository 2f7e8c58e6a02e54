//! The audit trail proves itself, and names the first row changed behind bizdesk's back.

mod common;
use bizdesk::service::audit;
use common::spawn_desk;

async fn desk_with_history() -> common::TestDesk {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Chair", 2, "700").await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    d
}

#[tokio::test]
async fn an_intact_chain_verifies() {
    let d = desk_with_history().await;
    // directory sync, submit, head approve, BCMO approve, final approval
    assert_eq!(
        audit::verify(&d.chat.desk).await.unwrap().map(|v| v.events),
        Ok(5)
    );
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let d = desk_with_history().await;
    d.sql("UPDATE audit_events SET summary = 'Chair x 200' WHERE seq = 3")
        .await;
    assert_eq!(
        audit::verify(&d.chat.desk)
            .await
            .unwrap()
            .unwrap_err()
            .seq(),
        3
    );
}

#[tokio::test]
async fn a_deleted_row_is_named() {
    let d = desk_with_history().await;
    d.sql("DELETE FROM audit_events WHERE seq = 2").await;
    assert_eq!(
        audit::verify(&d.chat.desk)
            .await
            .unwrap()
            .unwrap_err()
            .seq(),
        2
    );
}

#[tokio::test]
async fn an_inserted_or_trailing_row_is_named() {
    let d = desk_with_history().await;
    d.sql(
        "INSERT INTO audit_events (seq, at, actor, on_behalf_of, action, subject, summary, prev_hash, hash) \
         VALUES (6, 0, 'mallory', NULL, 'approval.approve', 'REQ-000001', 'x', 'y', 'z')",
    )
    .await;
    assert_eq!(
        audit::verify(&d.chat.desk)
            .await
            .unwrap()
            .unwrap_err()
            .seq(),
        6
    );
    // Cutting the newest event off is caught by the chain head.
    d.sql("DELETE FROM audit_events WHERE seq >= 5").await;
    assert_eq!(
        audit::verify(&d.chat.desk)
            .await
            .unwrap()
            .unwrap_err()
            .seq(),
        5
    );
}

#[tokio::test]
async fn export_writes_csv_with_on_behalf_of() {
    let d = spawn_desk().await;
    d.ok("wang.fang", "/delegate to:li.na until:2026-12-10")
        .await;
    let r = d.submit("tom.baker", "Lamp, desk", 1, "90").await;
    d.ok("li.na", &format!("/approval approve ref:{r}")).await;
    let mut out = Vec::new();
    let n = audit::export(&d.chat.desk, i64::MIN, &mut out)
        .await
        .unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert_eq!(csv.lines().count() as u64, n + 1, "{csv}");
    assert!(csv.starts_with("seq,time,actor,on_behalf_of,action,subject,summary,hash"));
    assert!(
        csv.contains("li.na,wang.fang,approval.approve,REQ-000001"),
        "{csv}"
    );
    assert!(csv.contains("\"Lamp, desk × 1 = 90.00 CNY\""), "{csv}");
    assert!(csv.contains("+08:00"), "times in the company's zone: {csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_while_others_append_never_reports_false_tampering() {
    let d = desk_with_history().await;
    let writer = {
        let d_chat = d.chat.clone();
        let tom = d.employee("tom.baker").await;
        tokio::spawn(async move {
            for i in 0..40 {
                let r = d_chat
                    .run_line(
                        &tom,
                        &format!("/requisition new item:\"Pen {i}\" quantity:1 unit_price:5"),
                    )
                    .await;
                assert!(r.ok, "{}", r.text);
            }
        })
    };
    for _ in 0..20 {
        let v = audit::verify(&d.chat.desk).await.unwrap();
        assert!(
            v.is_ok(),
            "a consistent snapshot never looks tampered: {v:?}"
        );
    }
    writer.await.unwrap();
    assert_eq!(
        audit::verify(&d.chat.desk).await.unwrap().map(|v| v.events),
        Ok(45)
    );
}
