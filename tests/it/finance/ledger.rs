//! The budget ledger as procurement moves documents: checks at submission (stop refuses with
//! the figures, warn needs an acknowledgement, by option or button, recorded in the audit
//! trail), amounts moving requested → committed → PO → spent and never counted twice, the
//! 80 % / 100 % notices once each, and concurrent submissions against the last of a line.

use crate::common::{spawn_desk, spawn_desk_with, TestDesk};
use bizdesk::finance::settings::Control;

/// A budget for 2026 in force with these lines (department, category, period, whole units).
pub async fn budget_in_force(d: &TestDesk, lines: &[(&str, &str, &str, i64)]) {
    d.sql(
        "INSERT INTO budget_rounds (year, period, due_on, status, opened_by, created_at, updated_at) \
         SELECT 2026, 'year', '2026-11-30', 'in_force', id, 0, 0 FROM employees WHERE handle = 'zhao.min'",
    )
    .await;
    for (dept, cat, period, major) in lines {
        d.sql(&format!(
            "INSERT INTO budget_lines (round_id, department_code, category, period, amount_minor, \
             currency, note, updated_by, updated_at) SELECT r.id, '{dept}', '{cat}', '{period}', {}, \
             'CNY', '', e.id, 0 FROM budget_rounds r, employees e WHERE r.year = 2026 AND e.handle = 'zhao.min'",
            major * 100
        ))
        .await;
    }
}

/// The ledger's column sums (minor units): requested, committed, spent.
pub async fn columns(d: &TestDesk) -> (i64, i64, i64) {
    let sum =
        |col: &str| format!("SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM budget_positions");
    (
        d.count(&sum("requested_minor")).await,
        d.count(&sum("committed_minor")).await,
        d.count(&sum("spent_minor")).await,
    )
}

/// One document's position: requested, committed, spent.
pub async fn position(d: &TestDesk, doc: &str) -> (i64, i64, i64) {
    let q = |col: &str| {
        format!("SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM budget_positions WHERE doc = '{doc}'")
    };
    (
        d.count(&q("requested_minor")).await,
        d.count(&q("committed_minor")).await,
        d.count(&q("spent_minor")).await,
    )
}

fn laptop(price: i64) -> String {
    format!("/requisition new item:Laptop quantity:1 unit_price:{price} reason:\"new hire\" category:it")
}

#[tokio::test]
async fn a_stop_line_refuses_with_the_figures_and_a_warning_goes_through_once_acknowledged() {
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "it", "2026", 120_000)]).await;
    // Over the year: stopped, with the figures, nothing written.
    let text = d.refused("tom.baker", &laptop(130_000)).await;
    for part in [
        "120,000.00",
        "130,000.00",
        "-10,000.00",
        "nothing was submitted",
        "it",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM requisitions").await, 0);
    // Over November's twelfth (10,000) but within the year: a warning, held for a button.
    let r = d.run("tom.baker", &laptop(12_000)).await;
    assert!(!r.ok && r.text.contains("ack:yes"), "{}", r.text);
    assert_eq!(d.count("SELECT COUNT(*) FROM requisitions").await, 0);
    let button = r.actions.first().expect("a Submit anyway button").clone();
    assert!(button.custom_id.starts_with("ack:run:"), "{button:?}");
    // Someone else cannot use it; its author can, once.
    let other = d.press("li.na", &button).await;
    assert!(!other.ok, "{}", other.text);
    let done = d.press("tom.baker", &button).await;
    assert!(done.ok, "{}", done.text);
    assert!(done.text.contains("REQ-000001"), "{}", done.text);
    assert!(done.text.contains("108,000.00"), "{}", done.text);
    assert!(
        done.text.contains("CNY.\nBudget SAL · IT equipment 2026:"),
        "the budget line is a line of its own: {}",
        done.text
    );
    let again = d.press("tom.baker", &button).await;
    assert!(!again.ok, "{}", again.text);
    assert_eq!(d.count("SELECT COUNT(*) FROM requisitions").await, 1);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'budget.acknowledge'")
            .await,
        1
    );
    // ack:yes does the same in one line.
    let r = d
        .run("tom.baker", &format!("{} ack:yes", laptop(1_000)))
        .await;
    assert!(r.ok, "{}", r.text);
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'budget.acknowledge'")
            .await,
        2
    );
    // The head's prompt shows the line.
    let prompts = d.notes_of("wang.fang", "approval_prompt").await;
    let first = &prompts.first().expect("a prompt").text;
    assert!(first.contains("SAL · it · 2026"), "{first}");
    assert!(first.contains("120,000.00 CNY → 108,000.00 CNY"), "{first}");
    // A department without a budget in force is not checked.
    let r = d.run("sun.li", &laptop(500_000)).await;
    assert!(r.ok, "{}", r.text);
}

