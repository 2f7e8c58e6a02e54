//! Budget rounds as finance and the heads run them: a round opened, drafted, one draft
//! returned and fixed, consolidated and approved by management, its lines then allocated;
//! bad input refused with nothing written; who may draft and read; reminders and escalation
//! once each; a revision of a line in force approved (with history) or rejected.

use super::ledger::budget_in_force;
use crate::common::{spawn_desk, TestDesk};

mod delegates;
mod races;
mod revisions;

/// Every department and its head in the sample company.
const HEADS: &[(&str, &str)] = &[
    ("zhang.wei", "MGT"),
    ("chen.jie", "BCMO"),
    ("wang.fang", "SAL"),
    ("zhou.qiang", "PUR"),
    ("emily.chen", "SVC"),
    ("zhao.min", "FIN"),
    ("sun.li", "HR"),
    ("david.wu", "LEG"),
];

pub(super) const OPEN: &str = "/budget round open year:2027 due:2026-12-15";

async fn lines(d: &TestDesk) -> i64 {
    d.count("SELECT COUNT(*) FROM budget_lines").await
}

/// The amount of one line of the 2027 round (minor units), or -1 without it.
async fn line(d: &TestDesk, dept: &str, cat: &str) -> i64 {
    d.count(&format!(
        "SELECT COALESCE(MAX(l.amount_minor), -1) FROM budget_lines l JOIN budget_rounds r \
         ON r.id = l.round_id WHERE r.year = 2027 AND l.department_code = '{dept}' AND l.category = '{cat}'"
    ))
    .await
}

pub(super) async fn draft_status(d: &TestDesk, dept: &str) -> i64 {
    // 1 drafting, 2 submitted, 3 returned, 4 approved.
    d.count(&format!(
        "SELECT CASE status WHEN 'drafting' THEN 1 WHEN 'submitted' THEN 2 WHEN 'returned' THEN 3 \
         WHEN 'approved' THEN 4 ELSE 0 END FROM budget_drafts WHERE department_code = '{dept}'"
    ))
    .await
}

