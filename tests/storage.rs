//! The storage story, run on whichever backend the suite runs on: the directory sync is
//! idempotent, keeps history's names, and the database survives reopening.

mod common;
use bizdesk::config::org::OrgFile;
use bizdesk::service::directory;
use common::spawn_desk;

const SAMPLE: &str = include_str!("../config/org.toml");

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
