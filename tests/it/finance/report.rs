//! Finance's analysis: `/report budget` (numbers, a head's scope, variance and the top
//! overruns), the monthly finance summary fired by the scheduler, and `bizdesk export` through
//! the binary. Budget lines, ledger positions, orders, payments and claims are written with
//! SQL (their own commands are tested elsewhere), so each figure can be worked out by hand.

use crate::common::{self, TestDesk};
use bizdesk::finance::ledger::Figures;
use bizdesk::finance::report::service::{self, BudgetReport};
use bizdesk::service::DeskError;
use std::process::{Command, Output};

const AT: i64 = 1_790_000_000_000;

fn emp(handle: &str) -> String {
    format!("(SELECT id FROM employees WHERE handle = '{handle}')")
}

/// A round of `year` in `status` with lines (department, category, yuan).
async fn round(d: &TestDesk, year: i64, status: &str, lines: &[(&str, &str, i64)]) {
    d.sql(&format!(
        "INSERT INTO budget_rounds (year, period, due_on, status, opened_by, created_at, updated_at) \
         VALUES ({year}, 'year', '{year}-01-15', '{status}', {}, {AT}, {AT})",
        emp("zhao.min")
    ))
    .await;
    for (dept, cat, yuan) in lines {
        d.sql(&format!(
            "INSERT INTO budget_lines (round_id, department_code, category, period, amount_minor, currency, updated_by, updated_at) \
             VALUES ((SELECT id FROM budget_rounds WHERE year = {year}), '{dept}', '{cat}', '{year}', {}, 'CNY', {}, {AT})",
            yuan * 100,
            emp("zhao.min")
        ))
        .await;
    }
}

/// A document's ledger position: (requested, committed, spent) in yuan.
async fn position(d: &TestDesk, doc: &str, dept: &str, cat: &str, year: i64, rcs: (i64, i64, i64)) {
    d.sql(&format!(
        "INSERT INTO budget_positions (doc, department_code, category, year, month, requested_minor, committed_minor, spent_minor, updated_at) \
         VALUES ('{doc}', '{dept}', '{cat}', {year}, 3, {}, {}, {}, {AT})",
        rcs.0 * 100,
        rcs.1 * 100,
        rcs.2 * 100
    ))
    .await;
}

/// 2026 (this year on the test clock) in force for SAL and PUR; 2027 still being drafted.
async fn seed_budget(d: &TestDesk) {
    round(
        d,
        2026,
        "in_force",
        &[
            ("SAL", "travel", 10_000),
            ("SAL", "it", 5_000),
            ("PUR", "office", 2_000),
            ("PUR", "it", 3_000),
        ],
    )
    .await;
    round(d, 2027, "drafting", &[("SAL", "travel", 99_000)]).await;
    position(d, "PAY-000001", "SAL", "travel", 2026, (0, 0, 12_000)).await;
    position(d, "REQ-000001", "SAL", "it", 2026, (1_000, 0, 0)).await;
    position(d, "PO-000001", "SAL", "it", 2026, (0, 500, 0)).await;
    position(d, "PO-000002", "PUR", "office", 2026, (0, 2_500, 0)).await;
    position(d, "PAY-000002", "PUR", "it", 2026, (0, 0, 100)).await;
    // Charged without a line: an overrun of everything it uses.
    position(d, "EXP-000001", "SVC", "travel", 2026, (300, 0, 0)).await;
    // Another year's document.
    position(d, "PAY-000003", "SAL", "travel", 2025, (0, 0, 7_000)).await;
}

/// Allocated, requested, committed and spent in yuan.
type Yuan = (i64, i64, i64, i64);

fn yuan(f: &Figures) -> Yuan {
    (
        f.allocated / 100,
        f.requested / 100,
        f.committed / 100,
        f.spent / 100,
    )
}

async fn report(
    d: &TestDesk,
    who: &str,
    year: Option<i64>,
    dept: Option<&str>,
) -> Result<BudgetReport, DeskError> {
    let actor = d.employee(who).await;
    service::budget(&d.chat.desk, &actor, year, dept).await
}