#[tokio::test]
async fn a_round_is_drafted_returned_fixed_consolidated_and_approved_into_force() {
    let d = spawn_desk().await;
    let text = d.ok("grace.lin", OPEN).await;
    assert!(text.contains("2026-12-15") && text.contains("8"), "{text}");
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_drafts").await, 8);
    // Each head is asked by DM, with an email copy for those who take prompts by email.
    let asked = d.notes_of("wang.fang", "budget_draft_request").await;
    assert_eq!(asked.len(), 1);
    assert!(asked[0].text.contains("2026-12-15"), "{}", asked[0].text);
    assert!(
        d.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'budget_draft_request' AND channel = 'email'"
        )
        .await
            >= 1
    );

    let text = d
        .ok(
            "wang.fang",
            "/budget draft department:SAL category:marketing amount:50000",
        )
        .await;
    assert!(text.contains("50,000.00"), "{text}");
    let text = d
        .ok(
            "wang.fang",
            "/budget draft department:销售部 category:差旅 amount:20000 note:\"trade fairs\"",
        )
        .await;
    assert!(
        text.contains("70,000.00") && text.contains("trade fairs"),
        "{text}"
    );
    // Changing a line replaces its amount; 0 removes it.
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:travel amount:25000",
    )
    .await;
    assert_eq!(line(&d, "SAL", "travel").await, 2_500_000);
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:it amount:1000",
    )
    .await;
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:it amount:0",
    )
    .await;
    assert_eq!(line(&d, "SAL", "it").await, -1);

    // Sending it before every department has submitted is refused, naming who is missing.
    for (head, dept) in HEADS {
        d.ok(
            head,
            &format!("/budget draft department:{dept} category:office amount:10000"),
        )
        .await;
        d.ok(head, &format!("/budget submit department:{dept}"))
            .await;
    }
    assert!(!d.notes_of("grace.lin", "budget_update").await.is_empty());
    // Finance returns PUR's draft with a comment; its head reads it, fixes and resubmits.
    d.ok(
        "grace.lin",
        "/budget return department:PUR comment:\"office supplies look high\"",
    )
    .await;
    assert_eq!(draft_status(&d, "PUR").await, 3);
    let told = d.notes_of("zhou.qiang", "budget_update").await;
    assert!(
        told.iter()
            .any(|n| n.text.contains("office supplies look high")),
        "{told:?}"
    );
    let missing = d
        .refused("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
    assert!(missing.contains("PUR"), "{missing}");
    assert_eq!(d.count("SELECT COUNT(*) FROM budgets").await, 0);
    d.ok(
        "zhou.qiang",
        "/budget draft department:PUR category:office amount:8000",
    )
    .await;
    d.ok("zhou.qiang", "/budget submit department:PUR").await;
    assert_eq!(draft_status(&d, "PUR").await, 2);

    // The side-by-side view with last year's actuals (a payment the ledger holds as spent),
    // then the consolidated budget to management.
    d.sql(
        "INSERT INTO budget_positions (doc, department_code, category, year, month, \
         requested_minor, committed_minor, spent_minor, updated_at) \
         VALUES ('PAY-000001', 'SAL', 'travel', 2026, 5, 0, 0, 321000, 0)",
    )
    .await;
    let table = d.ok("grace.lin", "/budget consolidate year:2027").await;
    assert!(table.contains("153,000.00"), "{table}");
    let sal = table
        .lines()
        .find(|l| l.contains("SAL"))
        .unwrap_or_default();
    assert!(sal.contains("3,210.00"), "{table}");
    let r = d
        .run("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
    assert!(r.ok, "{}", r.text);
    assert_eq!(
        r.reference.map(|r| r.to_string()).as_deref(),
        Some("BUD-000001")
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_rounds WHERE status = 'in_review'")
            .await,
        1
    );
    assert_eq!(d.inbox("zhang.wei").await, vec!["BUD-000001".to_string()]);
    // Nothing is allocated before management approves.
    let before = d
        .ok("zhao.min", "/budget status department:SAL year:2027")
        .await;
    assert!(!before.contains("50,000.00"), "{before}");

    d.ok("zhang.wei", "/approval approve ref:BUD-000001").await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_rounds WHERE status = 'in_force'")
            .await,
        1
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'budget.in_force'")
            .await,
        1,
        "the outcome's own event is in the trail"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_drafts WHERE status = 'approved'")
            .await,
        8
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budgets WHERE status = 'approved'")
            .await,
        1
    );
    assert!(d
        .notes_of("wang.fang", "budget_update")
        .await
        .iter()
        .any(|n| n.text.contains("BUD-000001")));
    let status = d.ok("wang.fang", "/budget status year:2027").await;
    for part in ["50,000.00", "25,000.00", "85,000.00"] {
        assert!(status.contains(part), "{part} not in {status}");
    }
    // The story of the approval, with management's decision.
    let story = d.ok("zhao.min", "/budget show ref:BUD-000001").await;
    assert!(story.contains("张伟") && story.contains("SAL"), "{story}");
    // The round is closed: no more drafting, and it cannot be reopened.
    d.refused(
        "wang.fang",
        "/budget draft department:SAL category:it amount:5",
    )
    .await;
    let closed = d.refused("grace.lin", OPEN).await;
    assert!(closed.contains("2027"), "{closed}");
    let events = d
        .count(
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('budget.round_open', \
             'budget.draft', 'budget.submit', 'budget.return', 'budget.consolidate_submit')",
        )
        .await;
    assert_eq!(events, 1 + 5 + 8 + 1 + 8 + 1 + 1 + 1);
}

/// Every head drafts one office line and submits it.
async fn all_submitted(d: &TestDesk) {
    for (head, dept) in HEADS {
        d.ok(
            head,
            &format!("/budget draft department:{dept} category:office amount:10000"),
        )
        .await;
        d.ok(head, &format!("/budget submit department:{dept}"))
            .await;
    }
}

