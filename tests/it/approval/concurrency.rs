//! Races: concurrent decisions on one approval resolve to exactly one outcome, by
//! compare-and-set in the database, over real concurrent connections (SQLite file or
//! PostgreSQL, whichever the suite runs on).

use crate::common;
use bizdesk::approval::decisions::{decide, Target};
use bizdesk::approval::domain::Decision;
use bizdesk::domain::reference::Reference;
use bizdesk::service::DeskError;
use common::spawn_desk;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_central_office_approvers_clicking_at_once_yield_one_outcome() {
    let d = spawn_desk().await;
    // A second desk on the same database, as a second bizdesk process would have: its own
    // pools and connections, so the race crosses connections on SQLite too.
    let other = bizdesk::app::open_with_clock(&d.config, std::sync::Arc::new(d.clock.clone()))
        .await
        .unwrap();
    let desks = [d.chat.desk.clone(), other.desk.clone()];
    let chen = d.employee("chen.jie").await;
    let liu = d.employee("liu.yang").await;
    let mut refs = Vec::new();
    for i in 0..12 {
        let r = d.submit("tom.baker", &format!("Item {i}"), 1, "1000").await;
        d.ok("wang.fang", &format!("/approval approve ref:{r}"))
            .await;
        refs.push(r);
    }
    let mut handles = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        let reference = Reference::parse(r).unwrap();
        // Mix decisions so a wrong winner would show up as a wrong final status.
        let (a, b) = if i % 2 == 0 {
            (Decision::Approve, Decision::Reject)
        } else {
            (Decision::Reject, Decision::Approve)
        };
        for (k, (who, decision)) in [(chen.clone(), a), (liu.clone(), b), (chen.clone(), a)]
            .into_iter()
            .enumerate()
        {
            let desk = desks[(i + k) % 2].clone();
            handles.push(tokio::spawn(async move {
                decide(&desk, &who, Target::Ref(reference), decision, Some("race")).await
            }));
        }
    }
    let mut wins = 0;
    let mut refusals = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => wins += 1,
            Err(DeskError::User(m)) => {
                assert!(
                    [
                        "approval.closed",
                        "approval.already_decided",
                        "approval.stage_decided"
                    ]
                    .contains(&m[0].key),
                    "unexpected refusal {m:?}"
                );
                refusals += 1;
            }
            Err(e) => panic!("internal error in a race: {e:#}"),
        }
    }
    assert_eq!(wins, refs.len(), "exactly one decision wins per approval");
    assert_eq!(refusals, refs.len() * 2);
    let pool = d.chat.desk.store.pool();
    for r in &refs {
        let (decided,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM approval_tasks t JOIN approvals a ON a.id = t.approval_id \
             WHERE a.subject_ref = $1 AND t.decided_by IS NOT NULL",
        )
        .bind(r)
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(
            decided, 2,
            "{r}: the head's decision and exactly one central-office decision"
        );
        let (outcomes,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_events WHERE subject = $1 AND action IN ('approval.approved', 'approval.rejected')",
        )
        .bind(r)
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(outcomes, 1, "{r}: one final outcome in the audit trail");
    }
    match bizdesk::service::audit::verify(&d.chat.desk)
        .await
        .unwrap()
        .map(|v| v.events)
    {
        Ok(n) => assert!(n > 0),
        Err(f) => panic!("chain broken after races: {f:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_all_land_with_distinct_references() {
    let d = spawn_desk().await;
    let mut handles = Vec::new();
    for i in 0..24 {
        let who = if i % 2 == 0 { "tom.baker" } else { "li.na" };
        let actor = d.employee(who).await;
        let chat = d.chat.clone();
        handles.push(tokio::spawn(async move {
            chat.run_line(
                &actor,
                &format!("/requisition new item:\"Pen {i}\" quantity:1 unit_price:10"),
            )
            .await
        }));
    }
    for h in handles {
        let r = h.await.unwrap();
        assert!(r.ok, "{}", r.text);
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT id) FROM requisitions")
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 24);
    assert_eq!(
        bizdesk::service::audit::verify(&d.chat.desk)
            .await
            .unwrap()
            .map(|v| v.events),
        Ok(25)
    );
}
