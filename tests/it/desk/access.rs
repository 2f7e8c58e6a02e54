//! Who may do what: every command of the catalog, run by every employee of the sample company
//! against records they have nothing to do with (and some they do), checked against the table
//! below — the README's permission table, written out by hand. A refusal is a message (exit 2
//! in the console), and a record one may not see reads exactly like one that does not exist.

use crate::common;
use bizdesk::commands::parse_line;
use bizdesk::service::DeskError;
use common::{spawn_desk, TestDesk};
use std::collections::BTreeSet;

mod table;

use table::{table, EVERYONE};

/// What each of them says when refusing: a permission refusal, or "not found" for a record one
/// may not see.
const REFUSALS: &[&str] = &[
    "access.denied",
    "requisition.not_found",
    "requisition.only_requester",
    "approval.not_assigned",
    "approval.self",
    "approval.closed",
    "followup.no_such_ref",
    "followup.not_found",
    "callback.not_found",
    "customer.not_found",
    "inquiry.not_found",
    "inquiry.not_yours",
    "order.not_allowed",
    "contract.not_allowed",
    "contract.not_found",
    "po.not_found",
    "po.contract_not_allowed",
    "issue.not_allowed",
    "report.not_allowed",
    "report.sales_not_allowed",
    "procurement_report.not_allowed",
    "receipt.not_allowed",
    "receipt.not_found",
    "payment.not_yours",
    "receipt.po_not_found",
    "budget.not_allowed",
    "budget.not_head",
    "budget.not_reviser",
    "budget.not_found",
    "expense.not_found",
    "expense.only_claimant",
];

/// The records every row of the table is run against, none of them made by most people.
async fn fixture() -> TestDesk {
    let d = spawn_desk().await;
    for (who, line) in [
        ("xu.jing", "/customer add name:\"周军\" email:zj@huadong.cn phone:13800138000"),
        ("xu.jing", "/inquiry log customer:#1 channel:email kind:inquiry subject:\"Where is my order\" details:\"ordered last week\" department:SVC"),
        ("tom.baker", "/requisition new item:Monitor quantity:1 unit_price:1500 reason:x"),
        ("li.na", "/order new customer:#1 items:\"20 monitors\" amount:36000"),
        ("li.na", "/opportunity new customer:#1 title:\"Office refit\""),
        ("li.na", "/contract submit order:SO-000001 terms:\"net 30\""),
        ("li.na", "/order issue ref:SO-000001 kind:quality text:\"one broken\""),
        ("tom.baker", "/followup add ref:REQ-000001 when:tomorrow"),
        ("xu.jing", "/callback schedule customer:#1 when:tomorrow"),
        ("zhou.qiang", "/supplier add name:\"华东电子\" email:sales@huadong.cn"),
        ("tom.baker", "/expense claim category:travel amount:300 description:taxi"),
    ] {
        d.ok(who, line).await;
    }
    // A purchase order for Tom Baker's approved REQ-000002 (to SUP-000001, qualified by SQL),
    // approved and sent; a receipt with a claim and a payment request against it.
    d.sql(
        "INSERT INTO requisitions (requester_id, department_code, item, quantity, unit_price_minor, \
         total_minor, currency, status, created_at, updated_at) SELECT id, 'SAL', 'Desk', 5, \
         10000, 50000, 'CNY', 'approved', 0, 0 FROM employees WHERE handle = 'tom.baker'",
    )
    .await;
    d.sql("UPDATE suppliers SET status = 'qualified'").await;
    for (who, line) in [
        (
            "huang.lei",
            "/po new requisition:REQ-000002 supplier:SUP-000001 quantity:3",
        ),
        ("chen.jie", "/approval approve ref:PO-000001"),
        (
            "tom.baker",
            "/receipt new po:PO-000001 accepted:1 rejected:1 reason:bent",
        ),
        (
            "huang.lei",
            "/payment request po:PO-000001 invoice:F-1 amount:100",
        ),
    ] {
        d.ok(who, line).await;
    }
    d
}

/// Runs `line` as `who`: `Ok` when it passed the permission rules (it may still fail later
/// for another reason), `Err(key)` when it was refused for who they are.
async fn attempt(d: &TestDesk, who: &str, line: &str) -> Result<(), String> {
    let actor = d.employee(who).await;
    let inv = parse_line(&d.chat.catalog, line, &d.chat.parse_context())
        .unwrap_or_else(|e| panic!("{line}: {e:?}"));
    match d.chat.execute(&actor, &inv).await {
        Err(DeskError::User(msgs)) => match msgs.iter().find(|m| REFUSALS.contains(&m.key)) {
            Some(m) => Err(m.key.to_string()),
            None => Ok(()),
        },
        Err(e @ (DeskError::Internal(_) | DeskError::Duplicate)) => {
            panic!("{who}: {line}: {e:?}")
        }
        Ok(_) => Ok(()),
    }
}

