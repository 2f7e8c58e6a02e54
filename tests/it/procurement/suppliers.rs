//! Suppliers (采购 2) as users live them: the list, qualification review, certificates and
//! their expiry with the manual clock, ratings and the scorecard, the CSV import.

use crate::common;
use bizdesk::procurement::suppliers::domain::{orderable, Orderable, Standing, SupplierStatus};
use bizdesk::procurement::suppliers::store as rows;
use common::{spawn_desk, TestDesk};

/// Certificate expiry and the quarterly evaluation, with the manual clock.
mod jobs;

async fn supplier(d: &TestDesk, id: i64) -> rows::Supplier {
    let mut conn = d.chat.desk.store.pool().acquire().await.unwrap();
    rows::get(&mut conn, id).await.unwrap().unwrap()
}

const ADD: &str = "/supplier add name:\"华东电子\" email:Sales@HuaDong.CN company:\"华东电子有限公司\" phone:\"+86 21 5555 0101\" categories:\"it, office\"";

#[tokio::test]
async fn add_show_find_list_update() {
    let d = spawn_desk().await;
    let text = d.ok("zhou.qiang", ADD).await;
    assert!(
        text.contains("SUP-000001") && text.contains("候选"),
        "{text}"
    );
    assert!(text.contains("sales@huadong.cn"), "normalised: {text}");
    let s = supplier(&d, 1).await;
    assert_eq!(s.status, SupplierStatus::Candidate);
    assert_eq!(s.categories, ["it", "office"]);
    assert_eq!(s.owner_id, d.employee("zhou.qiang").await.id);

    // Anyone reads its name and status; contacts only procurement, the central office,
    // management and auditors.
    let shown = d.ok("li.na", "/supplier show ref:SUP-000001").await;
    assert!(
        shown.contains("华东电子")
            && !shown.contains("sales@huadong.cn")
            && !shown.contains("5555"),
        "{shown}"
    );
    let shown = d.ok("chen.jie", "/supplier show ref:SUP-000001").await;
    assert!(
        shown.contains("sales@huadong.cn") && shown.contains("5555"),
        "{shown}"
    );
    let found = d.ok("tom.baker", "/supplier find text:华东").await;
    assert!(
        found.contains("SUP-000001") && !found.contains("@"),
        "{found}"
    );
    let none = d.ok("tom.baker", "/supplier find text:sales@huadong").await;
    assert!(
        none.contains("No supplier"),
        "others cannot search by email: {none}"
    );
    let listed = d.ok("tom.baker", "/supplier list status:candidate").await;
    assert!(listed.contains("SUP-000001"), "{listed}");
    let listed = d.ok("tom.baker", "/supplier list status:qualified").await;
    assert!(!listed.contains("SUP-000001"), "{listed}");

    let text = d
        .ok(
            "huang.lei",
            "/supplier update ref:SUP-000001 phone:13900001111 categories:设备 locale:en",
        )
        .await;
    assert!(text.contains("13900001111"), "{text}");
    let s = supplier(&d, 1).await;
    assert_eq!(s.categories, ["equipment"]);
    assert_eq!(s.name, "华东电子");
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'supplier.%'")
            .await,
        2
    );
}

