//! Sign-in guards: a page elsewhere cannot use a link it holds to sign someone in (login
//! CSRF), and a browser holds one identity at a time.

use super::serve;
use super::signin::{csrf_in, path_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_elsewhere_cannot_sign_someone_in_with_a_link_it_holds() {
    let w = serve().await;
    w.ask("li.na@example.com", None).await;
    let links = w.links().await;
    let path = path_of(&links[0]);
    let (_, page) = w.get(None, &path).await;
    let csrf = csrf_in(&page);
    // The holder of the link posts its form from their own site into a colleague's browser:
    // the browser says where the form came from, and bizdesk refuses it.
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let r = w
            .http
            .post(format!("{}{path}", w.base))
            .header(name, value)
            .form(&[("csrf", csrf.as_str()), ("next", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name}: {value}");
        assert!(r.headers().get("set-cookie").is_none());
    }
    assert_eq!(w.sessions().await, 0);
    // From its own page (same origin), it signs in.
    let r = w
        .http
        .post(format!("{}{path}", w.base))
        .header("origin", w.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf", csrf.as_str()), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(w.sessions().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_as_someone_else_ends_the_browsers_first_session() {
    let w = serve().await;
    let li = w.session("li.na").await;
    w.ask("tom.baker@example.com", None).await;
    let links = w.links().await;
    let path = path_of(&links[0]);
    let (_, page) = w.get(Some(&li), &path).await;
    let csrf = csrf_in(&page);
    let r = w
        .http
        .post(format!("{}{path}", w.base))
        .header("cookie", &li.cookie)
        .form(&[("csrf", csrf.as_str()), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // li.na's session on this (shared) browser is over; Tom's is the one left.
    assert!(!w.signed_in(&li.cookie).await);
    let (open,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM web_sessions WHERE ended_at IS NULL")
            .fetch_one(w.d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(open, 1);
}