fn refusal(r: Result<BudgetReport, DeskError>) -> &'static str {
    match r {
        Err(DeskError::User(msgs)) => msgs[0].key,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_budget_report_sums_lines_departments_and_ranks_overruns() {
    let d = common::spawn_desk().await;
    seed_budget(&d).await;
    let r = report(&d, "zhao.min", None, None).await.unwrap();
    assert_eq!(r.year, 2026);
    let depts: Vec<&str> = r
        .table
        .departments
        .iter()
        .map(|x| x.department.as_str())
        .collect();
    assert_eq!(depts, ["PUR", "SAL", "SVC"]);
    let sal = &r.table.departments[1];
    let lines: Vec<(&str, Yuan)> = sal
        .lines
        .iter()
        .map(|l| (l.category.as_str(), yuan(&l.figures)))
        .collect();
    assert_eq!(
        lines,
        [
            ("it", (5_000, 1_000, 500, 0)),
            ("travel", (10_000, 0, 0, 12_000))
        ]
    );
    assert_eq!(yuan(&sal.subtotal), (15_000, 1_000, 500, 12_000));
    assert_eq!(sal.subtotal.available(), 150_000);
    assert_eq!(yuan(&r.table.total), (20_000, 1_300, 3_000, 12_100));
    // Variance: spent − allocated, +20.0 % of the allocation on SAL travel.
    let travel = &sal.lines[1].figures;
    assert_eq!(travel.variance(), 200_000);
    assert_eq!(
        bizdesk::finance::report::domain::variance_basis_points(travel),
        Some(2_000)
    );
    let over: Vec<(&str, &str, i64)> = r
        .table
        .overruns
        .iter()
        .map(|o| (o.department.as_str(), o.category.as_str(), o.over / 100))
        .collect();
    assert_eq!(
        over,
        [
            ("SAL", "travel", 2_000),
            ("PUR", "office", 500),
            ("SVC", "travel", 300)
        ]
    );
    // A year with no round in force has no allocation; another year's documents stay there.
    let next = report(&d, "liu.yang", Some(2027), None).await.unwrap();
    assert!(next.table.departments.is_empty(), "{next:?}");
    let last = report(&d, "zhang.wei", Some(2025), Some("销售部"))
        .await
        .unwrap();
    assert_eq!(yuan(&last.table.total), (0, 0, 0, 7_000));
    assert_eq!(last.department.as_deref(), Some("SAL"));
    // In chat, in the reader's language: names, not codes.
    let text = d.ok("grace.lin", "/report budget").await;
    assert!(text.contains("Sales") && text.contains("Travel"), "{text}");
    assert!(text.contains("+20.0%"), "{text}");
    let text = d.ok("zhao.min", "/report budget year:2026").await;
    assert!(text.contains("销售部") && text.contains("差旅"), "{text}");
}

#[tokio::test]
async fn a_head_reads_only_their_own_department_or_the_one_they_stand_in_for() {
    let d = common::spawn_desk().await;
    seed_budget(&d).await;
    let own = report(&d, "wang.fang", None, None).await.unwrap();
    assert!(own.own_only);
    let depts: Vec<&str> = own
        .table
        .departments
        .iter()
        .map(|x| x.department.as_str())
        .collect();
    assert_eq!(depts, ["SAL"]);
    assert_eq!(own.table.overruns.len(), 1);
    assert_eq!(
        refusal(report(&d, "wang.fang", None, Some("PUR")).await),
        "budget.not_allowed"
    );
    assert!(report(&d, "wang.fang", None, Some("sal")).await.is_ok());
    // Unknown department, and people who read no budget at all.
    assert_eq!(
        refusal(report(&d, "zhao.min", None, Some("NOPE")).await),
        "inquiry.unknown_department"
    );
    assert_eq!(
        refusal(report(&d, "li.na", None, None).await),
        "budget.not_allowed"
    );
    d.refused("li.na", "/report budget").await;
    // Zhou Qiang stands in for Wang Fang today: he reads SAL as well as PUR.
    d.sql(&format!(
        "INSERT INTO delegations (delegator_id, delegate_id, starts_on, ends_on, created_at) \
         VALUES ({}, {}, '2026-11-01', '2026-12-31', {AT})",
        emp("wang.fang"),
        emp("zhou.qiang")
    ))
    .await;
    let both = report(&d, "zhou.qiang", None, None).await.unwrap();
    assert_eq!(both.table.departments.len(), 2);
    assert!(report(&d, "zhou.qiang", None, Some("SAL")).await.is_ok());
    assert_eq!(
        refusal(report(&d, "zhou.qiang", None, Some("SVC")).await),
        "budget.not_allowed"
    );
}

/// Orders, installments and payments received; supplier payments; expense claims. On
/// 2026-12-01: receivables 2,000 overdue and 5,000 due within 30 days; payables 800 overdue
/// and 1,000 due; 300 of approved claims to pay; cash in Oct 1,000 and Nov 2,000, out Sep 500
/// and Nov 650 (200 of a part-paid request, 450 of a claim).
async fn seed_money(d: &TestDesk) {
    let owner = emp("wang.fang");
    d.sql(&format!(
        "INSERT INTO customers (name, company, email, phone, created_at, updated_at) \
         VALUES ('Wang Xiaoming', '', 'wxm@example.com', '13800000000', {AT}, {AT})"
    ))
    .await;
    for (amount, paid) in [(1_000_000, 300_000), (200_000, 50_000)] {
        d.sql(&format!(
            "INSERT INTO orders (customer_id, owner_id, items, amount_minor, currency, stage, paid_minor, created_at, updated_at) \
             VALUES (1, {owner}, 'widgets', {amount}, 'CNY', 'invoiced', {paid}, {AT}, {AT})"
        ))
        .await;
    }
    for (order, due, minor) in [
        (1, "2026-11-15", 500_000),
        (1, "2026-12-20", 500_000),
        (2, "2027-02-01", 200_000),
    ] {
        d.sql(&format!(
            "INSERT INTO payment_terms (order_id, due, amount_minor, created_at) VALUES ({order}, '{due}', {minor}, {AT})"
        ))
        .await;
    }
    for (order, on, minor) in [
        (1, "2026-10-10", 100_000),
        (1, "2026-11-20", 200_000),
        (2, "2026-05-31", 50_000),
    ] {
        d.sql(&format!(
            "INSERT INTO payments (order_id, amount_minor, paid_on, author_id, created_at) VALUES ({order}, {minor}, '{on}', {}, {AT})",
            emp("zhao.min")
        ))
        .await;
    }
    let buyer = emp("huang.lei");
    d.sql(&format!(
        "INSERT INTO suppliers (name, company, email, phone, status, owner_id, created_at, updated_at) \
         VALUES ('Li Ming', 'Acme Supplies Co.', 'liming@acme.example', '13900000000', 'qualified', {buyer}, {AT}, {AT})"
    ))
    .await;
    d.sql(&format!(
        "INSERT INTO requisitions (requester_id, department_code, item, quantity, unit_price_minor, total_minor, currency, category, status, created_at, updated_at) \
         VALUES ({}, 'SAL', 'paper', 10, 100000, 1000000, 'CNY', 'office', 'approved', {AT}, {AT})",
        emp("li.na")
    ))
    .await;
    d.sql(&format!(
        "INSERT INTO purchase_orders (requisition_id, supplier_id, requester_id, department_code, buyer_id, item, category, quantity, unit_price_minor, total_minor, currency, status, created_at, updated_at) \
         VALUES (1, 1, {}, 'SAL', {buyer}, 'paper', 'office', 10, 100000, 1000000, 'CNY', 'received', {AT}, {AT})",
        emp("li.na")
    ))
    .await;
    let pays: [(&str, i64, &str, &str, &str, &str); 4] = [
        ("INV-1", 80_000, "approved", "'2026-11-25'", "NULL", "NULL"),
        (
            "INV-2",
            120_000,
            "approved",
            "'2026-12-10'",
            "20000",
            "'2026-11-05'",
        ),
        (
            "INV-3",
            50_000,
            "paid",
            "'2026-09-01'",
            "50000",
            "'2026-09-03'",
        ),
        ("INV-4", 99_900, "approved", "'2027-03-01'", "NULL", "NULL"),
    ];
    for (inv, amount, status, due, paid, on) in pays {
        d.sql(&format!(
            "INSERT INTO supplier_payments (po_id, supplier_id, requester_id, invoice, amount_minor, currency, ordered_minor, expected_minor, accepted_qty, match_result, status, due_on, paid_minor, paid_on, created_at, updated_at) \
             VALUES (1, 1, {}, '{inv}', {amount}, 'CNY', 1000000, 1000000, 10, 'matched', '{status}', {due}, {paid}, {on}, {AT}, {AT})",
            emp("li.na")
        ))
        .await;
    }
    let claims: [(i64, &str, i64, &str); 3] = [
        (30_000, "approved", 0, "NULL"),
        (45_000, "paid", 45_000, "'2026-11-11'"),
        (99_900, "pending", 0, "NULL"),
    ];
    for (amount, status, paid, on) in claims {
        d.sql(&format!(
            "INSERT INTO expense_claims (claimant_id, department_code, category, amount_minor, currency, description, spent_on, status, paid_minor, paid_on, created_at, updated_at) \
             VALUES ({}, 'SAL', 'travel', {amount}, 'CNY', 'taxi', '2026-11-02', '{status}', {paid}, {on}, {AT}, {AT})",
            emp("tom.baker")
        ))
        .await;
    }
}

async fn payloads(d: &TestDesk, channel: &str) -> Vec<serde_json::Value> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM outbox WHERE kind = 'finance_summary' AND channel = $1 ORDER BY id",
    )
    .bind(channel)
    .fetch_all(d.chat.desk.store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|(p,)| serde_json::from_str(p).unwrap())
        .collect()
}

