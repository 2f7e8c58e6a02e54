//! Prompt buttons decide exactly the task they were sent for, once, whoever clicks how often.

use crate::common;
use bizdesk::chat::Action;
use common::{spawn_desk, spawn_desk_with, TestDesk};

/// The buttons of the newest prompt waiting for `handle`.
async fn prompt_buttons(d: &TestDesk, handle: &str) -> Vec<Action> {
    let notes = d.notifications(handle).await;
    let (_, prompt) = notes
        .iter()
        .rev()
        .find(|(k, _)| k == "approval_prompt")
        .expect("a prompt");
    prompt.actions.clone()
}

async fn press(
    d: &TestDesk,
    handle: &str,
    action: &Action,
    comment: Option<&str>,
) -> bizdesk::chat::Reply {
    let actor = d.employee(handle).await;
    d.chat.press(&actor, action, comment).await
}

#[tokio::test]
async fn a_double_click_on_a_stage_one_prompt_never_decides_stage_two() {
    let d = spawn_desk().await;
    // Liu Yang (central office) requests: Chen Jie heads BCMO (stage 1) and is the only other
    // central-office member (stage 2).
    let r = d.submit("liu.yang", "Scanner", 1, "2000").await;
    let approve = prompt_buttons(&d, "chen.jie").await[0].clone();
    let first = press(&d, "chen.jie", &approve, None).await;
    assert!(first.ok, "{}", first.text);
    let second = press(&d, "chen.jie", &approve, None).await;
    assert!(
        !second.ok,
        "the second click must not approve stage 2: {}",
        second.text
    );
    let story = d.requisition("liu.yang", &r).await;
    assert_eq!(
        story.requisition.status,
        bizdesk::approval::domain::ApprovalStatus::Pending
    );
    // Stage 2 is decided from its own prompt.
    let stage2 = prompt_buttons(&d, "chen.jie").await[0].clone();
    assert_ne!(stage2.task_id, approve.task_id);
    assert!(press(&d, "chen.jie", &stage2, None).await.ok);
}

#[tokio::test]
async fn an_old_button_cannot_approve_a_resubmitted_round() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Phone", 1, "4000").await;
    let old = prompt_buttons(&d, "wang.fang").await;
    let changes = press(&d, "wang.fang", &old[2], Some("cheaper model please")).await;
    assert!(changes.ok, "{}", changes.text);
    d.ok(
        "tom.baker",
        &format!("/requisition resubmit ref:{r} unit_price:2500"),
    )
    .await;
    let reply = press(&d, "wang.fang", &old[0], None).await;
    assert!(!reply.ok && reply.text.contains("上一轮"), "{}", reply.text);
    // The new round's prompt works.
    let fresh = prompt_buttons(&d, "wang.fang").await;
    assert!(press(&d, "wang.fang", &fresh[0], None).await.ok);
}

#[tokio::test]
async fn reject_from_a_button_needs_its_reason_and_records_it() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Sofa", 1, "7000").await;
    let buttons = prompt_buttons(&d, "wang.fang").await;
    assert!(buttons[1].needs_comment && buttons[1].custom_id.len() <= 100);
    assert!(!press(&d, "wang.fang", &buttons[1], None).await.ok);
    assert!(!press(&d, "wang.fang", &buttons[1], Some("  ")).await.ok);
    assert!(
        press(&d, "wang.fang", &buttons[1], Some("no sofas"))
            .await
            .ok
    );
    let story = d
        .ok("tom.baker", &format!("/requisition show ref:{r}"))
        .await;
    assert!(
        story.contains("no sofas") && story.contains("rejected"),
        "{story}"
    );
}

const ALL_OF_BCMO: &str = r#"
[requisition]
[[requisition.stages]]
name = "Central office, everyone"
approvers = ["role:bcmo", "user:zhao.min"]
mode = "all"
"#;

#[tokio::test]
async fn a_delegate_gets_one_vote_per_stage() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("workflows.toml");
    std::fs::write(&policy, ALL_OF_BCMO).unwrap();
    let d = spawn_desk_with(|c| c.workflows.file = policy.clone()).await;
    // Liu Yang stands in for Chen Jie; both are approvers of one `all` stage.
    d.ok("chen.jie", "/delegate to:liu.yang until:2026-12-31")
        .await;
    let r = d.submit("tom.baker", "Server", 1, "30000").await;
    d.ok("liu.yang", &format!("/approval approve ref:{r}"))
        .await;
    let again = d
        .refused("liu.yang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(again.contains(&r), "{again}");
    // Chen's own vote is still needed, and Zhao Min's.
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    let last = d
        .ok("zhao.min", &format!("/approval approve ref:{r}"))
        .await;
    assert!(last.contains("已批准"), "{last}");
}

#[tokio::test]
async fn in_an_all_stage_the_deciders_own_prompt_closes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("workflows.toml");
    std::fs::write(&policy, ALL_OF_BCMO).unwrap();
    let d = spawn_desk_with(|c| c.workflows.file = policy.clone()).await;
    let r = d.submit("tom.baker", "Rack", 1, "9000").await;
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    let chen = d.notifications("chen.jie").await;
    assert_eq!(
        chen.last().map(|(k, _)| k.as_str()),
        Some("prompt_closed"),
        "{chen:?}"
    );
    let liu = d.notifications("liu.yang").await;
    assert!(
        liu.iter().all(|(k, _)| k != "prompt_closed"),
        "others' prompts stay open: {liu:?}"
    );
    // When the stage ends, each prompt is closed exactly once.
    d.ok("liu.yang", &format!("/approval approve ref:{r}"))
        .await;
    d.ok("zhao.min", &format!("/approval approve ref:{r}"))
        .await;
    let chen = d.notifications("chen.jie").await;
    assert_eq!(
        chen.iter().filter(|(k, _)| k == "prompt_closed").count(),
        1,
        "{chen:?}"
    );
}

#[tokio::test]
async fn a_delegate_receives_the_prompt_and_its_button_decides_on_behalf() {
    let d = spawn_desk().await;
    d.ok("wang.fang", "/delegate to:emily.chen until:2026-12-10")
        .await;
    let r = d.submit("tom.baker", "Keyboard", 1, "300").await;
    let notes = d.notifications("emily.chen").await;
    let (_, prompt) = notes
        .iter()
        .find(|(k, _)| k == "approval_prompt")
        .expect("the delegate is prompted");
    assert!(prompt.text.contains("for 王芳"), "{}", prompt.text);
    let reply = press(&d, "emily.chen", &prompt.actions[0], None).await;
    assert!(
        reply.ok && reply.text.contains("on behalf of 王芳"),
        "{}",
        reply.text
    );
    // Both copies of the prompt (the head's and the delegate's) are closed.
    for who in ["wang.fang", "emily.chen"] {
        let n = d.notifications(who).await;
        assert!(n.iter().any(|(k, _)| k == "prompt_closed"), "{who}: {n:?}");
    }
    let story = d
        .ok("tom.baker", &format!("/requisition show ref:{r}"))
        .await;
    assert!(story.contains("Emily Chen on behalf of 王芳"), "{story}");
    // The requester is never prompted as someone's delegate for their own request.
    d.ok("wang.fang", "/delegate to:tom.baker until:2026-12-10")
        .await;
    d.submit("tom.baker", "Mouse", 1, "80").await;
    assert!(d
        .notifications("tom.baker")
        .await
        .iter()
        .all(|(k, _)| k != "approval_prompt"));
}
