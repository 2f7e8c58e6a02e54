//! The audit trail proves itself, and names the first row changed behind bizdesk's back.

use crate::common;
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

/// Rewrites the chain from `from` on with plain SHA-256 hashes, as someone holding the
/// database (or a backup) but not the key file could; `change` edits each event first.
async fn rechain_plain(
    d: &common::TestDesk,
    from: i64,
    change: impl Fn(&mut bizdesk::domain::audit::AuditEvent),
) -> i64 {
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    let events = bizdesk::store::audit::page(&mut conn, 0, i64::MIN, 10_000)
        .await
        .unwrap();
    drop(conn);
    let mut prev = bizdesk::domain::audit::GENESIS.to_string();
    for s in &events {
        if s.event.seq < from {
            prev = s.hash.clone();
            continue;
        }
        let mut e = s.event.clone();
        change(&mut e);
        let hash = e.hash(&prev);
        sqlx::query(
            "UPDATE audit_events SET summary = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&e.summary)
        .bind(&prev)
        .bind(&hash)
        .bind(e.seq)
        .execute(d.chat.desk.store.pool())
        .await
        .unwrap();
        prev = hash;
    }
    let head = events.last().unwrap().event.seq;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(d.chat.desk.store.pool())
        .await
        .unwrap();
    head
}

#[tokio::test]
async fn a_rewrite_with_recomputed_plain_hashes_is_caught() {
    let d = desk_with_history().await;
    rechain_plain(&d, 3, |e| {
        if e.seq == 3 {
            e.summary = "Chair x 200".into();
        }
    })
    .await;
    let fault = audit::verify(&d.chat.desk).await.unwrap().unwrap_err();
    assert_eq!(fault.seq(), 3, "{fault:?}");
}

#[tokio::test]
async fn a_missing_or_foreign_key_file_is_a_clear_error_not_a_new_key() {
    let d = desk_with_history().await;
    d.chat.desk.store.close().await;
    let key_file = d.config.security.key_file.clone();
    let kept = std::fs::read_to_string(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let err = format!("{:#}", bizdesk::app::open(&d.config).await.unwrap_err());
    assert!(
        err.contains("is missing") && err.contains("security.key_file"),
        "{err}"
    );
    assert!(!key_file.exists(), "no new key was made");

    let foreign = bizdesk::store::keys::Keys::generate(None);
    assert!(foreign.write_new(&key_file).unwrap());
    let err = format!("{:#}", bizdesk::app::open(&d.config).await.unwrap_err());
    assert!(err.contains("does not belong to this database"), "{err}");

    std::fs::remove_file(&key_file).unwrap();
    std::fs::write(&key_file, kept).unwrap();
    let chat = bizdesk::app::open(&d.config).await.unwrap();
    assert_eq!(
        audit::verify(&chat.desk).await.unwrap().map(|v| v.events),
        Ok(5)
    );
}

/// A database from before key files: plain SHA-256 chain, the link-signing key in `secrets`.
#[tokio::test]
async fn an_older_database_is_keyed_from_the_next_event_and_keeps_its_links() {
    let d = desk_with_history().await;
    rechain_plain(&d, 1, |_| {}).await;
    d.sql("UPDATE audit_head SET keyed_from = NULL, keyed_check = NULL WHERE id = 1")
        .await;
    d.sql("INSERT INTO secrets (name, value) VALUES ('satisfaction', '00112233445566778899aabbccddeeff')")
        .await;
    d.chat.desk.store.close().await;
    std::fs::remove_file(&d.config.security.key_file).unwrap();

    let chat = bizdesk::app::open(&d.config).await.unwrap();
    let v = audit::verify(&chat.desk).await.unwrap().unwrap();
    assert_eq!(v.events, 6, "the upgrade is recorded as event 6");
    let mut conn = chat.desk.store.pool().acquire().await.unwrap();
    let last = bizdesk::store::audit::for_subject(&mut conn, "audit")
        .await
        .unwrap();
    assert_eq!(last[0].event.action, "audit.keyed");
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM secrets")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(left, 0, "no key stays in the database");
    drop(conn);
    // The old key moved to the key file, to check links it signed until they expire.
    let keys = chat.desk.keys.clone();
    let (old, until) = keys.satisfaction_previous.clone().unwrap();
    assert_eq!(hex::encode(&old), "00112233445566778899aabbccddeeff");
    assert!(until > bizdesk::clock::Clock::now(&d.clock).timestamp_millis());
    assert_ne!(keys.satisfaction, old, "new links get a new key");
}