#[tokio::test]
async fn a_budget_sent_back_by_management_returns_to_finance_and_goes_again() {
    let d = spawn_desk().await;
    d.ok("grace.lin", OPEN).await;
    all_submitted(&d).await;
    d.ok("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
    // While management decides, drafts stay as they are.
    d.refused("grace.lin", "/budget return department:SAL comment:x")
        .await;
    d.refused("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
    d.ok(
        "zhang.wei",
        "/approval changes ref:BUD-000001 comment:\"cut office supplies\"",
    )
    .await;
    // Back with finance: the round drafting, the drafts still submitted, nothing in force.
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_rounds WHERE status = 'drafting'")
            .await,
        1
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_drafts WHERE status = 'submitted'")
            .await,
        8
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budgets WHERE status = 'changes_requested'")
            .await,
        1
    );
    d.ok("grace.lin", "/budget return department:SAL comment:\"cut\"")
        .await;
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:office amount:5000",
    )
    .await;
    d.ok("wang.fang", "/budget submit department:SAL").await;
    let r = d
        .run("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
    assert!(r.ok && r.text.contains("75,000.00"), "{}", r.text);
    assert_eq!(
        r.reference.map(|r| r.to_string()).as_deref(),
        Some("BUD-000002")
    );
    d.ok("zhang.wei", "/approval approve ref:BUD-000002").await;
    assert_eq!(line(&d, "SAL", "office").await, 500_000);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_rounds WHERE status = 'in_force'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_department_that_gains_a_head_after_opening_must_submit_too() {
    let d = spawn_desk().await;
    d.ok("grace.lin", OPEN).await;
    all_submitted(&d).await;
    d.sql(
        "INSERT INTO departments (code, name, name_zh, head_handle, parent_code) \
         VALUES ('OPS', 'Operations', '运营部', 'ops.admin', 'MGT')",
    )
    .await;
    let missing = d
        .refused("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
    assert!(missing.contains("OPS"), "{missing}");
    d.ok(
        "ops.admin",
        "/budget draft department:OPS category:it amount:100",
    )
    .await;
    d.ok("ops.admin", "/budget submit department:OPS").await;
    d.ok("grace.lin", "/budget consolidate year:2027 submit:yes")
        .await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_message_and_changes_nothing() {
    let d = spawn_desk().await;
    // No round yet.
    let none = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:it amount:100",
        )
        .await;
    assert!(none.contains("/预算 轮次"), "{none}");
    let past = d
        .refused("grace.lin", "/budget round open year:2027 due:2026-11-01")
        .await;
    assert!(past.contains("2026-11-01"), "{past}");
    let far = d
        .refused("grace.lin", "/budget round open year:2035 due:2026-12-15")
        .await;
    assert!(far.contains("2035"), "{far}");
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_rounds").await, 0);
    d.ok("grace.lin", OPEN).await;

    let unknown = d
        .refused(
            "wang.fang",
            "/budget draft department:XYZ category:it amount:100",
        )
        .await;
    assert!(
        unknown.contains("XYZ") && unknown.contains("SAL"),
        "{unknown}"
    );
    let category = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:yachts amount:100",
        )
        .await;
    assert!(
        category.contains("yachts") && category.contains("marketing"),
        "{category}"
    );
    let negative = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:it amount:-100",
        )
        .await;
    assert!(!negative.is_empty());
    let currency = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:it amount:\"100 USD\"",
        )
        .await;
    assert!(currency.contains("CNY"), "{currency}");
    let period = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:it amount:100 period:Q1",
        )
        .await;
    assert!(period.contains("2027"), "{period}");
    let empty = d
        .refused("wang.fang", "/budget submit department:SAL")
        .await;
    assert!(empty.contains("SAL"), "{empty}");
    assert_eq!(lines(&d).await, 0);

    // After the due date a draft no longer changes.
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:it amount:100",
    )
    .await;
    d.clock.advance(chrono::Duration::days(20));
    let late = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:it amount:900",
        )
        .await;
    assert!(late.contains("2026-12-15"), "{late}");
    assert_eq!(line(&d, "SAL", "it").await, 10_000);
    assert_eq!(lines(&d).await, 1);
    // A submitted draft does not change; one finance returns may be fixed even after the due
    // date.
    d.ok("wang.fang", "/budget submit department:SAL").await;
    let submitted = d
        .refused(
            "wang.fang",
            "/budget draft department:SAL category:it amount:900",
        )
        .await;
    assert!(submitted.contains("已提交"), "{submitted}");
    d.ok(
        "grace.lin",
        "/budget return department:SAL comment:\"more detail\"",
    )
    .await;
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:it amount:900",
    )
    .await;
    assert_eq!(line(&d, "SAL", "it").await, 90_000);

    // A revision needs a reason (and a budget in force).
    budget_in_force(&d, &[("SAL", "it", "2026", 120_000)]).await;
    let no_reason = d
        .refused(
            "wang.fang",
            "/budget revise department:SAL category:it amount:150000 year:2026",
        )
        .await;
    assert!(no_reason.contains("理由"), "{no_reason}");
    let blank = d
        .refused(
            "wang.fang",
            "/budget revise department:SAL category:it amount:150000 year:2026 reason:\" \"",
        )
        .await;
    assert!(blank.contains("理由"), "{blank}");
    let not_in_force = d
        .refused(
            "wang.fang",
            "/budget revise department:SAL category:it amount:150000 year:2027 reason:x",
        )
        .await;
    assert!(not_in_force.contains("2027"), "{not_in_force}");
    assert_eq!(d.count("SELECT COUNT(*) FROM budgets").await, 0);
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_line_history").await, 0);
}

