//! Revisions of a line in force: approved (the allocation changes, history kept), rejected
//! (nothing changes), or adding a line the budget did not have.

use crate::common::spawn_desk;
use crate::finance::ledger::budget_in_force;

#[tokio::test]
async fn an_approved_revision_changes_the_allocation_with_history_and_a_rejected_one_nothing() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "it", "2026", 120_000)]).await;
    let r = d
        .run(
            "wang.fang",
            "/budget revise department:SAL category:it amount:150000 reason:\"two new hires\"",
        )
        .await;
    assert!(r.ok, "{}", r.text);
    assert_eq!(
        r.reference.map(|r| r.to_string()).as_deref(),
        Some("BUD-000001")
    );
    let pending = d
        .refused(
            "zhao.min",
            "/budget revise department:SAL category:it amount:140000 reason:\"less\"",
        )
        .await;
    assert!(pending.contains("BUD-000001"), "{pending}");
    let before = d.ok("zhao.min", "/budget status department:SAL").await;
    assert!(before.contains("120,000.00"), "{before}");
    // Management's prompt says what the line already holds and what would be left.
    let prompt = &d.notes_of("zhang.wei", "approval_prompt").await[0].text;
    assert!(
        prompt.contains("已使用 · 当前可用 → 调整后可用") && prompt.contains("150,000.00 CNY"),
        "{prompt}"
    );

    d.ok("zhang.wei", "/approval approve ref:BUD-000001").await;
    let after = d.ok("zhao.min", "/budget status department:SAL").await;
    assert!(after.contains("150,000.00"), "{after}");
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_line_history").await, 1);
    let shown = d
        .ok("wang.fang", "/budget show department:SAL year:2026")
        .await;
    for part in ["BUD-000001", "120,000.00", "150,000.00", "two new hires"] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }

    // Rejected: nothing changes.
    d.ok(
        "zhao.min",
        "/budget revise department:SAL category:it amount:200000 reason:\"more\"",
    )
    .await;
    d.ok(
        "zhang.wei",
        "/approval reject ref:BUD-000002 comment:\"no\"",
    )
    .await;
    let after = d.ok("zhao.min", "/budget status department:SAL").await;
    assert!(
        after.contains("150,000.00") && !after.contains("200,000.00"),
        "{after}"
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_line_history").await, 1);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budgets WHERE status = 'rejected'")
            .await,
        1
    );

    // A line the budget did not have is created by an approved revision.
    d.ok(
        "zhao.min",
        "/budget revise department:SAL category:travel amount:5000 reason:\"fairs\"",
    )
    .await;
    d.ok("zhang.wei", "/approval approve ref:BUD-000003").await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'budget.revised'")
            .await,
        2,
        "each approved revision is in the trail"
    );
    let travel = d
        .count("SELECT amount_minor FROM budget_lines WHERE category = 'travel'")
        .await;
    assert_eq!(travel, 500_000);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'budget.revise'")
            .await,
        3
    );
}