#[tokio::test]
async fn bad_input_is_refused_in_both_languages_and_changes_nothing() {
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    d.sql("UPDATE employees SET locale = 'en' WHERE handle = 'huang.lei'")
        .await;
    let before = d.count("SELECT COUNT(*) FROM suppliers").await;
    for (who, line, expect) in [
        (
            "huang.lei",
            "/supplier add name:X email:not-an-email",
            "is not an email address",
        ),
        (
            "zhou.qiang",
            "/supplier add name:X email:not-an-email",
            "不是有效的邮箱",
        ),
        (
            "huang.lei",
            "/supplier add name:X email:SALES@huadong.cn",
            "already belongs to supplier SUP-000001",
        ),
        (
            "zhou.qiang",
            "/supplier add name:X email:sales@huadong.cn",
            "已属于供应商 SUP-000001",
        ),
        (
            "huang.lei",
            "/supplier add name:X email:x@example.com categories:toys",
            "is not a purchase category",
        ),
        (
            "zhou.qiang",
            "/supplier add name:X email:x@example.com categories:toys",
            "不是采购类别",
        ),
        (
            "huang.lei",
            "/supplier add name:X email:x@example.com locale:fr",
            "fr",
        ),
        (
            "zhou.qiang",
            "/supplier add name:X email:x@example.com locale:fr",
            "fr",
        ),
        (
            "huang.lei",
            "/supplier cert ref:SUP-000001 kind:iso expires:2027-13-45",
            "",
        ),
        (
            "zhou.qiang",
            "/supplier cert ref:SUP-000001 kind:iso expires:2027-13-45",
            "",
        ),
        (
            "huang.lei",
            "/supplier cert ref:SUP-000001 kind:iso expires:2026-01-01",
            "has passed",
        ),
        (
            "zhou.qiang",
            "/supplier cert ref:SUP-000001 kind:iso expires:2026-01-01",
            "已过",
        ),
        (
            "huang.lei",
            "/supplier rate ref:SUP-000001 quality:0 delivery:3 price:3 service:3",
            "",
        ),
        (
            "zhou.qiang",
            "/supplier rate ref:SUP-000001 quality:6 delivery:3 price:3 service:3",
            "",
        ),
        (
            "huang.lei",
            "/supplier show ref:SUP-000009",
            "There is no supplier SUP-000009",
        ),
        (
            "zhou.qiang",
            "/supplier show ref:SUP-000009",
            "没有供应商 SUP-000009",
        ),
        ("li.na", "/supplier add name:X email:x@example.com", ""),
    ] {
        let said = d.refused(who, line).await;
        assert!(said.contains(expect), "{line}: {said}");
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM suppliers").await, before);
    assert_eq!(d.count("SELECT COUNT(*) FROM supplier_certs").await, 0);
    assert_eq!(d.count("SELECT COUNT(*) FROM supplier_ratings").await, 0);
    let s = supplier(&d, 1).await;
    assert_eq!(s.email, "sales@huadong.cn");
    // An update to another supplier's email is refused too.
    d.ok("zhou.qiang", "/supplier add name:Y email:y@example.com")
        .await;
    let said = d
        .refused(
            "huang.lei",
            "/supplier update ref:SUP-000002 email:sales@huadong.cn",
        )
        .await;
    assert!(said.contains("SUP-000001"), "{said}");
    assert_eq!(supplier(&d, 2).await.email, "y@example.com");
}

#[tokio::test]
async fn qualification_goes_to_the_central_office_then_legal() {
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    let text = d
        .ok("zhou.qiang", "/supplier qualify ref:SUP-000001 note:\"site visit done\" attachment:https://files.example.com/visit.pdf")
        .await;
    assert!(text.contains("第 1 轮"), "{text}");
    let again = d
        .refused("huang.lei", "/supplier qualify ref:SUP-000001")
        .await;
    assert!(again.contains("审核中"), "{again}");
    assert_eq!(d.inbox("chen.jie").await, ["SUP-000001"]);
    // The reviewers see that the required business licence is not on file.
    let prompt = &d.notes_of("chen.jie", "approval_prompt").await[0];
    assert!(
        prompt.text.contains("尚未登记的必备证书：business_license"),
        "{}",
        prompt.text
    );
    d.ok("chen.jie", "/approval approve ref:SUP-000001").await;
    assert_eq!(supplier(&d, 1).await.status, SupplierStatus::Candidate);
    assert_eq!(d.inbox("david.wu").await, ["SUP-000001"]);
    d.ok("david.wu", "/approval approve ref:SUP-000001").await;
    let s = supplier(&d, 1).await;
    assert_eq!((s.status, s.round), (SupplierStatus::Qualified, 1));
    let shown = d.ok("tom.baker", "/supplier show ref:SUP-000001").await;
    assert!(shown.contains("qualified"), "{shown}");
    let said = d
        .refused("zhou.qiang", "/supplier qualify ref:SUP-000001")
        .await;
    assert!(said.contains("合格"), "{said}");

    // A rejected one stays a candidate and may be submitted again: round 2.
    d.ok("zhou.qiang", "/supplier add name:Y email:y@example.com")
        .await;
    d.ok("zhou.qiang", "/supplier qualify ref:SUP-000002").await;
    d.ok(
        "chen.jie",
        "/approval reject ref:SUP-000002 comment:\"no ISO\"",
    )
    .await;
    assert_eq!(supplier(&d, 2).await.status, SupplierStatus::Candidate);
    let text = d.ok("zhou.qiang", "/supplier qualify ref:SUP-000002").await;
    assert!(text.contains("第 2 轮"), "{text}");
    assert_eq!(supplier(&d, 2).await.round, 2);
}

#[tokio::test]
async fn ratings_make_the_scorecard_and_very_poor_blocks_orders() {
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    let said = d
        .ok("huang.lei", "/supplier rate ref:SUP-000001 quality:1 delivery:1 price:1 service:1 comment:\"late and broken\"")
        .await;
    assert!(said.contains("2026-Q4") && said.contains("很差"), "{said}");
    let s = supplier(&d, 1).await;
    assert_eq!((s.score, s.standing), (Some(0), Some(Standing::VeryPoor)));
    assert_eq!(
        orderable(SupplierStatus::Qualified, s.standing),
        Orderable::VeryPoor
    );
    // A second rating in the period: the means move the score (1,1,1,1 and 5,5,5,5 → 50).
    d.ok(
        "chen.jie",
        "/supplier rate ref:SUP-000001 quality:5 delivery:5 price:5 service:5",
    )
    .await;
    let s = supplier(&d, 1).await;
    assert_eq!((s.score, s.standing), (Some(50), Some(Standing::Good)));
    assert_eq!(d.count("SELECT COUNT(*) FROM supplier_scores").await, 1);
    // Next quarter, a new scorecard; the history keeps both.
    d.clock.advance(chrono::Duration::days(40));
    d.ok(
        "chen.jie",
        "/supplier rate ref:SUP-000001 quality:5 delivery:4 price:4 service:5",
    )
    .await;
    let shown = d.ok("tom.baker", "/supplier show ref:SUP-000001").await;
    assert!(
        shown.contains("2027-Q1") && shown.contains("2026-Q4"),
        "{shown}"
    );
    let s = supplier(&d, 1).await;
    assert_eq!(s.standing, Some(Standing::Excellent));
}

#[tokio::test]
async fn import_adds_good_rows_and_reports_bad_ones_with_their_lines() {
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    let csv = "name,email,company,categories,locale\n\
               Acme,acme@example.com,Acme Ltd,it;office,en\n\
               Bad,not-an-email,,,\n\
               Dup,SALES@huadong.cn,,,\n\
               Toys,toys@example.com,,toys,\n\
               好办公,office@example.cn,,办公用品,中文\n";
    let actor = d.employee("zhou.qiang").await;
    let report = bizdesk::procurement::suppliers::import::import(&d.chat.desk, &actor, csv)
        .await
        .unwrap();
    let added: Vec<(usize, &str)> = report
        .added
        .iter()
        .map(|(l, s)| (*l, s.name.as_str()))
        .collect();
    assert_eq!(added, [(2, "Acme"), (6, "好办公")]);
    let refused: Vec<(usize, &str)> = report.refused.iter().map(|(l, m)| (*l, m[0].key)).collect();
    assert_eq!(
        refused,
        [
            (3, "customer.bad_email"),
            (4, "supplier.duplicate_email"),
            (5, "supplier.unknown_category")
        ]
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM suppliers").await, 3);
    let s = supplier(&d, 3).await;
    assert_eq!(s.categories, ["office"]);
    // Someone outside procurement and the central office imports nothing.
    let li = d.employee("li.na").await;
    assert!(
        bizdesk::procurement::suppliers::import::import(&d.chat.desk, &li, csv)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn show_tells_status_review_certificates_and_scorecard() {
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    d.ok(
        "zhou.qiang",
        "/supplier qualify ref:SUP-000001 note:\"visited\"",
    )
    .await;
    d.ok(
        "zhou.qiang",
        "/supplier cert ref:SUP-000001 kind:\"ISO 9001\" expires:2027-12-01",
    )
    .await;
    d.ok(
        "zhou.qiang",
        "/supplier rate ref:SUP-000001 quality:4 delivery:3 price:3 service:5",
    )
    .await;
    d.sql("UPDATE employees SET locale = 'en' WHERE handle = 'huang.lei'")
        .await;
    let shown = d.ok("huang.lei", "/supplier show ref:SUP-000001").await;
    for expect in [
        "SUP-000001 · 华东电子 · 华东电子有限公司 · candidate",
        "Categories: IT equipment, Office supplies",
        "Email: sales@huadong.cn",
        "Qualification: waiting at Central office",
        "iso_9001 valid until 2027-12-01",
        "Score 70 · good",
        "2026-Q4: 70 good · ratings (1): quality 75, delivery 50, price 50, service 100",
    ] {
        assert!(shown.contains(expect), "{expect} not in:\n{shown}");
    }
    let prompt = d.notes_of("chen.jie", "approval_prompt").await;
    assert!(
        prompt[0]
            .text
            .contains("华东电子 · 华东电子有限公司 · it, office"),
        "{}",
        prompt[0].text
    );
    assert!(
        !prompt[0].text.contains("sales@huadong.cn"),
        "{}",
        prompt[0].text
    );
}

#[tokio::test]
async fn bizdesk_suppliers_import_reports_each_bad_row_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = bizdesk::store::fresh::fresh_url(common::postgres().as_deref(), dir.path(), "sup")
        .await
        .unwrap();
    let file = dir.path().join("suppliers.csv");
    std::fs::write(
        &file,
        "名称,邮箱,类别\nAcme,buyer@acme.com,it\nBad,bad@,\nToys,toys@example.com,toys\n",
    )
    .unwrap();
    let run = |who: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_bizdesk"))
            .args(["suppliers", "import", file.to_str().unwrap(), "--as", who])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("BIZDESK__DATABASE__URL", &url)
            .env("BIZDESK__TEMPLATES__DIR", "")
            .env("HOME", dir.path())
            .env("BIZDESK__SECURITY__KEY_FILE", dir.path().join("keys"))
            .env("BIZDESK__SMTP__DROP_DIR", dir.path().join("outbox"))
            .env("BIZDESK__COMPANY__LOCALE", "en")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code(), text)
    };
    let (code, t) = run("huang.lei");
    assert_eq!(code, Some(2), "{t}");
    assert!(t.contains("imported 1 suppliers; 2 rows refused"), "{t}");
    assert!(t.contains("line 2: SUP-000001 Acme"), "{t}");
    assert!(
        t.contains("line 3: refused: `bad@` is not an email address"),
        "{t}"
    );
    assert!(
        t.contains("line 4: refused: “toys” is not a purchase category"),
        "{t}"
    );
    let (code, t) = run("li.na");
    assert_eq!(code, Some(2), "{t}");
    assert!(!t.contains("imported"), "{t}");
}

#[tokio::test]
async fn two_qualifications_at_once_open_one_review() {
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    let (a, b) = tokio::join!(
        d.run("zhou.qiang", "/supplier qualify ref:SUP-000001"),
        d.run("huang.lei", "/supplier qualify ref:SUP-000001"),
    );
    assert!(
        a.ok != b.ok,
        "one passes, one is refused: {} / {}",
        a.text,
        b.text
    );
    let refused = if a.ok { &b } else { &a };
    assert!(
        !refused.internal && refused.text.contains("审核中"),
        "{}",
        refused.text
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM approvals WHERE subject_kind = 'supplier'")
            .await,
        1
    );
    assert_eq!(supplier(&d, 1).await.round, 1);
}

#[tokio::test]
async fn every_supplier_message_renders_in_both_languages() {
    use bizdesk::domain::{Locale, Msg};
    let d = spawn_desk().await;
    let msgs = [
        Msg::new("supplier.name_required"),
        Msg::new("supplier.email_required"),
        Msg::new("supplier.unknown_category")
            .arg("category", "toys")
            .arg("choices", "it, office"),
        Msg::new("supplier.duplicate_email")
            .arg("email", "a@b.cn")
            .arg("ref", "SUP-000001")
            .arg("name", "A"),
        Msg::new("supplier.not_found").arg("ref", "SUP-000009"),
        Msg::new("supplier.bad_mark")
            .arg("field", "delivery")
            .arg("value", 0),
        Msg::new("supplier.bad_url"),
        Msg::new("supplier.bad_cert_kind").arg("value", "证书"),
        Msg::new("supplier.cert_past").arg("date", "2026-01-01"),
        Msg::new("supplier.review_pending").arg("ref", "SUP-000001"),
        Msg::new("supplier.already_qualified")
            .arg("ref", "SUP-000001")
            .arg("status", "suspended"),
        Msg::new("supplier.csv_unknown_column")
            .arg("column", "x")
            .arg("columns", "name,email"),
        Msg::new("supplier.csv_columns"),
    ];
    for locale in [Locale::En, Locale::ZhCn] {
        for m in &msgs {
            let text = d.chat.renderer.try_msg(locale, m).unwrap();
            assert!(
                !text.is_empty() && !text.contains("{{"),
                "{}: {text}",
                m.key
            );
        }
    }
    let zh = d.chat.renderer.try_msg(Locale::ZhCn, &msgs[5]).unwrap();
    assert!(zh.starts_with("交付评分"), "{zh}");
    let zh = d.chat.renderer.try_msg(Locale::ZhCn, &msgs[10]).unwrap();
    assert!(zh.contains("暂停"), "{zh}");
}

#[tokio::test]
async fn supplier_references_are_suggested_while_typing() {
    use bizdesk::service::suggest::{suggest, Field};
    let d = spawn_desk().await;
    d.ok("zhou.qiang", ADD).await;
    d.ok(
        "zhou.qiang",
        "/supplier add name:Acme email:acme@example.com",
    )
    .await;
    let tom = d.employee("tom.baker").await;
    let field = Field::for_option("ref", Some("SUP")).unwrap();
    let got = suggest(&d.chat.desk, &tom, field, "acme").await;
    let values: Vec<&str> = got.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(values, ["SUP-000002"]);
    assert!(got[0].label.contains("Acme"), "{:?}", got[0]);
    let any = suggest(&d.chat.desk, &tom, Field::Reference { kind: None }, "").await;
    assert!(any.iter().all(|s| !s.value.starts_with("SUP-")), "{any:?}");
}
