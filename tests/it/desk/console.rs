//! The interactive console: notifications appear, buttons are numbered, and pressing one does
//! what the button would (asking for a reason where Discord shows a modal).

use crate::common;
use bizdesk::chat::console::Session;
use common::spawn_desk;
use std::time::Duration;

async fn session(d: &common::TestDesk, handle: &str, input: &str) -> String {
    let actor = d.employee(handle).await;
    let mut out = Vec::new();
    Session::new(&d.chat, actor)
        .run(input.as_bytes(), &mut out, Duration::from_secs(3600))
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn an_approver_sees_the_prompt_and_decides_by_number() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Whiteboard", 1, "1200").await;
    // Button 2 is Reject: it asks for the reason, then rejects with it.
    let out = session(&d, "emily.chen", "quit\n").await;
    assert!(!out.contains(&r), "not an approver, no prompt: {out}");
    let out = session(&d, "wang.fang", "2\ntoo expensive\nquit\n").await;
    assert!(
        out.contains("🔔")
            && out.contains(&r)
            && out.contains("[1] 同意   [2] 驳回   [3] 退回修改"),
        "{out}"
    );
    assert!(out.contains("理由"), "asked for a reason: {out}");
    assert!(out.contains("你驳回了"), "{out}");
    // Shown once: the next session has no new notification for that prompt, only its closing.
    let again = session(&d, "wang.fang", "quit\n").await;
    assert!(!again.contains("待审批"), "{again}");
    // The requester's session shows the outcome with the reason.
    let tom = session(&d, "tom.baker", "quit\n").await;
    assert!(
        tom.contains("rejected") && tom.contains("too expensive"),
        "{tom}"
    );
}

#[tokio::test]
async fn a_stale_reject_button_says_so_before_asking_for_a_reason() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Whiteboard", 1, "1200").await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    // Both central-office members get a prompt; Chen approves first by command.
    let prompts = d.notifications("liu.yang").await;
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    // Liu presses Reject (button 2 of the prompt shown before Chen decided): no reason is
    // asked for, and the reply names who decided.
    let input = "2\nquit\n";
    let actor = d.employee("liu.yang").await;
    let mut out = Vec::new();
    let mut s = Session::new(&d.chat, actor);
    s.run(input.as_bytes(), &mut out, Duration::from_secs(3600))
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        prompts[0].1.actions[1].task_id.is_some(),
        "prompt buttons carry their task"
    );
    assert!(
        !out.contains("理由（必填）"),
        "no reason asked for a stale button: {out}"
    );
    assert!(out.contains("陈杰"), "says who decided: {out}");
}

#[tokio::test]
async fn numbers_that_are_not_on_screen_are_explained() {
    let d = spawn_desk().await;
    let out = session(&d, "tom.baker", "7\n/whoami\nquit\n").await;
    assert!(out.contains("[7]"), "{out}");
    assert!(
        out.contains("Tom Baker (@tom.baker)") && out.contains("Sales"),
        "{out}"
    );
}

#[tokio::test]
async fn stored_text_cannot_recolour_or_fake_rows_on_a_console() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Whiteboard", 1, "1200").await;
    // As if stored before input was checked (or written by another tool).
    sqlx::query("UPDATE requisitions SET item = $1, reason = $2")
        .bind("\u{1b}[31mRED\u{1b}[0m\u{7}\nline2 [1] Approve\u{202E}")
        .bind("why\u{1b}[2J\n  [1] Approve")
        .execute(d.chat.desk.store.pool())
        .await
        .unwrap();
    let out = session(
        &d,
        "tom.baker",
        &format!("/requisition show ref:{r}\nquit\n"),
    )
    .await;
    assert!(!out.contains(['\u{1b}', '\u{7}', '\u{202E}']), "{out:?}");
    assert!(
        out.contains("^[[31mRED^[[0m^G ⏎ line2 [1] Approve"),
        "{out}"
    );
    // The multi-line reason keeps its line break, indented under it, never a row of its own.
    assert!(out.contains("why^[[2J\n      [1] Approve"), "{out}");
    assert!(
        !out.lines()
            .any(|l| l.starts_with("line2") || l.starts_with("  [1]")),
        "{out}"
    );
}
