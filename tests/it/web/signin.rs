//! Signing in: the link from the `.eml`, once, within 15 minutes; the same answer for
//! everyone; sessions that end; cookies that stay in their lane; Sign in with Discord against
//! the fake Discord.

use super::{serve, serve_desk, WebDesk};
use crate::common::spawn_desk_with;
use crate::fake_discord::oauth::CLIENT_SECRET;
use crate::fake_discord::{FakeDiscord, APP_ID};
use sha2::{Digest, Sha256};

/// The `Set-Cookie` headers of a response.
fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// `name=value` of cookie `name` among `Set-Cookie` headers.
fn cookie_of(set: &[String], name: &str) -> Option<String> {
    set.iter()
        .map(|c| c.split(';').next().unwrap().trim().to_string())
        .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
}

/// The value of the hidden `csrf` field in a page.
pub(super) fn csrf_in(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

pub(super) fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_string()
}

impl WebDesk {
    /// Asks for a sign-in link for `email` as a browser would (the form's page first, for its
    /// cookie and token); the answer's status and body.
    pub(super) async fn ask(&self, email: &str, next: Option<&str>) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}/", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let cookie = cookie_of(&set_cookies(&r), "bizdesk_signin").expect("form cookie");
        let csrf = csrf_in(&r.text().await.unwrap());
        let mut form = vec![("email", email), ("csrf", csrf.as_str())];
        if let Some(n) = next {
            form.push(("next", n));
        }
        let r = self
            .http
            .post(format!("{}/", self.base))
            .header("cookie", cookie);
        let r = r.form(&form).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Sends the outbox's email and returns every sign-in link in the drop folder, oldest
    /// first.
    pub(super) async fn links(&self) -> Vec<String> {
        self.d.send_all_email().await;
        let dir = &self.d.config.smtp.drop_dir;
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|r| r.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.to_string_lossy().ends_with("signin_link.eml"));
        files.sort();
        files
            .iter()
            .map(|p| {
                let raw = std::fs::read(p).unwrap();
                let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
                let subject = m.subject().unwrap();
                assert!(
                    subject.contains("登录链接") || subject.contains("sign-in link"),
                    "{subject}"
                );
                let text = m.body_text(0).unwrap().to_string();
                let url = text.lines().find(|l| l.contains("/signin/")).unwrap();
                let html = m
                    .body_html(0)
                    .unwrap()
                    .replace("&#x2f;", "/")
                    .replace("&amp;", "&");
                assert!(html.contains(url.trim()), "{html}");
                url.trim().to_string()
            })
            .collect()
    }

    /// Opens a link's page and presses Continue; the POST's response.
    async fn continue_with(&self, url: &str) -> reqwest::Response {
        let (status, page) = self.get(None, &path_of(url)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains(r#"id="signin-continue""#));
        self.press_continue(url, &csrf_in(&page), None).await
    }

    async fn press_continue(&self, url: &str, csrf: &str, next: Option<&str>) -> reqwest::Response {
        let path = path_of(url);
        let (path, query_next) = match path.split_once("?next=") {
            Some((p, n)) => (p.to_string(), Some(n.to_string())),
            None => (path, None),
        };
        let next = next.map(str::to_string).or(query_next).unwrap_or_default();
        let form = [("csrf", csrf), ("next", next.as_str())];
        let r = self.http.post(format!("{}{path}", self.base));
        r.form(&form).send().await.unwrap()
    }

    /// Whether a session cookie (`bizdesk_session=…`) is signed in: `/` sends it on.
    pub(super) async fn signed_in(&self, cookie: &str) -> bool {
        let r = self
            .http
            .get(format!("{}/", self.base))
            .header("cookie", cookie);
        r.send().await.unwrap().status() == 303
    }

    async fn used_at(&self) -> Vec<Option<i64>> {
        let rows: Vec<(Option<i64>,)> =
            sqlx::query_as("SELECT used_at FROM web_signin_tokens ORDER BY created_at")
                .fetch_all(self.d.chat.desk.store.pool())
                .await
                .unwrap();
        rows.into_iter().map(|r| r.0).collect()
    }

    pub(super) async fn sessions(&self) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM web_sessions")
            .fetch_one(self.d.chat.desk.store.pool())
            .await
            .unwrap();
        n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emailed_link_signs_in_once_and_sign_out_ends_the_session() {
    let w = serve().await;
    let (status, page) = w.get(None, "/").await;
    assert_eq!(status, 200);
    for id in [
        r#"id="signin""#,
        r#"id="email""#,
        r#"id="signin-send""#,
        r#"for="email""#,
    ] {
        assert!(page.contains(id), "{id}");
    }
    assert!(
        !page.contains("signin-discord"),
        "no Discord button unless configured"
    );
    // The address in any case.
    assert_eq!(w.ask("Li.Na@Example.com", None).await.0, 200);
    let links = w.links().await;
    assert_eq!(links.len(), 1);
    assert!(links[0].starts_with(&format!("{}/signin/", w.base)));
    // Opening the link (a mail scanner, a preview) changes nothing.
    for _ in 0..2 {
        let (status, page) = w.get(None, &path_of(&links[0])).await;
        assert_eq!(status, 200);
        assert!(page.contains("李娜") && page.contains(r#"id="signin-continue""#));
    }
    assert_eq!(w.used_at().await, vec![None]);
    assert_eq!(w.sessions().await, 0);
    let (_, page) = w.get(None, &path_of(&links[0])).await;
    let csrf = csrf_in(&page);
    // Continue signs in: a session cookie that scripts cannot read and other sites do not send.
    let r = w.press_continue(&links[0], &csrf, None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/inbox");
    let set = set_cookies(&r);
    let session = set
        .iter()
        .find(|c| c.starts_with("bizdesk_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(!session.contains("Secure"), "http: no Secure");
    let cookie = cookie_of(&set, "bizdesk_session").unwrap();
    assert!(w.signed_in(&cookie).await);
    // Used once: a second press, or a second look, gets a clear page and no session.
    let r = w.press_continue(&links[0], &csrf, None).await;
    assert_eq!(r.status(), 409);
    assert!(cookie_of(&set_cookies(&r), "bizdesk_session").is_none());
    assert!(
        r.text().await.unwrap().contains(r#"href="/""#),
        "a way to ask again"
    );
    assert_eq!(w.get(None, &path_of(&links[0])).await.0, 409);
    assert_eq!(w.sessions().await, 1);
    // Sign-out ends the session (its form carries the session's token).
    let token = cookie.strip_prefix("bizdesk_session=").unwrap();
    let (csrf,): (String,) = sqlx::query_as("SELECT csrf FROM web_sessions WHERE id_hash = $1")
        .bind(hex::encode(Sha256::digest(token.as_bytes())))
        .fetch_one(w.d.chat.desk.store.pool())
        .await
        .unwrap();
    let s = super::Session {
        cookie: cookie.clone(),
        csrf,
    };
    let forged = super::Session {
        csrf: "0".repeat(64),
        ..s.clone()
    };
    assert_eq!(w.post(Some(&forged), "/signout", &[]).await.status(), 403);
    assert!(w.signed_in(&cookie).await);
    let r = w.post(Some(&s), "/signout", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    assert!(set_cookies(&r).iter().any(|c| c.contains("Max-Age=0")));
    assert!(!w.signed_in(&cookie).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_expire_after_15_minutes_and_forged_ones_are_refused() {
    let w = serve().await;
    w.ask("li.na@example.com", None).await;
    w.ask("tom.baker@example.com", None).await;
    let links = w.links().await;
    assert_eq!(links.len(), 2);
    let (_, page) = w.get(None, &path_of(&links[0])).await;
    let csrf = csrf_in(&page);
    // Someone else's link with one digit changed, or made up: refused, nothing opened.
    let path = path_of(&links[1]);
    let last = path.chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &path[..path.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    assert_eq!(w.get(None, &forged).await.0, 400);
    assert_eq!(w.get(None, "/signin/not-a-token").await.0, 400);
    let forged_url = format!("{}{forged}", w.base);
    assert_eq!(
        w.press_continue(&forged_url, &csrf, None).await.status(),
        403
    );
    // A link's page token does not work for another link.
    assert_eq!(w.press_continue(&links[1], &csrf, None).await.status(), 403);
    // 15 minutes later the link is dead.
    w.d.clock.advance(chrono::Duration::minutes(15));
    assert_eq!(w.get(None, &path_of(&links[0])).await.0, 410);
    let r = w.press_continue(&links[0], &csrf, None).await;
    assert_eq!(r.status(), 410);
    assert!(cookie_of(&set_cookies(&r), "bizdesk_session").is_none());
    assert_eq!(w.sessions().await, 0);
    assert_eq!(w.used_at().await, vec![None, None]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_gets_the_same_answer_and_no_more_than_five_links_an_hour() {
    let w = serve().await;
    let (status, unknown) = w.ask("nobody@example.com", None).await;
    assert_eq!(status, 200);
    assert!(unknown.contains(r#"id="flash""#));
    assert!(
        w.links().await.is_empty(),
        "no email for an unknown address"
    );
    for n in 1..=6 {
        let (status, page) = w.ask("li.na@example.com", None).await;
        assert_eq!((status, &page), (200, &unknown), "request {n}");
    }
    assert_eq!(w.links().await.len(), 5, "the sixth request sends nothing");
    // Someone who left gets the same page and no link.
    w.d.sql("UPDATE employees SET active = 0 WHERE handle = 'tom.baker'")
        .await;
    let (_, page) = w.ask("tom.baker@example.com", None).await;
    assert_eq!(page, unknown);
    assert_eq!(w.links().await.len(), 5);
    // An hour after the first ones, the address may ask again.
    w.d.clock.advance(chrono::Duration::minutes(61));
    w.ask("li.na@example.com", None).await;
    assert_eq!(w.links().await.len(), 6);
    // The address is never stored as written, only its hash; requests older than the hour
    // the limit looks at are gone.
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM web_signin_requests WHERE address_hash = $1")
            .bind(hex::encode(Sha256::digest(b"li.na@example.com")))
            .fetch_one(w.d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_address_or_a_form_from_elsewhere_is_refused_clearly() {
    let w = serve().await;
    let (status, page) = w.ask("li.na at example", None).await;
    assert_eq!(status, 422);
    assert!(
        page.contains(r#"value="li.na at example""#),
        "the form is kept"
    );
    assert!(page.contains(r#"aria-invalid="true""#));
    // In the browser's language.
    let r = w.http.get(format!("{}/", w.base)).send().await.unwrap();
    let cookie = cookie_of(&set_cookies(&r), "bizdesk_signin").unwrap();
    let csrf = csrf_in(&r.text().await.unwrap());
    let post = |lang: &'static str, form: Vec<(&'static str, String)>| {
        let r = w.http.post(format!("{}/", w.base));
        r.header("cookie", cookie.clone())
            .header("accept-language", lang)
            .form(&form)
            .send()
    };
    let r = post(
        "zh-CN,zh;q=0.9",
        vec![("email", "@".into()), ("csrf", csrf.clone())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("这不是有效的邮箱地址"));
    let r = post("en-US", vec![("email", "".into()), ("csrf", csrf.clone())])
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Enter your work email"));
    // Without the form's token (another site's form): refused, nothing sent.
    let r = post(
        "en",
        vec![
            ("email", "li.na@example.com".into()),
            ("csrf", "0".repeat(64)),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let r = w.http.post(format!("{}/", w.base));
    let r = r
        .form(&[("email", "li.na@example.com"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "the token must match the cookie");
    assert!(w.links().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_presses_at_once_open_one_session() {
    let w = serve().await;
    w.ask("li.na@example.com", None).await;
    let link = w.links().await.remove(0);
    let (_, page) = w.get(None, &path_of(&link)).await;
    let csrf = csrf_in(&page);
    let presses = (0..4).map(|_| w.press_continue(&link, &csrf, None));
    let statuses: Vec<u16> = futures::future::join_all(presses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(w.sessions().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_the_idle_time() {
    let w = serve().await;
    w.ask("tom.baker@example.com", None).await;
    let r = w.continue_with(&w.links().await[0]).await;
    let cookie = cookie_of(&set_cookies(&r), "bizdesk_session").unwrap();
    let idle = i64::from(w.d.config.web.session_idle_minutes);
    w.d.clock.advance(chrono::Duration::minutes(idle - 1));
    assert!(w.signed_in(&cookie).await, "a visit keeps it alive");
    w.d.clock.advance(chrono::Duration::minutes(idle - 1));
    assert!(w.signed_in(&cookie).await);
    w.d.clock.advance(chrono::Duration::minutes(idle + 1));
    assert!(!w.signed_in(&cookie).await, "idle too long");
    let (status, page) = w.get(None, "/").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"id="signin""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_leads_only_to_pages_of_this_site() {
    let w = serve().await;
    w.ask("li.na@example.com", Some("/r/REQ-000001")).await;
    w.ask("li.na@example.com", Some("//evil.example")).await;
    w.ask("li.na@example.com", Some("https://evil.example/"))
        .await;
    let links = w.links().await;
    assert!(links[0].ends_with("?next=/r/REQ-000001"), "{}", links[0]);
    assert!(!links[1].contains("next") && !links[2].contains("next"));
    let r = w.continue_with(&links[0]).await;
    assert_eq!(r.headers()["location"], "/r/REQ-000001");
    let cookie = cookie_of(&set_cookies(&r), "bizdesk_session").unwrap();
    // A next smuggled into the form is not followed either.
    let (_, page) = w.get(None, &path_of(&links[1])).await;
    let r = w
        .press_continue(&links[1], &csrf_in(&page), Some("//evil.example"))
        .await;
    assert_eq!(r.headers()["location"], "/inbox");
    // Signed in, `/` goes on to a safe next only.
    for (next, to) in [
        ("/r/REQ-000001", "/r/REQ-000001"),
        ("//evil.example", "/inbox"),
        ("/%5Cevil.example", "/inbox"),
        ("https%3A%2F%2Fevil.example", "/inbox"),
    ] {
        let r = w.http.get(format!("{}/?next={next}", w.base));
        let r = r.header("cookie", &cookie).send().await.unwrap();
        let to_now = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!((r.status().as_u16(), to_now.as_str()), (303, to), "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_https_cookies_are_secure() {
    let mut w = serve().await;
    // The same desk, as if reached through an https reverse proxy.
    w.d.config.web.public_url = "https://desk.example.com".into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let settings = bizdesk::web::WebSettings::from_config(&w.d.config);
    assert!(settings.secure_cookies);
    let app = bizdesk::web::router(w.d.chat.clone(), settings);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    w.base = base;
    let r = w.http.get(format!("{}/", w.base)).send().await.unwrap();
    assert!(set_cookies(&r).iter().all(|c| c.contains("; Secure")));
    w.ask("li.na@example.com", None).await;
    let link = w.links().await.remove(0);
    assert!(link.starts_with("https://desk.example.com/signin/"));
    let r = w.continue_with(&link).await;
    let set = set_cookies(&r);
    let session = set
        .iter()
        .find(|c| c.starts_with("bizdesk_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("; Secure")
    );
}

/// A desk whose web desk offers Sign in with Discord through `fake`; li.na's Discord id.
async fn with_discord(fake: &FakeDiscord) -> (WebDesk, u64) {
    let api = fake.api_base();
    let d = spawn_desk_with(move |c| {
        c.discord.application_id = Some(APP_ID);
        c.discord.client_secret = bizdesk::config::Secret::new(CLIENT_SECRET);
        c.discord.api_base = api;
    })
    .await;
    let li_na = 1_200_000_000_000_000_042u64;
    d.sql(&format!(
        "UPDATE employees SET discord_id = '{li_na}' WHERE handle = 'li.na'"
    ))
    .await;
    (serve_desk(d).await, li_na)
}

impl WebDesk {
    /// Presses "Sign in with Discord" and follows the fake's authorize page back to the
    /// callback; the callback's response.
    async fn discord_sign_in(&self) -> reqwest::Response {
        let r = self
            .http
            .get(format!("{}/auth/discord?next=/mine", self.base));
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 303);
        let state = cookie_of(&set_cookies(&r), "bizdesk_oauth").expect("state cookie");
        let authorize = r.headers()["location"].to_str().unwrap().to_string();
        assert!(authorize.contains("scope=identify") && authorize.contains("response_type=code"));
        let r = self.http.get(&authorize).send().await.unwrap();
        assert_eq!(r.status(), 303, "the fake Discord authorizes");
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(back.starts_with(&format!("{}/auth/discord/callback?", self.base)));
        self.http
            .get(&back)
            .header("cookie", state)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_signs_in_its_linked_employees_only() {
    let fake = FakeDiscord::start().await;
    let (w, li_na) = with_discord(&fake).await;
    let (_, page) = w.get(None, "/?next=/mine").await;
    let page = page.replace("&#x2f;", "/");
    assert!(
        page.contains(r#"id="signin-discord" href="/auth/discord?next=/mine""#),
        "{page}"
    );
    fake.oauth_user(Some(li_na));
    let r = w.discord_sign_in().await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/mine");
    let cookie = cookie_of(&set_cookies(&r), "bizdesk_session").unwrap();
    assert!(w.signed_in(&cookie).await);
    let (via,): (String,) = sqlx::query_as("SELECT via FROM web_sessions")
        .fetch_one(w.d.chat.desk.store.pool())
        .await
        .unwrap();
    assert_eq!(via, "discord");
    // A Discord account no employee has, a Cancel, and a callback without our state: a clear
    // page and no session.
    fake.oauth_user(Some(1_200_000_000_000_000_999));
    let r = w.discord_sign_in().await;
    assert_eq!(r.status(), 403);
    assert!(cookie_of(&set_cookies(&r), "bizdesk_session").is_none());
    assert!(r.text().await.unwrap().contains("signin-again"));
    fake.oauth_user(None);
    assert_eq!(w.discord_sign_in().await.status(), 403);
    let forged = format!(
        "{}/auth/discord/callback?code=x&state={}",
        w.base,
        "a".repeat(64)
    );
    assert_eq!(w.http.get(&forged).send().await.unwrap().status(), 400);
    assert_eq!(w.sessions().await, 1);
    assert_eq!(fake.oauth_tokens_issued(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_down_is_a_clear_page() {
    let fake = FakeDiscord::start().await;
    let (w, li_na) = with_discord(&fake).await;
    fake.oauth_user(Some(li_na));
    let r = w
        .http
        .get(format!("{}/auth/discord", w.base))
        .send()
        .await
        .unwrap();
    let state = cookie_of(&set_cookies(&r), "bizdesk_oauth").unwrap();
    let authorize = r.headers()["location"].to_str().unwrap().to_string();
    let r = w.http.get(&authorize).send().await.unwrap();
    let back = r.headers()["location"].to_str().unwrap().to_string();
    drop(fake);
    let r = w
        .http
        .get(&back)
        .header("cookie", state)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(w.sessions().await, 0);
}
