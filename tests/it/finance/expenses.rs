//! Expense claims as people live them: claimed against the department's budget, approved by
//! the head (and finance from 2,000), paid by finance in parts, withdrawn, refused on bad
//! input with nothing written, read only by those who may; and the ledger's columns through
//! a claim's life.

use crate::common::{spawn_desk, spawn_desk_with, TestDesk};
use bizdesk::finance::settings::Control;

use super::ledger::budget_in_force;

/// One document's position: requested, committed, spent (minor units).
async fn position(d: &TestDesk, doc: &str) -> (i64, i64, i64) {
    let q = |col: &str| {
        format!("SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM budget_positions WHERE doc = '{doc}'")
    };
    (
        d.count(&q("requested_minor")).await,
        d.count(&q("committed_minor")).await,
        d.count(&q("spent_minor")).await,
    )
}

async fn status(d: &TestDesk, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT status FROM expense_claims WHERE id = $1")
        .bind(id)
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    s
}

fn claim(amount: &str) -> String {
    format!(
        "/expense claim category:travel amount:{amount} description:\"Taxi to the client\" date:2026-11-20"
    )
}

#[tokio::test]
async fn a_small_claim_goes_to_the_head_then_is_paid_in_two_parts_and_the_ledger_follows() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "travel", "2026", 10_000)]).await;
    let text = d.ok("tom.baker", &claim("350")).await;
    for expect in [
        "EXP-000001",
        "350.00 CNY",
        "Department head",
        "王芳",
        "2026-11-20",
    ] {
        assert!(text.contains(expect), "claim reply lacks {expect}:\n{text}");
    }
    // The budget position before and after it.
    assert!(
        text.contains("10,000.00 CNY") && text.contains("9,650.00 CNY"),
        "{text}"
    );
    assert_eq!(position(&d, "EXP-000001").await, (35_000, 0, 0));
    assert_eq!(status(&d, 1).await, "pending");
    // The head's prompt shows the claim and its budget line.
    let prompts = d.notes_of("wang.fang", "approval_prompt").await;
    assert_eq!(prompts.len(), 1);
    assert!(
        prompts[0].text.contains("Taxi to the client") && prompts[0].text.contains("差旅"),
        "{}",
        prompts[0].text
    );

    // Below 2,000 the head's approval is the last.
    d.ok("wang.fang", "/approval approve ref:EXP-000001").await;
    assert_eq!(status(&d, 1).await, "approved");
    assert!(d.inbox("zhao.min").await.is_empty());
    assert_eq!(position(&d, "EXP-000001").await, (0, 35_000, 0));
    let outcome = d.notes_of("tom.baker", "request_outcome").await;
    assert!(
        outcome.len() == 1 && outcome[0].text.contains("approved"),
        "{outcome:?}"
    );

    // Finance pays part, then the rest.
    let text = d
        .ok(
            "grace.lin",
            "/payment paid ref:EXP-000001 amount:100 date:2026-11-25",
        )
        .await;
    assert!(
        text.contains("100.00 CNY") && text.contains("250.00 CNY"),
        "{text}"
    );
    assert_eq!(status(&d, 1).await, "approved");
    assert_eq!(position(&d, "EXP-000001").await, (0, 25_000, 10_000));
    let too_much = d
        .refused("grace.lin", "/payment paid ref:EXP-000001 amount:250.01")
        .await;
    assert!(too_much.contains("250.00 CNY"), "{too_much}");
    let future = d
        .refused("grace.lin", "/payment paid ref:EXP-000001 date:2026-11-27")
        .await;
    assert!(future.contains("future"), "{future}");
    let text = d.ok("grace.lin", "/payment paid ref:EXP-000001").await;
    assert!(text.contains("paid in full"), "{text}");
    assert_eq!(status(&d, 1).await, "paid");
    assert_eq!(position(&d, "EXP-000001").await, (0, 0, 35_000));
    assert_eq!(
        d.count("SELECT paid_minor FROM expense_claims WHERE id = 1")
            .await,
        35_000
    );
    let again = d.refused("grace.lin", "/payment paid ref:EXP-000001").await;
    assert!(again.contains("paid"), "{again}");
    // The claimant heard of each payment.
    let paid = d.notes_of("tom.baker", "expense_paid").await;
    assert_eq!(paid.len(), 2);
    assert!(paid[0].text.contains("250.00 CNY"), "{}", paid[0].text);
    assert!(paid[1].text.contains("paid in full"), "{}", paid[1].text);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'expense.paid'")
            .await,
        2
    );
    let story = d.ok("tom.baker", "/expense show ref:EXP-000001").await;
    for expect in [
        "paid",
        "Department head",
        "王芳",
        "Taxi to the client",
        "350.00 CNY",
    ] {
        assert!(story.contains(expect), "show lacks {expect}:\n{story}");
    }
}

