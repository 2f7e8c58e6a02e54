//! The satisfaction page customers reach from the resolution email: a GET shows the choice
//! (a mail scanner opening the link cannot vote), a POST records it once, forged and expired
//! links are refused — over real HTTP on 127.0.0.1.

use crate::common;
use common::spawn_desk;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_is_recorded_once_and_forged_or_expired_links_are_refused() {
    let d = spawn_desk().await;
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" email:zj@huadong.cn locale:zh-CN",
    )
    .await;
    d.ok("xu.jing", "/inquiry log customer:#1 channel:email kind:complaint subject:\"申请退款\" details:\"多扣款\"").await;
    d.ok(
        "zhao.min",
        "/inquiry resolve ref:INQ-000001 resolution:\"已退款\"",
    )
    .await;
    let survey = d.survey_url().await;
    assert!(
        survey.starts_with("http://127.0.0.1:8080/satisfaction/"),
        "{survey}"
    );
    let token = survey.rsplit('/').next().unwrap().to_string();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = bizdesk::web::router(
        d.chat.clone(),
        bizdesk::web::WebSettings::from_config(&d.config),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/satisfaction/{token}");
    let score = || async {
        let (s,): (Option<i64>,) =
            sqlx::query_as("SELECT satisfaction FROM inquiries WHERE id = 1")
                .fetch_one(d.chat.desk.store.pool())
                .await
                .unwrap();
        s
    };

    // The email's link for 4: the page preselects it, and nothing is recorded by opening it.
    let page = http.get(format!("{url}?score=4")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("value=\"4\" required checked") && html.contains("INQ-000001"),
        "{html}"
    );
    assert!(
        html.contains("您对 INQ-000001 的处理是否满意"),
        "in the customer's language: {html}"
    );
    assert_eq!(score().await, None, "a GET never votes");

    let post = http
        .post(&url)
        .form(&[("score", "5"), ("comment", "处理很快 <b>谢谢</b>")])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    assert!(post.text().await.unwrap().contains("感谢您的评价"));
    assert_eq!(score().await, Some(5));
    let again = http
        .post(&url)
        .form(&[("score", "1")])
        .send()
        .await
        .unwrap();
    let again = again.text().await.unwrap();
    assert!(
        again.contains("已记录评价") && again.contains("5 分"),
        "{again}"
    );
    assert_eq!(score().await, Some(5), "recorded once");
    assert!(http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("已记录评价"));

    // Forged: a changed signature, another inquiry's number, or anything else.
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for bad in [forged, token.replacen("1-", "2-", 1), "hello".to_string()] {
        let r = http
            .get(format!("http://{addr}/satisfaction/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let r = http
            .post(format!("http://{addr}/satisfaction/{bad}"))
            .form(&[("score", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    let report = d.ok("chen.jie", "/report service").await;
    assert!(
        report.contains("满意度：平均 5.0 分（共 1 份评价"),
        "{report}"
    );
    assert_eq!(
        d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'inquiry.satisfaction'")
            .await,
        1
    );

    // After 30 days the link has expired.
    d.clock.advance(chrono::Duration::days(31));
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 410);
    assert!(r.text().await.unwrap().contains("链接已过期"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_score_is_asked_for_and_pages_follow_the_browser_language() {
    let d = spawn_desk().await;
    // No language on record for the first customer; the second reads Chinese.
    d.ok(
        "xu.jing",
        "/customer add name:\"Ann Lee\" email:ann@acme.com",
    )
    .await;
    d.ok(
        "xu.jing",
        "/customer add name:\"周军\" email:zj@huadong.cn locale:zh-CN",
    )
    .await;
    for customer in ["#1", "#2"] {
        d.ok("xu.jing", &format!("/inquiry log customer:{customer} channel:email kind:complaint subject:\"Refund\" details:\"charged twice\"")).await;
    }
    for r in ["INQ-000001", "INQ-000002"] {
        d.ok(
            "zhao.min",
            &format!("/inquiry resolve ref:{r} resolution:\"refunded\""),
        )
        .await;
    }
    let payloads: Vec<(String,)> =
        sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'inquiry_resolved' ORDER BY id")
            .fetch_all(d.chat.desk.store.pool())
            .await
            .unwrap();
    let token = |i: usize| {
        let p: serde_json::Value = serde_json::from_str(&payloads[i].0).unwrap();
        let url = p["survey_url"].as_str().unwrap().to_string();
        url.rsplit('/').next().unwrap().to_string()
    };
    let (ann, zhou) = (token(0), token(1));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = bizdesk::web::router(
        d.chat.clone(),
        bizdesk::web::WebSettings::from_config(&d.config),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let url = |token: &str| format!("http://{addr}/satisfaction/{token}");
    const EN: &str = "en-US,en;q=0.9";
    const ZH: &str = "zh-CN,zh;q=0.9,en;q=0.8";
    let get = |token: String, lang: Option<&'static str>| {
        let mut r = http.get(url(&token));
        if let Some(l) = lang {
            r = r.header("Accept-Language", l);
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let post = |token: String, lang: &'static str, form: Vec<(&'static str, &'static str)>| {
        let r = http
            .post(url(&token))
            .header("Accept-Language", lang)
            .form(&form);
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };

    // A customer with no language on record: the browser's.
    let (status, html) = get(ann.clone(), Some(EN)).await;
    assert_eq!(status, 200);
    assert!(html.contains("How satisfied are you"), "{html}");
    // The customer's own language wins over the browser's.
    let (_, html) = get(zhou.clone(), Some(EN)).await;
    assert!(html.contains("是否满意"), "{html}");

    // No score, or one outside 1–5: the form again, saying what is missing, the comment kept.
    let (status, html) = post(ann.clone(), EN, vec![("comment", "fast <b>thanks</b>")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Please pick a score from 1 to 5")
            && html.contains(">fast &lt;b&gt;thanks&lt;")
            && !html.contains("<b>"),
        "{html}"
    );
    let (status, html) = post(zhou.clone(), EN, vec![("score", "9")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("请先选择 1–5 分"), "{html}");
    let (status, _) = post(ann.clone(), EN, vec![("score", "")]).await;
    assert_eq!(status, 422);
    let (score,): (Option<i64>,) =
        sqlx::query_as("SELECT satisfaction FROM inquiries WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(score, None, "nothing recorded");

    // A link that is not ours: the browser's language, else the company's (zh-CN here).
    let (status, html) = get("hello".into(), Some(EN)).await;
    assert_eq!(status, 400);
    assert!(html.contains("This link is not valid"), "{html}");
    let (_, html) = get("hello".into(), Some(ZH)).await;
    assert!(html.contains("链接无效"), "{html}");
    let (_, html) = get("hello".into(), None).await;
    assert!(html.contains("链接无效"), "{html}");
    let (_, html) = post("hello".into(), "en", vec![("score", "3")]).await;
    assert!(html.contains("This link is not valid"), "{html}");

    // Expired: the browser's language too.
    d.clock.advance(chrono::Duration::days(31));
    let (status, html) = get(zhou, Some(EN)).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link has expired"), "{html}");
}

/// Links signed with the key the database held before key files keep working until they
/// expire; a copy of that key (in an old backup) cannot sign new ones that outlive them.
#[tokio::test]
async fn links_signed_with_the_retired_key_work_only_within_their_lifetime() {
    use bizdesk::service_desk::satisfaction::domain::sign;
    use bizdesk::service_desk::satisfaction::service::{open, Page};
    let d = spawn_desk().await;
    d.ok("xu.jing", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok(
        "xu.jing",
        "/inquiry log customer:#1 channel:email kind:inquiry subject:\"发票\" details:\"补开\"",
    )
    .await;
    let now = bizdesk::clock::Clock::now(&d.clock).timestamp_millis();
    let until = now + 30 * 86_400_000;
    let old = b"the key the database held".to_vec();
    let mut desk = d.chat.desk.clone();
    desk.keys = std::sync::Arc::new(bizdesk::store::keys::Keys {
        satisfaction_previous: Some((old.clone(), until)),
        ..(*desk.keys).clone()
    });
    let sent_before = sign(&old, 1, until - 1000);
    let (page, _) = open(&desk, &sent_before, None).await.unwrap();
    assert!(matches!(page, Page::Choose { .. }), "{page:?}");
    let minted_later = sign(&old, 1, until + 86_400_000);
    let (page, _) = open(&desk, &minted_later, None).await.unwrap();
    assert_eq!(page, Page::Invalid);
    let current = sign(&desk.keys.satisfaction, 1, until + 86_400_000);
    let (page, _) = open(&desk, &current, None).await.unwrap();
    assert!(matches!(page, Page::Choose { .. }), "{page:?}");
}
