//! The storage story, run on whichever backend the suite runs on: the directory sync is
//! idempotent, keeps history's names, and the database survives reopening.

use crate::common;
use bizdesk::config::org::OrgFile;
use bizdesk::service::directory;
use common::spawn_desk;
use std::path::Path;

const SAMPLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml"));

#[tokio::test]
async fn directory_sync_is_idempotent_and_deactivates_instead_of_deleting() {
    let d = spawn_desk().await;
    let org = OrgFile::parse(SAMPLE).unwrap();
    let again = directory::sync(&d.chat.desk, &org, "test").await.unwrap();
    assert!(again.is_empty(), "a second sync changes nothing: {again:?}");

    let r = d.submit("tom.baker", "Bag", 1, "100").await;
    // Tom leaves; Li Na changes department and language.
    let edited = SAMPLE
        .replace("handle = \"tom.baker\"", "handle = \"tom.gone\"")
        .replace(
            "department = \"SAL\"\nroles = [\"sales\"]\nlocale = \"zh-CN\"",
            "department = \"SVC\"\nroles = [\"service\"]\nlocale = \"en\"",
        );
    let org2 = OrgFile::parse(&edited).unwrap();
    let report = directory::sync(&d.chat.desk, &org2, "test").await.unwrap();
    assert_eq!(report.added, ["tom.gone"]);
    assert_eq!(report.deactivated, ["tom.baker"]);
    assert_eq!(report.changed, ["li.na"]);
    assert!(directory::actor_by_handle(&d.chat.desk, "tom.baker")
        .await
        .is_err());
    // History keeps the leaver's name.
    let story = d
        .ok("wang.fang", &format!("/requisition show ref:{r}"))
        .await;
    assert!(story.contains("Tom Baker"), "{story}");
    // And bringing him back reactivates the same person.
    let report = directory::sync(&d.chat.desk, &org, "test").await.unwrap();
    assert_eq!(report.reactivated, ["tom.baker"]);
    assert!(d.ok("tom.baker", "/requisition list").await.contains(&r));
}

#[tokio::test]
async fn reopening_the_database_keeps_everything_and_migrations_are_idempotent() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Stapler", 1, "30").await;
    d.chat.desk.store.close().await;
    let chat = bizdesk::app::open(&d.config).await.unwrap();
    let tom = directory::actor_by_handle(&chat.desk, "tom.baker")
        .await
        .unwrap();
    let reply = chat
        .run_line(&tom, &format!("/requisition show ref:{r}"))
        .await;
    assert!(reply.ok && reply.text.contains("Stapler"), "{}", reply.text);
}

/// The SQLite database, its -wal and -shm, backups and `.eml` files hold customer data: they
/// are readable by bizdesk's user only (0600), in folders it creates 0700, whatever the umask.
#[cfg(unix)]
#[tokio::test]
async fn database_backup_and_email_files_are_private() {
    use bizdesk::store::files::mode;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let db = data.join("bizdesk.db");
    let store = bizdesk::store::Store::open(&format!("sqlite://{}", db.display()), 2, 5000)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(store.pool())
        .await
        .unwrap();
    for f in ["bizdesk.db", "bizdesk.db-wal", "bizdesk.db-shm"] {
        assert_eq!(mode(&data.join(f)).unwrap(), 0o600, "{f}");
    }
    assert_eq!(mode(&data).unwrap(), 0o700);
    let backup = root.path().join("backups/b.db");
    bizdesk::store::backup::backup(&store, &backup)
        .await
        .unwrap();
    assert_eq!(mode(&backup).unwrap(), 0o600);
    assert_eq!(mode(backup.parent().unwrap()).unwrap(), 0o700);
    store.close().await;

    // A database made before bizdesk set modes is narrowed when opened.
    let old = root.path().join("old.db");
    std::fs::write(&old, b"").unwrap();
    std::fs::set_permissions(&old, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let store = bizdesk::store::Store::open(&format!("sqlite://{}", old.display()), 1, 5000)
        .await
        .unwrap();
    store.close().await;
    assert_eq!(mode(&old).unwrap(), 0o600);

    // Email drop files: private, and never written over one that exists (outbox ids come
    // again after a restore): the second takes the next free name.
    let mut smtp = bizdesk::config::Config::defaults().smtp;
    smtp.drop_dir = data.join("outbox");
    let mailer = bizdesk::mail::Mailer::from_config(&smtp, "Huaxin").unwrap();
    let message = |subject: &str| {
        lettre::Message::builder()
            .from("desk@example.com".parse().unwrap())
            .to("zj@huadong.cn".parse().unwrap())
            .subject(subject)
            .body(String::from("body"))
            .unwrap()
    };
    let first = mailer
        .send(message("first"), "7-inquiry_ack")
        .await
        .unwrap();
    let second = mailer
        .send(message("second"), "7-inquiry_ack")
        .await
        .unwrap();
    assert_ne!(first, second);
    assert!(std::fs::read_to_string(&first).unwrap().contains("first"));
    assert!(std::fs::read_to_string(&second).unwrap().contains("second"));
    assert!(second.ends_with("7-inquiry_ack-2.eml"), "{second}");
    for f in [&first, &second] {
        assert_eq!(mode(Path::new(f)).unwrap(), 0o600, "{f}");
    }
    assert_eq!(mode(&data.join("outbox")).unwrap(), 0o700);
}

/// The README tells operators to reach PostgreSQL over TLS (`sslmode=verify-full`): the
/// binary must speak TLS, and must refuse a server whose certificate it cannot check.
#[tokio::test]
async fn postgres_over_tls_works_and_verify_full_checks_the_certificate() {
    let Some(admin) = common::postgres() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = bizdesk::store::fresh::fresh_url(Some(&admin), dir.path(), "tls")
        .await
        .unwrap();
    let plain = bizdesk::store::Store::open(&url, 1, 5000).await.unwrap();
    let ssl_on: Result<(String,), _> = sqlx::query_as("SHOW ssl").fetch_one(plain.pool()).await;
    plain.close().await;
    if ssl_on.ok().map(|s| s.0).as_deref() != Some("on") {
        return;
    }
    // One connection each (a pool would retry the refused one until its timeout).
    use sqlx::Connection;
    let conn = sqlx::AnyConnection::connect(&format!("{url}?sslmode=require"))
        .await
        .expect("TLS to PostgreSQL");
    conn.close().await.unwrap();
    let err = sqlx::AnyConnection::connect(&format!("{url}?sslmode=verify-full"))
        .await
        .map(|_| ())
        .unwrap_err();
    let err = format!("{err:#}");
    assert!(!err.contains("without TLS support"), "{err}");
    bizdesk::store::fresh::drop_database(&admin, &url)
        .await
        .unwrap();
}
