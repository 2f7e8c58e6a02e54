//! `/dash` over HTTP: every registered panel with a chart, a table and a CSV after a short
//! walkthrough; who may see which department; filters refused with a message; the live
//! version changes when a decision is made.

use super::{serve, Session, WebDesk};
use crate::common::TestDesk;

/// Who may decide a requisition in the sample workflows.
const APPROVERS: [&str; 6] = [
    "wang.fang",
    "zhou.qiang",
    "chen.jie",
    "zhao.min",
    "zhang.wei",
    "liu.yang",
];

/// Approves every open task on `r` until none is left (or gives up after a few rounds).
async fn approve_all(d: &TestDesk, r: &str) {
    for _ in 0..6 {
        let mut any = false;
        for a in APPROVERS {
            if d.inbox(a).await.iter().any(|x| x == r) {
                d.ok(a, &format!("/approval approve ref:{r}")).await;
                any = true;
            }
        }
        if !any {
            return;
        }
    }
}

/// The HTML of one panel's `<section>`.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"panel-{id}\""))
        .unwrap_or_else(|| panic!("no panel {id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// Whether a panel's chart has marks (bars or points), not the "no data yet" state.
fn has_marks(section: &str) -> bool {
    section.contains("<rect class=\"bar\"") || section.contains("<circle")
}

/// An attribute's value as the browser reads it.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// A desk where a requisition was decided and another waits, an order was booked with an
/// installment now overdue and partly paid, and a complaint was answered and resolved.
async fn walkthrough() -> WebDesk {
    let w = serve().await;
    let d = &w.d;
    let done = d.submit("li.na", "Laptop", 2, "6000").await;
    approve_all(d, &done).await;
    d.submit("li.na", "Printer", 1, "2500").await;
    d.ok(
        "li.na",
        "/customer add name:\"王五\" company:\"华东电子\" email:ww@example.com",
    )
    .await;
    d.ok(
        "li.na",
        "/opportunity new customer:#1 title:\"三层装修\" value:250000",
    )
    .await;
    d.ok(
        "li.na",
        "/order new customer:#1 items:\"500 chairs\" amount:10000",
    )
    .await;
    let due = d.chat.desk.today() + chrono::Duration::days(2);
    d.ok("li.na", &format!("/order terms ref:SO-000001 due:{due}"))
        .await;
    d.ok("li.na", "/order paid ref:SO-000001 amount:4000").await;
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn",
    )
    .await;
    d.ok(
        "xu.jing",
        "/inquiry log customer:#2 channel:email kind:complaint subject:\"退款\" details:\"多扣款\"",
    )
    .await;
    d.ok("xu.jing", "/inquiry reply ref:INQ-000001 text:\"已收到\"")
        .await;
    d.ok(
        "xu.jing",
        "/inquiry resolve ref:INQ-000001 resolution:\"已退款\"",
    )
    .await;
    // Ten days on: the waiting requisition was reminded, the installment is overdue.
    d.advance(10 * 86_400).await;
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_central_office_sees_every_panel_with_its_chart_table_and_csv() {
    let w = walkthrough().await;
    let s = w.session("chen.jie").await;
    let (status, page) = w.get(Some(&s), "/dash").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        unescape(&page).contains("data-live=\"/dash/version?"),
        "{page}"
    );
    for p in bizdesk::registry::panels() {
        let sec = section(&page, p.id);
        assert!(sec.contains("<svg class=\"chart\" role=\"img\""), "{sec}");
        assert!(sec.contains("<table>"), "{sec}");
        assert!(sec.contains(&format!("id=\"csv-{}\"", p.id)), "{sec}");
    }
    for id in [
        "approvals-pending",
        "approvals-cycle",
        "approvals-nudges",
        "sales-revenue",
        "sales-pipeline",
        "sales-overdue",
        "service-sla",
        "service-times",
        "service-complaints",
    ] {
        assert!(
            has_marks(section(&page, id)),
            "{id}: {}",
            section(&page, id)
        );
    }
    // Complaint categories by the names routing.toml gives them, not their codes.
    let complaints = section(&page, "service-complaints");
    assert!(
        complaints.contains("账务") && !complaints.contains(">billing<"),
        "{complaints}"
    );
    // Booked 10,000 and collected 4,000 this month; 6,000 overdue.
    let revenue = section(&page, "sales-revenue");
    let month = "2026-11"; // the sample desk's clock starts on 2026-11-26
    let row = format!(
        "<th scope=\"row\">{month}</th><td class=\"num\">10000</td><td class=\"num\">4000</td>"
    );
    assert!(revenue.contains(&row), "{revenue}");
    assert!(section(&page, "sales-overdue").contains("<td class=\"num\">6000</td>"));
    // The CSV of the revenue panel has the same numbers.
    let href = revenue
        .split("id=\"csv-sales-revenue\" href=\"")
        .nth(1)
        .unwrap();
    let href = unescape(&href[..href.find('"').unwrap()]);
    let r = w
        .http
        .get(format!("{}{href}", w.base))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cd.starts_with("attachment;"), "{cd}");
    let csv = String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap();
    assert!(
        csv.starts_with("\u{feff}月份,签约额,回款额\n"),
        "a BOM for Excel, then the header: {csv}"
    );
    assert!(csv.contains(&format!("\n{month},10000,4000\n")), "{csv}");
    // One area only.
    let (_, sales) = w.get(Some(&s), "/dash?area=sales").await;
    assert!(sales.contains("id=\"panel-sales-revenue\""));
    assert!(!sales.contains("id=\"panel-approvals-pending\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_see_their_department_others_are_refused_and_filters_are_checked() {
    let w = serve().await;
    // Only a purchasing requisition waits.
    w.d.submit("huang.lei", "Toner", 3, "300").await;
    let boss = w.session("chen.jie").await;
    let (_, all) = w.get(Some(&boss), "/dash").await;
    assert!(has_marks(section(&all, "approvals-pending")));
    // The sales head sees sales only, whatever she asks for.
    let head = w.session("wang.fang").await;
    let (status, own) = w.get(Some(&head), "/dash?dept=PUR").await;
    assert_eq!(status, 200, "{own}");
    assert!(own.contains("id=\"dash-forced\""));
    assert!(!has_marks(section(&own, "approvals-pending")));
    assert!(unescape(&own).contains("/dash/version?from="));
    assert!(own.contains("dept=SAL"));
    assert!(!own.contains("value=\"PUR\""));
    // A plain employee gets a clear refusal everywhere.
    let li = w.session("li.na").await;
    for path in ["/dash", "/dash/sales-revenue.csv", "/dash/version"] {
        let (status, body) = w.get(Some(&li), path).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(body.contains("problem-page"), "{body}");
    }
    // Filters that make no sense are refused with a message.
    for (path, words) in [
        (
            "/dash?from=2026-05-01&to=2026-04-01",
            "结束日期早于开始日期",
        ),
        ("/dash?from=yesterday", "不是有效日期"),
        ("/dash?to=2026-02-30", "不是有效日期"),
        ("/dash?dept=NOPE", "没有“NOPE”这个部门"),
        ("/dash/version?area=weather", "没有“weather”这个领域"),
        ("/dash/sales-revenue.csv?from=1999-01-01", "不是有效日期"),
    ] {
        let (status, body) = w.get(Some(&boss), path).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body.contains(words), "{path}: {body}");
    }
    let (status, _) = w.get(Some(&boss), "/dash/nothing.csv").await;
    assert_eq!(status, 404);
    let tom = w.session("tom.baker").await;
    let (_, en) = w.get(Some(&tom), "/dash").await;
    assert!(en.contains("The dashboards are not open to you"), "{en}");
}

/// The live version of `s`'s dashboard.
async fn version(w: &WebDesk, s: &Session) -> String {
    let (status, v) = w.get(Some(s), "/dash/version").await;
    assert_eq!(status, 200, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_version_changes_when_a_decision_is_made() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Laptop", 1, "6000").await;
    let s = w.session("zhao.min").await;
    let before = version(&w, &s).await;
    assert_eq!(before.len(), 16, "{before}");
    assert_eq!(version(&w, &s).await, before, "nothing changed");
    approve_all(&w.d, &r).await;
    let after = version(&w, &s).await;
    assert_ne!(after, before);
    let (_, page) = w.get(Some(&s), "/dash").await;
    assert!(page.contains(&format!("data-version=\"{after}\"")));
}

/// Not a timed test (run by hand with `--ignored --nocapture`): how long `/dash` takes with
/// 100,000 decided and 5,000 pending approvals, cold (computed) and warm (cached).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn dashboard_timing_with_many_approvals() {
    let w = serve().await;
    let now = bizdesk::store::to_ms(w.d.chat.desk.now());
    let seed = |sql: &str| sql.replace("NOW", &now.to_string());
    let numbers =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < COUNT) ";
    w.d.sql(&seed(&format!(
        "INSERT INTO approvals (subject_kind, subject_id, subject_ref, round, requester_id, policy, \
         snapshot, status, current_stage, version, created_at, closed_at) \
         {} SELECT 'requisition', 1000000 + i, 'REQ-' || i, 1, 1 + i % 10, 'requisition', '{{}}', \
         'approved', NULL, 1, NOW - CAST(i AS BIGINT) * 300000 - 7200000, NOW - CAST(i AS BIGINT) * 300000 FROM n",
        numbers.replace("COUNT", "100000")
    )))
    .await;
    w.d.sql(&seed(&format!(
        "INSERT INTO approvals (subject_kind, subject_id, subject_ref, round, requester_id, policy, \
         snapshot, status, current_stage, version, created_at, closed_at) \
         {} SELECT 'requisition', 2000000 + i, 'REQ-P' || i, 1, 1 + i % 10, 'requisition', '{{}}', \
         'pending', 0, 1, NOW - CAST(i AS BIGINT) * 60000, NULL FROM n",
        numbers.replace("COUNT", "5000")
    )))
    .await;
    w.d.sql(
        "INSERT INTO approval_stages (approval_id, idx, name, name_zh, mode, required, approvers, \
         status, started_at) SELECT id, 0, 'Head', '负责人', 'any', 1, 'role:dept_head', 'active', \
         created_at FROM approvals WHERE status = 'pending' AND subject_id >= 2000000",
    )
    .await;
    let s = w.session("chen.jie").await;
    let mut times = Vec::new();
    for i in 0..21 {
        let t = std::time::Instant::now();
        let (status, page) = w.get(Some(&s), "/dash").await;
        assert_eq!(status, 200, "{page}");
        if i == 0 {
            println!("cold /dash: {:?} ({} bytes)", t.elapsed(), page.len());
        } else {
            times.push(t.elapsed());
        }
    }
    times.sort();
    println!("warm /dash: median {:?}, max {:?}", times[10], times[19]);
}