#[tokio::test]
async fn finance_approves_claims_of_2000_and_more() {
    let d = spawn_desk().await;
    d.ok("tom.baker", &claim("1999.99")).await;
    d.ok("tom.baker", &claim("2000")).await;
    d.ok("wang.fang", "/approval approve ref:EXP-000001").await;
    d.ok("wang.fang", "/approval approve ref:EXP-000002").await;
    assert_eq!(status(&d, 1).await, "approved");
    assert_eq!(status(&d, 2).await, "pending");
    assert_eq!(d.inbox("zhao.min").await, ["EXP-000002"]);
    // Finance may not pay what finance has not approved yet.
    let text = d.refused("grace.lin", "/payment paid ref:EXP-000002").await;
    assert!(text.contains("pending"), "{text}");
    d.ok("zhao.min", "/approval approve ref:EXP-000002").await;
    assert_eq!(status(&d, 2).await, "approved");
    let story = d.ok("tom.baker", "/expense show ref:EXP-000002").await;
    assert!(
        story.contains("Finance") && story.contains("赵敏"),
        "{story}"
    );
    // Without a budget in force the claim says so, and the ledger still holds it.
    assert_eq!(position(&d, "EXP-000002").await, (0, 200_000, 0));
}

#[tokio::test]
async fn bad_claims_are_refused_clearly_and_write_nothing() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "travel", "2026", 10_000)]).await;
    let cases = [
        (
            "/expense claim category:yachts amount:100 description:x",
            "not a budget category. Use one of: it, office",
        ),
        (
            "/expense claim category:travel amount:-5 description:x",
            "negative",
        ),
        (
            "/expense claim category:travel amount:0 description:x",
            "more than 0",
        ),
        (
            "/expense claim category:travel amount:100 description:x date:2026-11-27",
            "future",
        ),
        (
            "/expense claim category:travel amount:\"100 USD\" description:x",
            "CNY",
        ),
        (
            "/expense claim category:travel amount:100 description:x date:2025-11-01",
            "12 months",
        ),
        (
            "/expense claim category:travel amount:100 description:x attachment:ftp://x",
            "https://",
        ),
    ];
    for (line, expect) in cases {
        let text = d.refused("tom.baker", line).await;
        assert!(text.contains(expect), "{line}: {text}");
    }
    for table in ["expense_claims", "budget_positions", "approvals", "outbox"] {
        assert_eq!(
            d.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    // Over a stop line: refused with the figures, nothing written.
    let text = d.refused("tom.baker", &claim("10000.01")).await;
    assert!(text.contains("10,000.00 CNY"), "{text}");
    assert_eq!(d.count("SELECT COUNT(*) FROM expense_claims").await, 0);
    // A payment of something that is neither a payment request nor a claim.
    d.submit("huang.lei", "Chair", 1, "100").await;
    let text = d.refused("grace.lin", "/payment paid ref:REQ-000001").await;
    assert!(
        text.contains("not a payment request or an expense claim"),
        "{text}"
    );
}

#[tokio::test]
async fn a_monthly_warning_needs_an_acknowledgement_recorded_in_the_trail() {
    let d = spawn_desk_with(|c| {
        c.budget.control.month.expense = Control::Warn;
    })
    .await;
    // 12,000 a year: 1,000 for November.
    budget_in_force(&d, &[("SAL", "travel", "2026", 12_000)]).await;
    let text = d.refused("tom.baker", &claim("1500")).await;
    assert!(text.contains("ack:yes"), "{text}");
    assert_eq!(d.count("SELECT COUNT(*) FROM expense_claims").await, 0);
    let text = d
        .ok("tom.baker", &format!("{} ack:yes", claim("1500")))
        .await;
    assert!(
        text.contains("EXP-000001") && text.contains("2026-11"),
        "{text}"
    );
    // Or with the "Submit anyway" button, which runs the same claim once.
    let r = d.run("tom.baker", &claim("100")).await;
    assert!(!r.ok, "{}", r.text);
    let button = r.actions.first().expect("a Submit anyway button").clone();
    let done = d.press("tom.baker", &button).await;
    assert!(done.ok && done.text.contains("EXP-000002"), "{}", done.text);
    assert!(done.text.contains("100.00 CNY"), "{}", done.text);
    assert!(!d.press("tom.baker", &button).await.ok);
    assert_eq!(d.count("SELECT COUNT(*) FROM expense_claims").await, 2);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'budget.acknowledge'")
            .await,
        2
    );
}

