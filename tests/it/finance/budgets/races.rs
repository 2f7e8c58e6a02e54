//! Budget changes racing each other (on PostgreSQL they really run at once): one round per
//! year, one pending revision per line.

use crate::common::spawn_desk;
use crate::finance::ledger::budget_in_force;

#[tokio::test]
async fn two_openings_of_one_year_at_once_make_one_round_and_a_clear_refusal() {
    let d = spawn_desk().await;
    let (a, b) = tokio::join!(
        d.run("grace.lin", "/budget round open year:2027 due:2026-12-15"),
        d.run("zhao.min", "/budget round open year:2027 due:2026-12-15"),
    );
    assert!(a.ok != b.ok, "{} / {}", a.text, b.text);
    assert!(!a.internal && !b.internal, "{} / {}", a.text, b.text);
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_rounds").await, 1);
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_drafts").await, 8);
}

#[tokio::test]
async fn two_revisions_of_one_line_at_once_leave_one_pending() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "it", "2026", 120_000)]).await;
    let (a, b) = tokio::join!(
        d.run(
            "wang.fang",
            "/budget revise department:SAL category:it amount:150000 reason:\"hires\"",
        ),
        d.run(
            "zhao.min",
            "/budget revise department:SAL category:it amount:140000 reason:\"hires\"",
        ),
    );
    assert!(a.ok != b.ok, "{} / {}", a.text, b.text);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budgets WHERE status = 'pending'")
            .await,
        1
    );
}