#[tokio::test]
async fn only_heads_draft_their_own_department_and_readers_see_what_they_may() {
    let d = spawn_desk().await;
    d.ok("grace.lin", OPEN).await;
    let not_head = d
        .refused(
            "li.na",
            "/budget draft department:SAL category:it amount:100",
        )
        .await;
    assert!(not_head.contains("SAL"), "{not_head}");
    d.refused(
        "wang.fang",
        "/budget draft department:PUR category:it amount:100",
    )
    .await;
    d.refused("wang.fang", "/budget submit department:PUR")
        .await;
    assert_eq!(lines(&d).await, 0);
    // Opening, returning and consolidating are finance's.
    d.refused("wang.fang", "/budget round open year:2027 due:2026-12-20")
        .await;
    d.refused("wang.fang", "/budget consolidate year:2027")
        .await;
    d.refused("wang.fang", "/budget return department:SAL comment:x")
        .await;

    budget_in_force(
        &d,
        &[
            ("SAL", "it", "2026", 120_000),
            ("PUR", "office", "2026", 9_000),
        ],
    )
    .await;
    // li.na reads no budget; wang.fang only Sales; finance and auditors everything.
    d.refused("li.na", "/budget status").await;
    d.refused("li.na", "/budget show department:SAL year:2026")
        .await;
    let own = d.ok("wang.fang", "/budget status year:2026").await;
    assert!(
        own.contains("120,000.00") && !own.contains("9,000.00"),
        "{own}"
    );
    d.refused("wang.fang", "/budget status department:PUR year:2026")
        .await;
    d.refused("wang.fang", "/budget show department:PUR year:2026")
        .await;
    let all = d.ok("liu.yang", "/budget status year:2026").await;
    assert!(
        all.contains("120,000.00") && all.contains("9,000.00"),
        "{all}"
    );

    // A revision's approval: its requester, management and finance read it; li.na does not,
    // and it reads like one that does not exist.
    d.ok(
        "wang.fang",
        "/budget revise department:SAL category:it amount:130000 year:2026 reason:\"one more laptop\"",
    )
    .await;
    d.ok("zhang.wei", "/budget show ref:BUD-000001").await;
    d.ok("grace.lin", "/budget show ref:BUD-000001").await;
    let hidden = d.refused("li.na", "/budget show ref:BUD-000001").await;
    let absent = d.refused("li.na", "/budget show ref:BUD-000009").await;
    assert_eq!(hidden.replace('1', "9"), absent);
    d.refused("zhou.qiang", "/budget show ref:BUD-000001").await;
    // A head revises only their own department's lines.
    d.refused(
        "zhou.qiang",
        "/budget revise department:SAL category:it amount:1 year:2026 reason:x",
    )
    .await;
}

#[tokio::test]
async fn heads_are_reminded_and_superiors_told_once_and_a_moved_due_date_moves_them() {
    let d = spawn_desk().await;
    d.ok("grace.lin", "/budget round open year:2027 due:2026-12-10")
        .await;
    // Moved before anything fired: the old date's jobs find it changed and do nothing.
    let moved = d.ok("grace.lin", OPEN).await;
    assert!(
        moved.contains("2026-12-10") && moved.contains("2026-12-15"),
        "{moved}"
    );
    let again = d.refused("grace.lin", OPEN).await;
    assert!(again.contains("2026-12-15"), "{again}");
    d.ok(
        "wang.fang",
        "/budget draft department:SAL category:it amount:100",
    )
    .await;
    d.ok("wang.fang", "/budget submit department:SAL").await;

    // 2026-12-07 09:00 (three days before the old date): nobody is reminded.
    d.advance(11 * 86_400).await;
    assert!(d.notes_of("zhou.qiang", "budget_remind").await.is_empty());
    // 2026-12-12 09:00: those who have not submitted are, once.
    d.advance(5 * 86_400).await;
    assert_eq!(d.notes_of("zhou.qiang", "budget_remind").await.len(), 1);
    assert!(d.notes_of("wang.fang", "budget_remind").await.is_empty());
    d.advance(86_400).await;
    assert_eq!(d.notes_of("zhou.qiang", "budget_remind").await.len(), 1);
    assert!(d.notes_of("zhang.wei", "budget_late").await.is_empty());
    // 2026-12-16 09:00: the superior (the head of MGT) hears which departments are late.
    d.advance(4 * 86_400).await;
    let late = d.notes_of("zhang.wei", "budget_late").await;
    assert_eq!(late.len(), 1);
    assert!(
        late[0].text.contains("PUR") && !late[0].text.contains("SAL"),
        "{}",
        late[0].text
    );
    d.advance(2 * 86_400).await;
    assert_eq!(d.notes_of("zhang.wei", "budget_late").await.len(), 1);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM budget_drafts WHERE escalated_at IS NOT NULL")
            .await,
        7
    );
}