#[tokio::test]
async fn only_those_involved_read_a_claim_only_its_claimant_withdraws_only_finance_pays() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "office", "2026", 5_000)]).await;
    let text = d
        .ok(
            "li.na",
            "/expense claim category:office amount:80 description:\"Printer paper\" attachment:https://files.example.com/r1.pdf",
        )
        .await;
    // Chinese for a Chinese reader.
    assert!(
        text.contains("费用报销 EXP-000001") && text.contains("可用"),
        "{text}"
    );
    let nothing = d.refused("huang.lei", "/expense show ref:EXP-000099").await;
    let hidden = d.refused("huang.lei", "/expense show ref:EXP-000001").await;
    assert_eq!(hidden, nothing.replace("EXP-000099", "EXP-000001"));
    d.refused("tom.baker", "/expense show ref:EXP-000001").await;
    for reader in ["li.na", "wang.fang", "grace.lin", "liu.yang", "zhao.min"] {
        let story = d.ok(reader, "/expense show ref:EXP-000001").await;
        assert!(
            story.contains("files.example.com/r1.pdf"),
            "{reader}: {story}"
        );
    }
    // The web page of the reference reads through the subject.
    let subject = d.chat.desk.subjects.of_reference("EXP-000001").unwrap();
    let head = d.employee("wang.fang").await;
    let other = d.employee("huang.lei").await;
    let r = "EXP-000001".parse().unwrap();
    assert!(subject.may_read(&d.chat.desk, &head, r).await.unwrap());
    assert!(!subject.may_read(&d.chat.desk, &other, r).await.unwrap());

    // Lists: one's own, or everyone's for finance.
    let mine = d.ok("li.na", "/expense list").await;
    assert!(mine.contains("EXP-000001"), "{mine}");
    let theirs = d.ok("tom.baker", "/expense list").await;
    assert!(!theirs.contains("EXP-000001"), "{theirs}");
    let all = d.ok("grace.lin", "/expense list status:pending").await;
    assert!(all.contains("EXP-000001") && all.contains("李娜"), "{all}");
    let approved = d.ok("grace.lin", "/expense list status:approved").await;
    assert!(!approved.contains("EXP-000001"), "{approved}");

    // Withdrawing: the claimant only; others hear "only the claimant" or "not found".
    let text = d
        .refused("wang.fang", "/expense withdraw ref:EXP-000001")
        .await;
    assert!(text.contains("报销人"), "{text}");
    let text = d
        .refused("huang.lei", "/expense withdraw ref:EXP-000001")
        .await;
    assert_eq!(text, hidden);
    // Paying: finance only.
    d.refused("li.na", "/payment paid ref:EXP-000001").await;
    assert_eq!(position(&d, "EXP-000001").await, (8_000, 0, 0));
    d.ok("li.na", "/expense withdraw ref:EXP-000001").await;
    assert_eq!(status(&d, 1).await, "withdrawn");
    assert_eq!(position(&d, "EXP-000001").await, (0, 0, 0));
    let closed = d.notes_of("wang.fang", "prompt_closed").await;
    assert_eq!(closed.len(), 1);
    let text = d.refused("li.na", "/expense withdraw ref:EXP-000001").await;
    assert!(text.contains("已撤回"), "{text}");
    d.refused("wang.fang", "/approval approve ref:EXP-000001")
        .await;
}

