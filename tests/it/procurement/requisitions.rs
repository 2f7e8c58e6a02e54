//! A requisition's life as users live it, through the console's command path.

use crate::common;
use bizdesk::approval::domain::ApprovalStatus;
use common::spawn_desk;

#[tokio::test]
async fn a_large_requisition_goes_head_bcmo_finance_and_the_story_is_told() {
    let d = spawn_desk().await;
    let text = d.ok("tom.baker", "/requisition new item:\"ThinkPad X1\" quantity:2 unit_price:40000 reason:\"new hires\" category:it").await;
    assert!(
        text.contains("REQ-000001") && text.contains("80,000.00 CNY"),
        "{text}"
    );
    assert!(
        text.contains("Department head") && text.contains("王芳"),
        "{text}"
    );

    // The head got a prompt with three buttons; the requester nothing yet.
    let prompts = d.notifications("wang.fang").await;
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].0, "approval_prompt");
    assert_eq!(prompts[0].1.actions.len(), 3);
    let lines: Vec<&str> = prompts[0].1.text.lines().collect();
    assert!(
        lines[0].ends_with("部门负责人审批"),
        "heading on its own line: {lines:?}"
    );
    assert!(
        lines[1].starts_with("ThinkPad X1 × 2 · 80,000.00 CNY"),
        "{lines:?}"
    );
    assert!(prompts[0].1.actions[0].custom_id.len() <= 100);

    d.ok("wang.fang", "/approval approve ref:REQ-000001").await;
    // A double click after the stage moved on hears back the decision, and changes nothing.
    let again = d
        .refused("wang.fang", "/approval approve ref:REQ-000001")
        .await;
    assert!(again.contains("已批准"), "{again}");
    let text = d
        .ok(
            "chen.jie",
            "/approval approve ref:REQ-000001 comment:\"budgeted\"",
        )
        .await;
    assert!(
        text.contains("财务"),
        "the reply names the next stage: {text}"
    );
    // The central office's approval ended its stage: the requisition waits on Finance.
    let story = d.requisition("tom.baker", "REQ-000001").await;
    assert_eq!(story.requisition.status, ApprovalStatus::Pending);
    assert_eq!(d.inbox("zhao.min").await, ["REQ-000001"]);
    assert!(d.inbox("liu.yang").await.is_empty());
    // BCMO's other member's prompt was closed, not left dangling.
    let liu = d.notifications("liu.yang").await;
    assert!(liu.iter().any(|(k, _)| k == "prompt_closed"), "{liu:?}");
    d.ok("zhao.min", "/approval approve ref:REQ-000001").await;
    let story = d.requisition("tom.baker", "REQ-000001").await;
    assert_eq!(story.requisition.status, ApprovalStatus::Approved);
    assert!(d.inbox("zhao.min").await.is_empty());

    let story = d.ok("tom.baker", "/requisition show ref:REQ-000001").await;
    for expect in [
        "approved",
        "Department head",
        "Central office",
        "Finance",
        "“budgeted”",
        "ThinkPad X1",
        "new hires",
    ] {
        assert!(story.contains(expect), "show lacks {expect}:\n{story}");
    }
    let outcome = d.notifications("tom.baker").await;
    let kinds: Vec<_> = outcome.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["stage_passed", "stage_passed", "request_outcome"]);
    assert!(
        outcome[2].1.text.contains("is approved"),
        "{}",
        outcome[2].1.text
    );
}

#[tokio::test]
async fn a_small_requisition_ends_after_the_central_office() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Toner", 3, "1000").await;
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    let text = d
        .ok("liu.yang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(text.contains("已批准"), "{text}");
    let story = d
        .ok("tom.baker", &format!("/requisition show ref:{r}"))
        .await;
    assert!(story.contains("Finance — skipped"), "{story}");
    assert!(d.notifications("zhao.min").await.is_empty());
}

#[tokio::test]
async fn a_rejection_needs_a_comment_and_reaches_the_requester() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Gaming chair", 1, "9000").await;
    let msg = d
        .refused("wang.fang", &format!("/approval reject ref:{r}"))
        .await;
    assert!(
        msg.contains("意见"),
        "the reason is asked for in the approver's language: {msg}"
    );
    d.ok(
        "wang.fang",
        &format!("/approval reject ref:{r} comment:\"not in budget\""),
    )
    .await;
    let notes = d.notifications("tom.baker").await;
    assert!(
        notes
            .iter()
            .any(|(k, n)| k == "request_outcome" && n.text.contains("not in budget")),
        "{notes:?}"
    );
    let text = d.ok("tom.baker", "/requisition list").await;
    assert!(text.contains("rejected"), "{text}");
    // A decided round stays decided, and says who decided it.
    let again = d
        .refused("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    assert!(
        again.contains("已驳回") && again.contains("王芳"),
        "{again}"
    );
}

