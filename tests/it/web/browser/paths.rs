//! The main paths as a new user walks them in a real browser: sign in from the emailed link,
//! approve from the inbox on a phone, approve from an email link (the GET changes nothing),
//! and read the dashboards after a morning's work.

use super::{links_in_emails, Browser, Size};
use crate::web::serve;
use fantoccini::key::Key;
use std::time::{Duration, Instant};

/// Polls `check` until it holds (or fails after ten seconds saying `what`).
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "gave up waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_from_the_emailed_link_at_phone_width() {
    let w = serve().await;
    let mine = w.d.submit("li.na", "Toner", 3, "1000").await;
    let Some(b) = Browser::open(&w, "signin", Size::Phone).await else {
        return;
    };
    b.goto("/").await;
    b.wait("form#signin").await;
    b.assert_usable().await;
    b.shot("1-form").await;
    b.fill("email", "li.na@example.com").await;
    b.click("signin-send").await;
    let w = &w;
    until("a sign-in email in the outbox", move || async move {
        // Her request's receipt is an email too: wait for the sign-in link's own.
        w.d.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND kind = 'signin_link'")
            .await
            > 0
    })
    .await;
    b.shot("2-sent").await;
    w.d.send_all_email().await;
    // The newest email to her carries the link (quoted-printable in the file).
    let links = links_in_emails(w, "li.na@example.com", "/");
    let link = links
        .iter()
        .find(|l| l.len() > 20)
        .unwrap_or_else(|| panic!("no sign-in link in her email: {links:?}"))
        .clone();
    b.goto(&link).await;
    b.wait("#signin-continue").await;
    b.assert_usable().await;
    b.shot("3-continue").await;
    // Opening the link (as a mail scanner would) signed nobody in.
    assert_eq!(w.d.count("SELECT COUNT(*) FROM web_sessions").await, 0);
    b.click("signin-continue").await;
    b.wait_path("/inbox").await;
    b.wait("#signout").await;
    b.assert_usable().await;
    b.shot("4-inbox").await;
    assert_eq!(w.d.count("SELECT COUNT(*) FROM web_sessions").await, 1);
    // Her requests, one tap away.
    b.click("nav-mine").await;
    b.wait(&format!("article.request[data-ref=\"{mine}\"]"))
        .await;
    b.assert_usable().await;
    b.shot("5-mine").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_from_the_inbox_at_phone_width() {
    let w = serve().await;
    // 80,000 CNY: her head, then the central office, then finance.
    let r = w.d.submit("li.na", "ThinkPad X1", 2, "40000").await;
    let s = w.session("wang.fang").await;
    let Some(b) = Browser::open(&w, "inbox", Size::Phone).await else {
        return;
    };
    b.sign_in_with(&s).await;
    b.goto("/inbox").await;
    let article = b.wait(&format!("article.task[data-ref=\"{r}\"]")).await;
    let id = article.attr("id").await.unwrap().unwrap_or_default();
    let task = id.strip_prefix("task-").expect("article id task-{task_id}");
    assert!(
        b.page_text().await.contains("ThinkPad X1"),
        "the task shows what is asked"
    );
    b.assert_usable().await;
    b.shot("1-inbox").await;
    b.fill(&format!("comment-{task}"), "预算内，同意").await;
    b.click(&format!("approve-{task}")).await;
    let flash = b.text("#flash").await;
    assert!(!flash.trim().is_empty());
    b.wait_path("/inbox").await;
    assert!(
        !b.has(&format!("#task-{task}")).await,
        "the decided task left the inbox"
    );
    b.assert_usable().await;
    b.shot("2-decided").await;
    // The search box takes the reference to its page, which tells the story with her comment.
    b.fill("q", &format!("{r}{}", Key::Enter)).await;
    b.wait_path(&format!("/r/{r}")).await;
    let story = b.text("#ref-story").await;
    assert!(story.contains("预算内，同意"), "{story}");
    b.assert_usable().await;
    b.shot("3-reference").await;
    b.close().await;
    // The chat tells the same story: her head approved with the comment; the central office
    // has it now.
    let story = w.d.ok("li.na", &format!("/requisition show ref:{r}")).await;
    assert!(story.contains("预算内，同意"), "{story}");
    assert!(!w.d.inbox("wang.fang").await.contains(&r));
    assert!(w.d.inbox("chen.jie").await.contains(&r));
    let on_the_web =
        w.d.count("SELECT COUNT(*) FROM audit_events WHERE summary LIKE '%(on the web)%'")
            .await;
    assert_eq!(
        on_the_web, 1,
        "the audit trail says it was decided on the web"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_from_an_email_link_confirms_before_deciding() {
    let w = serve().await;
    let r = w.d.submit("li.na", "Toner", 3, "1000").await;
    w.d.send_all_email().await;
    let links = links_in_emails(&w, "wang.fang@example.com", "/a/");
    let approve = links
        .iter()
        .find(|l| l.contains("d=approve"))
        .unwrap_or_else(|| panic!("no Approve link in her prompt email: {links:?}"))
        .clone();
    let Some(b) = Browser::open(&w, "email-link", Size::Phone).await else {
        return;
    };
    // Not signed in: the link alone opens the confirmation.
    b.goto(&approve).await;
    b.wait("form#link-form").await;
    b.assert_usable().await;
    b.shot("1-confirm").await;
    // The GET (what a mail scanner does) decided nothing.
    assert!(w.d.inbox("wang.fang").await.contains(&r));
    b.fill("comment", "可以").await;
    b.click("link-confirm").await;
    let flash = b.text("#flash").await;
    assert!(!flash.trim().is_empty());
    b.assert_usable().await;
    b.shot("2-decided").await;
    assert!(!w.d.inbox("wang.fang").await.contains(&r));
    let from_email =
        w.d.count("SELECT COUNT(*) FROM audit_events WHERE summary LIKE '%(from email)%'")
            .await;
    assert_eq!(
        from_email, 1,
        "the audit trail says it was decided from email"
    );
    // Opened again, the link says who decided and offers nothing to press.
    b.goto(&approve).await;
    b.wait("main").await;
    b.shot("3-again").await;
    assert!(!b.has("#link-form").await, "a used link offers no form");
    let text = b.page_text().await;
    assert!(text.contains("王芳"), "says who decided: {text}");
    b.close().await;
}

/// The README's walkthroughs, shortened, so that every panel has something to draw:
/// requisitions approved, rejected and left waiting past their reminder; a complaint logged,
/// answered, resolved and scored; an opportunity; a sales order with an overdue installment
/// and a payment; a supplier qualified, a PO sent, received and its invoice approved.
async fn a_few_days_of_work(d: &crate::common::TestDesk) {
    let big = d.submit("tom.baker", "ThinkPad X1", 2, "40000").await;
    d.advance(3600).await;
    for who in ["wang.fang", "chen.jie", "zhao.min"] {
        d.ok(who, &format!("/approval approve ref:{big}")).await;
    }
    let chair = d.submit("li.na", "Gaming chair", 1, "9000").await;
    d.advance(1800).await;
    d.ok(
        "wang.fang",
        &format!("/approval reject ref:{chair} comment:\"not in budget\""),
    )
    .await;
    let toner = d.submit("li.na", "Toner", 3, "1000").await;
    d.ok("wang.fang", &format!("/approval approve ref:{toner}"))
        .await;
    d.submit("tom.baker", "Monitor", 4, "2000").await;
    // Customer service.
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" company:\"华东电子\" email:zj@huadong.cn",
    )
    .await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:email kind:complaint subject:\"申请退款\" details:\"多扣款\"").await;
    d.advance(1200).await;
    d.ok("xu.jing", "/inquiry reply ref:INQ-000001 text:\"已收到\"")
        .await;
    d.ok(
        "xu.jing",
        "/inquiry resolve ref:INQ-000001 resolution:\"已退款\"",
    )
    .await;
    let survey = d.survey_url().await;
    let token = survey.rsplit('/').next().unwrap();
    bizdesk::service_desk::satisfaction::service::record(&d.chat.desk, token, 4, None)
        .await
        .unwrap();
    // Sales.
    d.ok(
        "li.na",
        "/opportunity new customer:#1 title:\"办公室装修三层\" value:250000",
    )
    .await;
    d.ok(
        "li.na",
        "/order new customer:#1 items:\"27寸显示器 × 20\" amount:36000",
    )
    .await;
    d.ok(
        "li.na",
        "/order terms ref:SO-000001 due:2026-11-27 amount:20000",
    )
    .await;
    d.ok("li.na", "/order paid ref:SO-000001 amount:5000").await;
    // Procurement: the approved ThinkPads bought from a qualified supplier.
    d.ok(
        "huang.lei",
        "/supplier add name:\"Acme Laptops\" email:sales@acme.example company:\"Acme Ltd\" categories:it locale:en",
    )
    .await;
    d.ok("huang.lei", "/supplier qualify ref:SUP-000001 note:\"ok\"")
        .await;
    d.ok("chen.jie", "/approval approve ref:SUP-000001").await;
    d.ok("david.wu", "/approval approve ref:SUP-000001").await;
    d.ok(
        "huang.lei",
        &format!("/po new requisition:{big} supplier:SUP-000001 delivery:2026-12-03"),
    )
    .await;
    for who in ["chen.jie", "zhao.min"] {
        d.ok(who, "/approval approve ref:PO-000001").await;
    }
    d.ok("tom.baker", "/receipt new po:PO-000001 accepted:2")
        .await;
    d.ok(
        "huang.lei",
        "/payment request po:PO-000001 invoice:ACME-1 amount:80000 due:2026-12-20",
    )
    .await;
    d.ok("zhao.min", "/approval approve ref:PAY-000001").await;
    // Three days on: the monitor waited past its reminder; the installment is overdue.
    d.advance(3 * 86_400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_draw_charts_after_a_few_days_of_work() {
    let w = serve().await;
    a_few_days_of_work(&w.d).await;
    let s = w.session("chen.jie").await;
    let Some(b) = Browser::open(&w, "dash", Size::Desktop).await else {
        return;
    };
    b.sign_in_with(&s).await;
    b.goto("/dash").await;
    b.wait("section.panel svg.chart").await;
    b.shot("1-desktop").await;
    b.shot_of("#panel-sales-revenue", "1-revenue").await;
    // Every panel draws marks (bars, lines, points: not only its axes, grid and legend), has
    // its table and its CSV download.
    let panels = b
        .js("return Array.from(document.querySelectorAll('section.panel')).map(p => [p.id, \
             p.querySelectorAll('svg.chart').length, \
             p.querySelectorAll('svg.chart rect:not(.swatch), svg.chart path:not(.axis):not(.grid), \
             svg.chart circle').length, \
             p.querySelectorAll('table').length, \
             p.querySelectorAll('a[id^=\"csv-\"]').length])")
        .await;
    let panels = panels.as_array().unwrap().clone();
    assert!(!panels.is_empty(), "no panels on /dash");
    let mut empty = Vec::new();
    for p in &panels {
        let (id, charts, marks, tables, csv) = (&p[0], &p[1], &p[2], &p[3], &p[4]);
        assert!(
            id.as_str().is_some_and(|i| i.starts_with("panel-")),
            "{p:?}"
        );
        assert_eq!(charts, 1, "one chart in {id}");
        assert!(tables.as_u64() >= Some(1), "a table in {id}");
        assert_eq!(csv, 1, "a CSV link in {id}");
        if marks.as_u64() == Some(0) {
            empty.push(id.clone());
        }
    }
    assert!(
        empty.is_empty(),
        "charts with no marks: {empty:?} of {panels:?}"
    );
    // On a phone the same page stacks its panels and nothing scrolls sideways.
    b.resize(Size::Phone).await;
    b.assert_usable().await;
    b.shot("2-phone").await;
    b.shot_of("#panel-approvals-pending", "2-phone-pending")
        .await;
    b.close().await;
}