#[tokio::test]
async fn a_claim_sent_back_releases_its_budget_and_is_withdrawn_to_claim_again() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "travel", "2026", 10_000)]).await;
    d.ok("tom.baker", &claim("300")).await;
    d.ok(
        "wang.fang",
        "/approval changes ref:EXP-000001 comment:\"attach the receipt\"",
    )
    .await;
    assert_eq!(status(&d, 1).await, "changes_requested");
    assert_eq!(position(&d, "EXP-000001").await, (0, 0, 0));
    let note = d.notes_of("tom.baker", "request_outcome").await;
    assert!(
        note[0].text.contains("/expense withdraw ref:EXP-000001"),
        "{}",
        note[0].text
    );
    d.ok("tom.baker", "/expense withdraw ref:EXP-000001").await;
    assert_eq!(status(&d, 1).await, "withdrawn");
    d.ok("tom.baker", &claim("300")).await;
    d.ok(
        "wang.fang",
        "/approval reject ref:EXP-000002 comment:\"private trip\"",
    )
    .await;
    assert_eq!(status(&d, 2).await, "rejected");
    assert_eq!(position(&d, "EXP-000002").await, (0, 0, 0));
    let text = d
        .refused("tom.baker", "/expense withdraw ref:EXP-000002")
        .await;
    assert!(text.contains("rejected"), "{text}");
    d.refused("grace.lin", "/payment paid ref:EXP-000002").await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'expense.claim'")
            .await,
        2
    );
}

#[tokio::test]
async fn the_heads_delegate_reads_and_decides_a_claim_on_their_behalf() {
    let d = spawn_desk().await;
    d.ok("wang.fang", "/delegate to:emily.chen until:2026-12-10")
        .await;
    d.ok("li.na", &claim("120")).await;
    // Emily stands in for the head: she reads it and decides it; David does not read it.
    let story = d.ok("emily.chen", "/expense show ref:EXP-000001").await;
    assert!(story.contains("Taxi to the client"), "{story}");
    d.refused("david.wu", "/expense show ref:EXP-000001").await;
    d.ok("emily.chen", "/approval approve ref:EXP-000001").await;
    assert_eq!(status(&d, 1).await, "approved");
    let story = d.ok("tom.baker", "/expense list").await;
    assert!(!story.contains("EXP-000001"), "{story}");
    let story = d.ok("li.na", "/expense show ref:EXP-000001").await;
    assert!(story.contains("Emily Chen"), "{story}");
}

#[tokio::test]
async fn finance_does_not_record_the_payment_of_its_own_claim() {
    let d = spawn_desk().await;
    let r = d
        .ok(
            "grace.lin",
            "/expense claim category:travel amount:120 description:taxi",
        )
        .await;
    assert!(r.contains("EXP-000001"), "{r}");
    d.ok("zhao.min", "/approval approve ref:EXP-000001").await;
    let text = d.refused("grace.lin", "/payment paid ref:EXP-000001").await;
    assert!(text.contains("your own claim"), "{text}");
    assert_eq!(
        d.count("SELECT paid_minor FROM expense_claims WHERE id = 1")
            .await,
        0
    );
    d.ok("zhao.min", "/payment paid ref:EXP-000001").await;
    assert_eq!(
        d.count("SELECT paid_minor FROM expense_claims WHERE id = 1")
            .await,
        12_000
    );
}

#[tokio::test]
async fn the_receipt_email_names_an_expense_claim_and_its_own_show_command() {
    let d = spawn_desk().await;
    d.ok(
        "tom.baker",
        "/expense claim category:travel amount:120 description:taxi",
    )
    .await;
    d.send_all_email().await;
    let mail = crate::procurement::orders::dropped(&d);
    let receipt = mail
        .iter()
        .find(|m| m.contains("EXP-000001") && m.contains("We received"))
        .unwrap_or_else(|| panic!("no receipt in {mail:?}"));
    assert!(receipt.contains("expense claim EXP-000001"), "{receipt}");
    assert!(
        receipt.contains("/expense show ref:EXP-000001"),
        "{receipt}"
    );
    assert!(!receipt.contains("requisition"), "{receipt}");
}

#[tokio::test]
async fn the_general_managers_own_claim_is_approved_by_finance() {
    let d = spawn_desk().await;
    let r = d
        .ok(
            "zhang.wei",
            "/expense claim category:travel amount:500 description:taxi",
        )
        .await;
    assert!(r.contains("EXP-000001"), "{r}");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM expense_claims WHERE status = 'pending'")
            .await,
        1,
        "{r}"
    );
    assert!(d
        .inbox("zhao.min")
        .await
        .contains(&"EXP-000001".to_string()));
    d.ok("grace.lin", "/approval approve ref:EXP-000001").await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM expense_claims WHERE status = 'approved'")
            .await,
        1
    );
}