#[tokio::test]
async fn an_amount_moves_from_requested_to_committed_to_its_po_to_spent_and_is_never_counted_twice()
{
    let d = spawn_desk().await;
    budget_in_force(&d, &[("SAL", "it", "2026", 1_000_000)]).await;
    let req = d
        .ok(
            "tom.baker",
            "/requisition new item:Monitor quantity:10 unit_price:1000 reason:x category:it",
        )
        .await;
    assert!(req.contains("REQ-000001"), "{req}");
    assert_eq!(position(&d, "REQ-000001").await, (1_000_000, 0, 0));
    d.ok("wang.fang", "/approval approve ref:REQ-000001").await;
    assert_eq!(position(&d, "REQ-000001").await, (1_000_000, 0, 0));
    d.ok("chen.jie", "/approval approve ref:REQ-000001").await;
    assert_eq!(position(&d, "REQ-000001").await, (0, 1_000_000, 0));
    let sup =
        crate::procurement::orders::supplier(&d, "Screens Co", "s@example.test", "qualified", None)
            .await;
    // Six of ten ordered at a higher price: the six move to the PO, four stay.
    d.ok(
        "huang.lei",
        &format!("/po new requisition:REQ-000001 supplier:{sup} quantity:6 unit_price:1100"),
    )
    .await;
    assert_eq!(position(&d, "REQ-000001").await, (0, 400_000, 0));
    assert_eq!(position(&d, "PO-000001").await, (0, 660_000, 0));
    assert_eq!(columns(&d).await, (0, 1_060_000, 0));
    d.ok("chen.jie", "/approval approve ref:PO-000001").await;
    d.ok("tom.baker", "/receipt new po:PO-000001 accepted:6")
        .await;
    d.ok(
        "huang.lei",
        "/payment request po:PO-000001 invoice:INV-1 amount:6600",
    )
    .await;
    assert_eq!(columns(&d).await, (0, 1_060_000, 0));
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    d.ok("zhao.min", "/payment paid ref:PAY-000001 amount:2600")
        .await;
    assert_eq!(position(&d, "PO-000001").await, (0, 400_000, 0));
    assert_eq!(position(&d, "PAY-000001").await, (0, 0, 260_000));
    d.ok("zhao.min", "/payment paid ref:PAY-000001").await;
    assert_eq!(position(&d, "PO-000001").await, (0, 0, 0));
    assert_eq!(position(&d, "PAY-000001").await, (0, 0, 660_000));
    assert_eq!(columns(&d).await, (0, 400_000, 660_000));
    // A second PO for the rest, cancelled: the rest goes back to the requisition.
    d.ok(
        "huang.lei",
        &format!("/po new requisition:REQ-000001 supplier:{sup}"),
    )
    .await;
    assert_eq!(position(&d, "REQ-000001").await, (0, 0, 0));
    assert_eq!(position(&d, "PO-000002").await, (0, 400_000, 0));
    d.ok(
        "huang.lei",
        "/po cancel ref:PO-000002 reason:\"wrong model\"",
    )
    .await;
    assert_eq!(position(&d, "PO-000002").await, (0, 0, 0));
    assert_eq!(position(&d, "REQ-000001").await, (0, 400_000, 0));
    assert_eq!(columns(&d).await, (0, 400_000, 660_000));
    // Every move is recorded: the moves add up to the positions.
    let moved = d
        .count("SELECT CAST(SUM(requested_minor + committed_minor + spent_minor) AS BIGINT) FROM budget_moves")
        .await;
    assert_eq!(moved, 1_060_000);
}

#[tokio::test]
async fn heads_and_finance_hear_once_at_80_and_once_at_100_percent() {
    let d = spawn_desk_with(|c| c.budget.control.month.requisition = Control::Off).await;
    budget_in_force(&d, &[("SAL", "it", "2026", 10_000)]).await;
    d.ok("tom.baker", &laptop(7_000)).await;
    assert!(d.notes_of("wang.fang", "budget_alert").await.is_empty());
    d.ok("tom.baker", &laptop(1_000)).await;
    let notes = d.notes_of("wang.fang", "budget_alert").await;
    assert_eq!(notes.len(), 1);
    assert!(notes[0].text.contains("80%"), "{}", notes[0].text);
    assert_eq!(d.notes_of("zhao.min", "budget_alert").await.len(), 1);
    assert_eq!(d.notes_of("grace.lin", "budget_alert").await.len(), 1);
    // Withdrawn and submitted again: above 80 % again, but told only once.
    d.ok("tom.baker", "/requisition withdraw ref:REQ-000002")
        .await;
    d.ok("tom.baker", &laptop(1_000)).await;
    assert_eq!(d.notes_of("wang.fang", "budget_alert").await.len(), 1);
    d.ok("tom.baker", &laptop(2_000)).await;
    let notes = d.notes_of("wang.fang", "budget_alert").await;
    assert_eq!(notes.len(), 2);
    assert!(notes[1].text.contains("100%"), "{}", notes[1].text);
    assert_eq!(d.notes_of("grace.lin", "budget_alert").await.len(), 2);
    assert_eq!(d.count("SELECT COUNT(*) FROM budget_alerts").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_never_overrun_the_last_of_a_stop_line() {
    let d = spawn_desk_with(|c| c.budget.control.month.requisition = Control::Off).await;
    budget_in_force(&d, &[("SAL", "it", "2026", 10_000)]).await;
    let other = bizdesk::app::open_with_clock(&d.config, std::sync::Arc::new(d.clock.clone()))
        .await
        .unwrap();
    let chats = [d.chat.clone(), other];
    let mut handles = Vec::new();
    for i in 0..8 {
        let chat = chats[i % 2].clone();
        let who = if i % 2 == 0 { "tom.baker" } else { "li.na" };
        let actor = d.employee(who).await;
        handles.push(tokio::spawn(async move {
            chat.run_line(&actor, &laptop(3_000)).await
        }));
    }
    let mut ok = 0;
    for h in handles {
        let r = h.await.unwrap();
        if r.ok {
            ok += 1;
        } else {
            assert!(r.text.contains("10,000.00"), "{}", r.text);
        }
    }
    assert_eq!(ok, 3, "three of 3,000 fit in 10,000");
    assert_eq!(d.count("SELECT COUNT(*) FROM requisitions").await, 3);
    assert_eq!(columns(&d).await, (900_000, 0, 0));
}