#[tokio::test]
async fn the_monthly_summary_goes_once_to_management_with_the_totals() {
    let d = common::spawn_desk().await;
    seed_budget(&d).await;
    seed_money(&d).await;
    d.sync_schedules().await;
    // Now 2026-11-26 10:00 in Shanghai; the summary is due on 2026-12-01 at 09:00.
    d.advance(4 * 86_400 + 22 * 3_600).await;
    assert!(payloads(&d, "chat").await.is_empty());
    d.advance(2 * 3_600).await;
    let chat = payloads(&d, "chat").await;
    let management = d
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'finance_summary' AND channel = 'chat' AND recipient_id = (SELECT id FROM employees WHERE handle = 'zhang.wei')")
        .await;
    assert_eq!((chat.len(), management), (1, 1));
    assert_eq!(payloads(&d, "email").await.len(), 1, "the email copy");
    let p = &chat[0];
    assert_eq!(p["today"], "2026-12-01");
    assert_eq!(p["receivables"]["overdue"], "2,000.00 CNY");
    assert_eq!(p["receivables"]["overdue_count"], 1);
    assert_eq!(p["receivables"]["due"], "5,000.00 CNY");
    assert_eq!(p["payables"]["overdue"], "800.00 CNY");
    assert_eq!(p["payables"]["due"], "1,000.00 CNY");
    assert_eq!(p["payables"]["due_count"], 1);
    assert_eq!(p["claims"]["unpaid"], "300.00 CNY");
    let cash: Vec<(String, String, String)> = p["cash"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["in"].as_str().unwrap().to_string(),
                m["out"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(cash.len(), 6);
    assert_eq!(
        cash[0],
        ("2026-06".into(), "0.00 CNY".into(), "0.00 CNY".into())
    );
    assert_eq!(cash[3].2, "500.00 CNY");
    assert_eq!(cash[4].1, "1,000.00 CNY");
    assert_eq!(
        cash[5],
        ("2026-11".into(), "2,000.00 CNY".into(), "650.00 CNY".into())
    );
    let sal = p["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "SAL")
        .unwrap();
    assert_eq!(sal["allocated"], "15,000.00 CNY");
    assert_eq!(sal["used"], "13,500.00 CNY");
    assert_eq!(sal["percent_used"], 90);
    assert_eq!(p["budget_total"]["spent"], "12,100.00 CNY");
    // Rendered in zhang.wei's language; nobody else gets it, and a later tick sends nothing.
    let notes = d.notes_of("zhang.wei", "finance_summary").await;
    assert!(notes[0].text.contains("应收账款"), "{}", notes[0].text);
    assert!(d.notes_of("zhao.min", "finance_summary").await.is_empty());
    d.advance(86_400).await;
    assert_eq!(payloads(&d, "chat").await.len(), 1);
    // The email copy renders (both its parts) and goes out.
    d.send_all_email().await;
    assert_eq!(
        d.count("SELECT COUNT(*) FROM outbox WHERE kind = 'finance_summary' AND channel = 'email' AND status = 'sent'")
            .await,
        1
    );
    // On 1 January the summary closes the year just ended.
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    let jan = "2027-01-01".parse().unwrap();
    let facts = bizdesk::finance::report::summary::facts(&d.chat.desk, &mut conn, jan)
        .await
        .unwrap();
    assert_eq!(
        (
            facts["year"].as_i64(),
            facts["departments"].as_array().map(Vec::len)
        ),
        (Some(2026), Some(3))
    );
}

#[tokio::test]
async fn the_report_follows_documents_through_the_ledger() {
    let d = common::spawn_desk().await;
    round(&d, 2026, "in_force", &[("SAL", "it", 10_000)]).await;
    d.ok(
        "li.na",
        "/requisition new item:\"Monitor\" quantity:3 unit_price:1000 reason:test category:it ack:yes",
    )
    .await;
    let r = report(&d, "zhao.min", None, Some("SAL")).await.unwrap();
    assert_eq!(yuan(&r.table.total), (10_000, 3_000, 0, 0));
    assert_eq!(r.table.total.available(), 700_000);
    assert!(r.table.overruns.is_empty());
    // Approved, it is committed: the same amount, in one column only.
    for approver in ["wang.fang", "chen.jie"] {
        d.ok(approver, "/approval approve ref:REQ-000001").await;
    }
    let r = report(&d, "zhao.min", None, Some("SAL")).await.unwrap();
    assert_eq!(yuan(&r.table.total), (10_000, 0, 3_000, 0));
}

fn export(d: &TestDesk, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bizdesk"))
        .arg("export")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("BIZDESK__DATABASE__URL", &d.url)
        .env("BIZDESK__TEMPLATES__DIR", "")
        .env("BIZDESK__SECURITY__KEY_FILE", &d.config.security.key_file)
        .env("BIZDESK__SMTP__DROP_DIR", &d.config.smtp.drop_dir)
        .output()
        .expect("run bizdesk")
}

/// The CSV's lines, without the byte-order mark.
fn csv_lines(o: &Output) -> Vec<String> {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    text.lines().map(str::to_string).collect()
}

#[tokio::test]
async fn exports_write_one_year_as_csv_for_the_accounting_system() {
    let d = common::spawn_desk().await;
    seed_budget(&d).await;
    seed_money(&d).await;

    let budget = csv_lines(&export(&d, &["budget", "--year", "2026"]));
    assert_eq!(
        budget[0],
        "year,department,department_name,category,category_name,currency,allocated,requested,committed,spent,available"
    );
    assert!(
        budget.contains(
            &"2026,SAL,销售部,travel,差旅,CNY,10000.00,0.00,0.00,12000.00,-2000.00".to_string()
        ),
        "{budget:?}"
    );
    assert_eq!(budget.len(), 1 + 5);

    let payments = csv_lines(&export(&d, &["payments", "--year", "2026"]));
    assert_eq!(
        payments[0],
        "type,reference,purchase_order,supplier,supplier_name,invoice,department,category,claimant,currency,amount,paid_on"
    );
    assert_eq!(
        &payments[1..],
        [
            "supplier_payment,PAY-000003,PO-000001,SUP-000001,Acme Supplies Co.,INV-3,SAL,office,,CNY,500.00,2026-09-03",
            "supplier_payment,PAY-000002,PO-000001,SUP-000001,Acme Supplies Co.,INV-2,SAL,office,,CNY,200.00,2026-11-05",
            "expense_claim,EXP-000002,,,,,SAL,travel,Tom Baker,CNY,450.00,2026-11-11",
        ]
    );

    let receivables = csv_lines(&export(&d, &["receivables", "--year", "2026"]));
    assert_eq!(
        receivables[0],
        "type,order,customer_id,date,currency,amount,outstanding"
    );
    assert_eq!(
        &receivables[1..],
        [
            "due,SO-000001,1,2026-11-15,CNY,5000.00,2000.00",
            "due,SO-000001,1,2026-12-20,CNY,5000.00,5000.00",
            "collected,SO-000002,1,2026-05-31,CNY,500.00,",
            "collected,SO-000001,1,2026-10-10,CNY,1000.00,",
            "collected,SO-000001,1,2026-11-20,CNY,2000.00,",
        ]
    );
    // No personal data of customers or suppliers' contacts.
    let all = format!("{budget:?}{payments:?}{receivables:?}");
    for private in [
        "Wang Xiaoming",
        "wxm@",
        "1380000",
        "Li Ming",
        "liming@",
        "1390000",
    ] {
        assert!(!all.contains(private), "{private} in {all}");
    }
    // Another year has headers only.
    assert_eq!(
        csv_lines(&export(&d, &["payments", "--year", "2027"])).len(),
        1
    );
}

#[tokio::test]
async fn a_bad_export_kind_or_year_exits_2_and_says_why() {
    let d = common::spawn_desk().await;
    for (args, says) in [
        (
            &["ledger", "--year", "2026"][..],
            "budget, payments or receivables",
        ),
        (&["budget", "--year", "twenty"][..], "--year"),
        (&["payments", "--year", "1999"][..], "--year"),
    ] {
        let o = export(&d, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[tokio::test]
async fn the_budget_panel_shows_each_department_for_the_year_of_the_period() {
    use bizdesk::service::panels::{Cell, Filter, Label};
    let d = common::spawn_desk().await;
    seed_budget(&d).await;
    let panel = bizdesk::registry::panels()
        .into_iter()
        .find(|p| p.id == "finance-budget")
        .unwrap();
    let mut f = Filter {
        from: "2026-10-01".parse().unwrap(),
        to: "2026-11-26".parse().unwrap(),
        department: None,
    };
    let data = (panel.run)(&d.chat.desk, &f).await.unwrap();
    assert_eq!(data.table.rows.len(), 3);
    assert_eq!(
        data.table.rows[1],
        [
            Cell::Label(Label::Both {
                en: "Sales".into(),
                zh: "销售部".into()
            }),
            Cell::Num(15_000.0),
            Cell::Num(13_500.0),
            Cell::Num(12_000.0),
            Cell::Num(90.0),
        ]
    );
    // A head's dashboard is filtered to their department; a period ending in 2025 shows 2025.
    f.department = Some("SAL".into());
    assert_eq!(
        (panel.run)(&d.chat.desk, &f)
            .await
            .unwrap()
            .table
            .rows
            .len(),
        1
    );
    f.from = "2025-01-01".parse().unwrap();
    f.to = "2025-12-31".parse().unwrap();
    let last = (panel.run)(&d.chat.desk, &f).await.unwrap();
    assert_eq!(last.table.rows[0][3], Cell::Num(7_000.0));
    assert_eq!(last.table.rows[0][4], Cell::Empty);
}