#[tokio::test]
async fn changes_requested_then_resubmitted_keeps_both_rounds() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Monitor", 2, "3000").await;
    d.refused("wang.fang", &format!("/approval changes ref:{r}"))
        .await;
    d.ok(
        "wang.fang",
        &format!("/approval changes ref:{r} comment:\"one is enough\""),
    )
    .await;
    let notes = d.notifications("tom.baker").await;
    assert!(
        notes
            .iter()
            .any(|(_, n)| n.text.contains("one is enough") && n.text.contains("resubmit")),
        "{notes:?}"
    );
    // Only the requester can resubmit, and only what was returned.
    d.refused(
        "li.na",
        &format!("/requisition resubmit ref:{r} quantity:1"),
    )
    .await;
    let text = d
        .ok(
            "tom.baker",
            &format!("/requisition resubmit ref:{r} quantity:1"),
        )
        .await;
    assert!(
        text.contains("round 2") && text.contains("3,000.00 CNY"),
        "{text}"
    );
    d.ok("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    let story = d
        .ok("tom.baker", &format!("/requisition show ref:{r}"))
        .await;
    assert!(story.contains("Round 1 — changes requested"), "{story}");
    assert!(story.contains("Round 2 — approved"), "{story}");
    assert!(story.contains("one is enough"), "{story}");
    d.refused(
        "tom.baker",
        &format!("/requisition resubmit ref:{r} quantity:3"),
    )
    .await;
}

#[tokio::test]
async fn a_heads_own_requisition_never_reaches_their_own_inbox() {
    let d = spawn_desk().await;
    let r = d.submit("wang.fang", "Projector", 1, "6000").await;
    assert!(d.inbox("wang.fang").await.is_empty());
    assert!(d.notifications("wang.fang").await.is_empty());
    let inbox = d.ok("zhang.wei", "/inbox").await;
    assert!(inbox.contains(&r), "the head's superior decides: {inbox}");
    let own = d
        .refused("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(own.contains(&r), "{own}");
}

#[tokio::test]
async fn only_assigned_approvers_decide() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Desk", 1, "2000").await;
    let msg = d
        .refused("li.na", &format!("/approval approve ref:{r}"))
        .await;
    assert!(msg.contains(&r), "{msg}");
    // The central office is not assigned until the head has decided.
    d.refused("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    d.refused("wang.fang", "/approval approve ref:REQ-999999")
        .await;
}

#[tokio::test]
async fn bad_options_get_clear_messages_all_at_once() {
    let d = spawn_desk().await;
    let en = |s: &str| s.to_string();
    let msg = d
        .refused(
            "tom.baker",
            "/requisition new item:x quantity:-3 unit_price:100",
        )
        .await;
    assert!(msg.contains("quantity") && msg.contains('1'), "{msg}");
    let msg = d
        .refused(
            "tom.baker",
            "/requisition new item:x quantity:abc unit_price:100",
        )
        .await;
    assert!(msg.contains("quantity") && msg.contains("abc"), "{msg}");
    let msg = d
        .refused(
            "tom.baker",
            "/requisition new item:x quantity:2 unit_price:1.234",
        )
        .await;
    assert!(msg.contains("1.234"), "{msg}");
    let msg = d
        .refused(
            "tom.baker",
            "/requisition new item:x quantity:abc unit_price:1.234 category:toys",
        )
        .await;
    assert!(msg.lines().count() >= 2, "every problem at once: {msg}");
    let msg = d
        .refused(
            "tom.baker",
            "/requisition new item:x quantity:1 unit_price:100 category:toys",
        )
        .await;
    assert!(msg.contains("toys") && msg.contains("it"), "{}", en(&msg));
    let msg = d
        .refused(
            "tom.baker",
            "/requisition new item:x quantity:1 unit_price:100 needed_by:2020-01-01",
        )
        .await;
    assert!(msg.contains("2020-01-01"), "{msg}");
    d.refused("tom.baker", "/requisition fly").await;
}

#[tokio::test]
async fn a_chinese_speaking_user_reads_chinese() {
    let d = spawn_desk().await;
    let text = d
        .ok(
            "li.na",
            "/requisition new item:笔记本电脑 quantity:1 unit_price:¥8000 reason:新员工",
        )
        .await;
    assert!(
        text.contains("采购申请") && text.contains("REQ-000001"),
        "{text}"
    );
    let msg = d
        .refused(
            "li.na",
            "/requisition new item:x quantity:abc unit_price:100",
        )
        .await;
    assert!(
        msg.contains("数量"),
        "option names are localized too: {msg}"
    );
    let prompt = d.notifications("wang.fang").await;
    assert!(
        prompt[0].1.text.contains("笔记本电脑") && prompt[0].1.actions[0].label == "同意",
        "{prompt:?}"
    );
}

#[tokio::test]
async fn withdrawing_closes_every_prompt_and_later_clicks_say_so() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Camera", 1, "5000").await;
    d.refused("li.na", &format!("/requisition withdraw ref:{r}"))
        .await;
    d.ok("tom.baker", &format!("/requisition withdraw ref:{r}"))
        .await;
    let head = d.notifications("wang.fang").await;
    assert_eq!(
        head.last().map(|(k, _)| k.as_str()),
        Some("prompt_closed"),
        "{head:?}"
    );
    let msg = d
        .refused("wang.fang", &format!("/approval approve ref:{r}"))
        .await;
    assert!(msg.contains("撤回"), "{msg}");
    d.refused("tom.baker", &format!("/requisition withdraw ref:{r}"))
        .await;
    assert!(d
        .ok("tom.baker", "/requisition list status:withdrawn")
        .await
        .contains(&r));
}