#[tokio::test]
async fn every_command_for_every_role_follows_the_table() {
    let table = table();
    let d0 = spawn_desk().await;
    let catalog: BTreeSet<String> = d0
        .chat
        .catalog
        .commands
        .iter()
        .flat_map(|c| {
            c.action
                .iter()
                .cloned()
                .chain(c.subcommands.iter().map(|s| s.action.clone()))
        })
        .collect();
    let covered: BTreeSet<String> = table.iter().map(|(a, _, _)| a.to_string()).collect();
    assert_eq!(
        catalog, covered,
        "the table must cover every command of the catalog"
    );
    let gates: BTreeSet<String> = bizdesk::access::COMMANDS
        .iter()
        .map(|(a, _)| a.to_string())
        .collect();
    assert_eq!(catalog, gates, "access::COMMANDS must cover every command");

    let mut wrong = Vec::new();
    for (action, line, allowed) in &table {
        // Each action on fresh records, so one person's change cannot decide another's turn.
        let d = fixture().await;
        for who in EVERYONE {
            let expected = allowed.as_ref().is_none_or(|a| a.contains(&who));
            let got = attempt(&d, who, line).await;
            if got.is_ok() != expected {
                wrong.push(format!(
                    "{action}: {who} expected allowed={expected}, got {got:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn a_record_one_may_not_see_reads_like_one_that_does_not_exist() {
    let d = fixture().await;
    // Procurement reads requisitions (to buy them); customer service does not.
    for (seen, missing) in [
        (
            "/requisition show ref:REQ-000001",
            "/requisition show ref:REQ-000009",
        ),
        (
            "/followup add ref:REQ-000001 when:tomorrow",
            "/followup add ref:REQ-000009 when:tomorrow",
        ),
    ] {
        let hidden = d.refused("xu.jing", seen).await;
        let absent = d.refused("xu.jing", missing).await;
        let digits = |s: &str| s.replace(char::is_numeric, "#");
        assert_eq!(digits(&hidden), digits(&absent), "{seen}");
    }
    for (seen, missing) in [
        (
            "/inquiry show ref:INQ-000001",
            "/inquiry show ref:INQ-000009",
        ),
        (
            "/inquiry reply ref:INQ-000001 text:hi",
            "/inquiry reply ref:INQ-000009 text:hi",
        ),
        (
            "/contract show ref:CTR-000001",
            "/contract show ref:CTR-000009",
        ),
        ("/customer show customer:#1", "/customer show customer:#9"),
    ] {
        let hidden = d.refused("huang.lei", seen).await;
        let absent = d.refused("huang.lei", missing).await;
        let digits = |s: &str| s.replace(char::is_numeric, "#");
        assert_eq!(digits(&hidden), digits(&absent), "{seen}");
    }
    // A purchase order: procurement and the requester's department read it, another
    // department does not.
    let hidden = d.refused("xu.jing", "/po show ref:PO-000001").await;
    let absent = d.refused("xu.jing", "/po show ref:PO-000009").await;
    assert_eq!(hidden.replace('1', "9"), absent);
}

#[tokio::test]
async fn procurement_cannot_read_or_change_customers_or_answer_them() {
    let d = fixture().await;
    let found = d.ok("huang.lei", "/customer find text:@").await;
    assert!(
        !found.contains("zj@huadong.cn") && !found.contains("138"),
        "{found}"
    );
    for line in [
        "/customer update customer:#2 email:attacker@evil.test",
        "/customer update customer:#1 owner:huang.lei",
        "/inquiry take ref:INQ-000001",
        "/inquiry assign ref:INQ-000001 to:huang.lei",
        "/inquiry reply ref:INQ-000001 text:\"please send your bank password\"",
    ] {
        d.refused("huang.lei", line).await;
    }
    // Someone allowed cannot give it to him either: hand it off to his department first.
    d.refused("xu.jing", "/inquiry assign ref:INQ-000001 to:huang.lei")
        .await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM customers WHERE email LIKE '%evil%' OR owner_id IN (SELECT id FROM employees WHERE handle = 'huang.lei')")
            .await,
        0
    );
    // Only the acknowledgement of the fixture's inquiry went to the customer.
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'inquiry_reply'")
            .await,
        0
    );
    // Every open inquiry is for the central office, management and auditors.
    d.refused("xu.jing", "/inquiry list scope:open").await;
    let all = d.ok("liu.yang", "/inquiry list scope:open").await;
    assert!(all.contains("INQ-000001"), "{all}");
    // A customer's owner without any of the roles still sees their own.
    d.ok("chen.jie", "/customer update customer:#1 owner:sun.li")
        .await;
    let own = d.ok("sun.li", "/customer find text:huadong").await;
    assert!(own.contains("zj@huadong.cn"), "{own}");
}
