//! Approve from email: the link in the approval prompt's `.eml`, a GET that changes nothing,
//! a POST that decides once, and clear pages for forged, expired, reused and others' links.

use super::inbox::task_of;
use super::{serve_desk, WebDesk};
use crate::common::spawn_desk_with;

/// A web desk whose emails land as `.eml` files in a temporary folder.
async fn serve_with_drop() -> (WebDesk, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("outbox");
    let dd = drop.clone();
    let d = spawn_desk_with(move |c| c.smtp.drop_dir = dd).await;
    (serve_desk(d).await, dir)
}

/// The path (`/a/…?d=approve`) of the `decision` link in the latest approval prompt emailed
/// to `address`.
fn link_in_prompt(dir: &tempfile::TempDir, address: &str, decision: &str) -> String {
    link_in(dir, "approval_prompt", address, decision)
}

/// The `decision` link in the latest email of `kind` to `address`.
fn link_in(dir: &tempfile::TempDir, kind: &str, address: &str, decision: &str) -> String {
    let drop = dir.path().join("outbox");
    let mut files: Vec<_> = std::fs::read_dir(&drop)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(&format!("{kind}.eml")))
        .collect();
    files.sort();
    for f in files.iter().rev() {
        let raw = std::fs::read(f).unwrap();
        let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let to = m.to().and_then(|a| a.first()).and_then(|a| a.address());
        if to != Some(address) {
            continue;
        }
        let text = m.body_text(0).unwrap().to_string();
        let html = m.body_html(0).unwrap().replace("&#x2f;", "/");
        let wanted = format!("?d={decision}");
        let url = text
            .split_whitespace()
            .find(|w| w.contains("/a/") && w.ends_with(&wanted))
            .unwrap_or_else(|| panic!("no {decision} link in:\n{text}"));
        let url = &url[url.find("http").expect("an absolute link")..];
        assert!(
            html.contains(url),
            "the HTML part links the same: {url}\n{html}"
        );
        let path = &url[url.find("/a/").unwrap()..];
        return path.to_string();
    }
    panic!("no {kind} to {address}");
}

/// The form token on a confirmation page.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"ft\" value=\"").expect("a form token") + 17;
    page[at..at + 64].to_string()
}

async fn post_link(w: &WebDesk, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = w.post(None, path, form).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_link_confirms_on_get_and_decides_once_on_post() {
    let (w, dir) = serve_with_drop().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    w.d.send_all_email().await;
    let path = link_in_prompt(&dir, "wang.fang@example.com", "approve");
    let task = task_of(&w, "wang.fang", &r).await;
    // A mail scanner's GETs: a confirmation page, nothing decided.
    for _ in 0..2 {
        let (status, page) = w.get(None, &path).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("<form id=\"link-form\" method=\"post\">"));
        assert!(page.contains("id=\"link-confirm\"") && page.contains("Monitor"));
    }
    assert_eq!(task_of(&w, "wang.fang", &r).await, task);
    // The reject link asks for a reason, and refuses without one.
    let reject = link_in_prompt(&dir, "wang.fang@example.com", "reject");
    let (_, page) = w.get(None, &reject).await;
    assert!(page.contains("required"));
    let ft = form_token(&page);
    let (status, _) = post_link(&w, &reject, &[("ft", &ft), ("comment", "")]).await;
    assert_eq!(status, 422);
    assert_eq!(task_of(&w, "wang.fang", &r).await, task);
    // Confirming decides, as wang.fang, from email.
    let (_, page) = w.get(None, &path).await;
    let ft = form_token(&page);
    let (status, page) = post_link(&w, &path, &[("ft", &ft), ("comment", "")]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<p class=\"notice\" id=\"flash\""), "{page}");
    assert!(w.d.inbox("chen.jie").await.contains(&r));
    let audit: (String,) = sqlx::query_as(
        "SELECT summary FROM audit_events WHERE subject = $1 AND action = 'approval.approve'",
    )
    .bind(&r)
    .fetch_one(w.d.chat.desk.store.pool())
    .await
    .unwrap();
    assert!(audit.0.ends_with("approved (from email)"), "{}", audit.0);
    // Reused: says who decided and when, decides nothing again.
    let (status, page) = post_link(&w, &path, &[("ft", &ft), ("comment", "")]).await;
    assert_eq!(status, 409);
    assert!(
        page.contains("王芳") && page.contains("2026-11-26"),
        "{page}"
    );
    let (status, page) = w.get(None, &path).await;
    assert_eq!(status, 409);
    assert!(page.contains("王芳"));
    let approvals =
        w.d.count("SELECT COUNT(*) FROM audit_events WHERE action = 'approval.approve'")
            .await;
    assert_eq!(approvals, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_and_others_links_change_nothing() {
    let (w, dir) = serve_with_drop().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    w.d.send_all_email().await;
    let path = link_in_prompt(&dir, "wang.fang@example.com", "approve");
    let task = task_of(&w, "wang.fang", &r).await;
    // Forged: one character of the signature changed; a truncated token.
    let at = path.find("?d=").unwrap() - 1;
    let flipped = if &path[at..=at] == "0" { "1" } else { "0" };
    let forged = format!("{}{flipped}{}", &path[..at], &path[at + 1..]);
    assert_eq!(w.get(None, &forged).await.0, 400);
    assert_eq!(w.get(None, "/a/12.3.4?d=approve").await.0, 400);
    assert_eq!(post_link(&w, &forged, &[("ft", "x")]).await.0, 400);
    // Without the confirmation page's form token, the POST is refused.
    assert_eq!(post_link(&w, &path, &[("comment", "")]).await.0, 400);
    // Someone else signed in: a clear page naming whom it was sent to, nothing changed.
    let chen = w.session("chen.jie").await;
    let (status, page) = w.get(Some(&chen), &path).await;
    assert_eq!(status, 403);
    assert!(page.contains("王芳"), "{page}");
    let (_, page) = w.get(None, &path).await;
    let ft = form_token(&page);
    let r2 = w.post(Some(&chen), &path, &[("ft", &ft)]).await;
    assert_eq!(r2.status(), 403);
    // Expired after the configured 7 days.
    w.d.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    let (status, page) = w.get(None, &path).await;
    assert_eq!(status, 410, "{page}");
    assert_eq!(post_link(&w, &path, &[("ft", &ft)]).await.0, 410);
    assert_eq!(task_of(&w, "wang.fang", &r).await, task, "still open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_carries_the_links_and_the_inbox_says_it_is_overdue() {
    let (w, dir) = serve_with_drop().await;
    let r = w.d.submit("li.na", "Monitor", 2, "1500").await;
    let task = task_of(&w, "wang.fang", &r).await;
    let s = w.session("wang.fang").await;
    let (_, page) = w.get(Some(&s), "/inbox").await;
    assert!(page.contains("1天0小时后到期"), "{page}");
    w.d.advance(25 * 3600).await;
    w.d.send_all_email().await;
    let path = link_in(
        &dir,
        "approval_reminder",
        "wang.fang@example.com",
        "changes",
    );
    let (status, page) = w.get(None, &path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"link-confirm\""));
    let s = w.session("wang.fang").await;
    let (_, page) = w.get(Some(&s), "/inbox").await;
    assert!(
        page.contains("badge late") && page.contains("已超期 1小时"),
        "{page}"
    );
    assert_eq!(task_of(&w, "wang.fang", &r).await, task);
}
