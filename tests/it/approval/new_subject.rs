//! What adding an approval subject kind takes, shown by adding one: a `Subject` impl (here a
//! test order kind from outside the crate, on `GR-` references that no shipped subject
//! reviews), a policy section for its kind, and its registration. Nothing in
//! the engine, the transports or the shared templates knows about it, yet its prompts show
//! its headline and facts with the buttons it offers, its checks refuse what it does not
//! take, and the round's end reaches it. (docs/adding-a-subject.md walks through the files.)

use crate::common::spawn_desk;
use bizdesk::approval::decisions::{decide, decide_with, Target};
use bizdesk::approval::domain::{ApprovalStatus, Decision};
use bizdesk::approval::policy::{Policies, SubjectFacts};
use bizdesk::approval::service::{open_round, Progress, RoundSpec};
use bizdesk::approval::store::Approval;
use bizdesk::approval::subject::{Fact, Subject, Subjects, Summary, Verb};
use bizdesk::domain::directory::Employee;
use bizdesk::domain::reference::{RefKind, Reference};
use bizdesk::service::{Desk, DeskError, DeskResult};
use bizdesk::store::{self, Conn};
use futures::future::BoxFuture;
use std::sync::{Arc, Mutex};

/// How each round of the new kind ended, as its subject heard it (its "table").
static ENDED: Mutex<Vec<(i64, ApprovalStatus)>> = Mutex::new(Vec::new());

struct TestOrders;

impl Subject for TestOrders {
    fn kind(&self) -> &'static str {
        "test_order"
    }

    fn ref_kind(&self) -> RefKind {
        RefKind::GoodsReceipt
    }

    fn verbs(&self) -> &'static [Verb] {
        &[Verb::APPROVE, Verb::REJECT]
    }

    fn on_finished<'a>(
        &'a self,
        _conn: &'a mut Conn,
        approval: &'a Approval,
        status: ApprovalStatus,
        _now: i64,
    ) -> BoxFuture<'a, DeskResult<()>> {
        ENDED.lock().unwrap().push((approval.subject_id, status));
        Box::pin(async { Ok(()) })
    }

    fn may_read<'a>(
        &'a self,
        _desk: &'a Desk,
        _actor: &'a Employee,
        _reference: Reference,
    ) -> BoxFuture<'a, DeskResult<bool>> {
        Box::pin(async { Ok(true) })
    }
}

static SUBJECT: TestOrders = TestOrders;

const POLICY: &str = r#"
[test_order]
description = "A test order kind's review by the central office"

[[test_order.stages]]
name = "Central office review"
name_zh = "业务集中管理部门审核"
approvers = ["role:bcmo"]
"#;

#[tokio::test]
async fn a_new_subject_kind_needs_no_engine_change() {
    let mut d = spawn_desk().await;
    // Registration: the areas' subjects plus the new one, and its policy section.
    let shipped = bizdesk::registry::subjects();
    let mut all: Vec<&'static dyn Subject> =
        shipped.kinds().filter_map(|k| shipped.by_kind(k)).collect();
    all.push(&SUBJECT);
    let workflows = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/workflows.toml"
    ))
    .unwrap();
    let policies = Policies::from_toml(&format!("{workflows}\n{POLICY}")).unwrap();
    d.chat.desk.subjects = Arc::new(Subjects::new(&all));
    d.chat.desk.policies = Arc::new(policies);
    let desk = d.chat.desk.clone();

    // The area's service opens a round in its own transaction.
    let buyer = d.employee("huang.lei").await;
    let reference = Reference::new(RefKind::GoodsReceipt, 7).unwrap();
    let mut tx = desk.begin().await.unwrap();
    let dir = store::directory::load(&mut tx).await.unwrap();
    let spec = RoundSpec {
        subject: &SUBJECT,
        subject_id: 7,
        reference,
        round: 1,
        facts: SubjectFacts {
            requester: buyer.id,
            department: buyer.department.clone(),
            amount_minor: 4_000_000,
            category: None,
        },
        summary: Summary {
            headline: "Steel sheet × 40 · Baosteel".into(),
            total: "40,000.00 CNY".into(),
            facts: Fact::of("fact.notes", "Deliver by rail")
                .into_iter()
                .collect(),
        },
    };
    let progress = open_round(&mut tx, &desk, &spec, &buyer, &dir)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        matches!(progress, Progress::AtStage { ref stage, .. } if stage == "Central office review")
    );

    // Its prompt: headline, total and facts, and exactly the decisions it offers.
    let prompts = d.notifications("chen.jie").await;
    let (kind, prompt) = prompts.last().unwrap();
    assert_eq!(kind, "approval_prompt");
    assert!(prompt.text.contains("GR-000007"), "{}", prompt.text);
    assert!(
        prompt.text.contains("Steel sheet × 40 · Baosteel"),
        "{}",
        prompt.text
    );
    assert!(prompt.text.contains("40,000.00 CNY"), "{}", prompt.text);
    assert!(prompt.text.contains("Deliver by rail"), "{}", prompt.text);
    let ids: Vec<&str> = prompt
        .actions
        .iter()
        .map(|a| a.custom_id.as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids[0].starts_with("appr:approve:") && ids[1].starts_with("appr:reject:"));

    // Its checks: no changes requested, no grade.
    let officer = d.employee("chen.jie").await;
    let target = Target::Ref(reference);
    let refused = decide(&desk, &officer, target, Decision::Changes, Some("cheaper"))
        .await
        .unwrap_err();
    assert!(matches!(refused, DeskError::User(ref m) if m[0].key == "approval.not_offered"));
    let refused = decide_with(
        &desk,
        &officer,
        target,
        Decision::Approve,
        None,
        Some("high"),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, DeskError::User(ref m) if m[0].key == "approval.grade_not_here"));

    // The round's end reaches the subject.
    decide(&desk, &officer, target, Decision::Approve, None)
        .await
        .unwrap();
    assert!(ENDED
        .lock()
        .unwrap()
        .contains(&(7, ApprovalStatus::Approved)));
}