#[tokio::test]
async fn a_delegate_decides_on_behalf_and_the_record_says_so() {
    let d = spawn_desk().await;
    d.refused("wang.fang", "/delegate to:wang.fang until:2026-12-10")
        .await;
    d.refused("wang.fang", "/delegate to:nobody.here until:2026-12-10")
        .await;
    d.refused("wang.fang", "/delegate to:li.na until:2026-01-10")
        .await;
    d.ok("wang.fang", "/delegate to:li.na until:2026-12-10")
        .await;
    let r = d.submit("tom.baker", "Headset", 1, "800").await;
    let inbox = d.ok("li.na", "/inbox").await;
    assert!(inbox.contains(&r) && inbox.contains("王芳"), "{inbox}");
    d.ok("li.na", &format!("/approval approve ref:{r}")).await;
    let story = d
        .ok("tom.baker", &format!("/requisition show ref:{r}"))
        .await;
    assert!(story.contains("李娜 on behalf of 王芳"), "{story}");
    // A delegate never decides their own request, even one routed to the person they stand in for.
    let own = d.submit("li.na", "Mouse", 1, "100").await;
    d.refused("li.na", &format!("/approval approve ref:{own}"))
        .await;
    assert!(!d.ok("li.na", "/inbox").await.contains(&own));
    // Delegation ends when told; then the delegate can no longer act.
    d.ok("wang.fang", "/delegate off").await;
    let r2 = d.submit("tom.baker", "Cable", 1, "50").await;
    d.refused("li.na", &format!("/approval approve ref:{r2}"))
        .await;
    // A delegation's range is honoured by the clock.
    d.ok(
        "wang.fang",
        "/delegate to:li.na from:2026-11-28 until:2026-11-30",
    )
    .await;
    d.refused("li.na", &format!("/approval approve ref:{r2}"))
        .await;
    d.clock.advance(chrono::Duration::days(2));
    d.ok("li.na", &format!("/approval approve ref:{r2}")).await;
}

#[tokio::test]
async fn inbox_lists_oldest_first_with_age() {
    let d = spawn_desk().await;
    let a = d.submit("tom.baker", "First", 1, "100").await;
    d.clock.advance(chrono::Duration::hours(5));
    let b = d.submit("li.na", "Second", 1, "100").await;
    d.clock.advance(chrono::Duration::minutes(30));
    let inbox = d.ok("wang.fang", "/inbox").await;
    let (pa, pb) = (inbox.find(&a).unwrap(), inbox.find(&b).unwrap());
    assert!(pa < pb, "{inbox}");
    assert!(inbox.contains("5小时30分钟"), "{inbox}");
}

#[tokio::test]
async fn only_people_involved_read_a_requisition() {
    let d = spawn_desk().await;
    let r = d.submit("tom.baker", "Tablet", 1, "3000").await;
    d.refused("xu.jing", &format!("/requisition show ref:{r}"))
        .await;
    d.ok("wang.fang", &format!("/requisition show ref:{r}"))
        .await;
    d.ok("liu.yang", &format!("/requisition show ref:{r}"))
        .await;
    d.refused("tom.baker", "/requisition show ref:INQ-000001")
        .await;
    let listing = d.ok("li.na", "/requisition list").await;
    assert!(
        !listing.contains(&r),
        "a list shows only one's own: {listing}"
    );
}

#[tokio::test]
async fn the_general_manager_can_submit_and_the_central_office_decides() {
    let d = spawn_desk().await;
    let text = d
        .ok(
            "zhang.wei",
            "/requisition new item:\"Car lease\" quantity:1 unit_price:20000",
        )
        .await;
    assert!(text.contains("陈杰") && text.contains("刘洋"), "{text}");
    let r = "REQ-000001";
    d.ok("chen.jie", &format!("/approval approve ref:{r}"))
        .await;
    let story = d
        .ok("zhang.wei", &format!("/requisition show ref:{r}"))
        .await;
    assert!(
        story.contains("不适用") && story.contains("已批准"),
        "{story}"
    );
}
