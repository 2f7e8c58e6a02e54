//! The web desk over real HTTP on 127.0.0.1: a server per test on the test desk, and
//! signed-in sessions made the way the sign-in link makes them.

mod browser;
mod dash;
mod ops;
mod signin;
mod signin_guard;

use crate::common::{spawn_desk, TestDesk};
use sha2::{Digest, Sha256};

/// A test desk with its web server listening on 127.0.0.1.
pub struct WebDesk {
    pub d: TestDesk,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// A client that follows no redirects (tests look at them).
    pub http: reqwest::Client,
}

/// A signed-in browser: its session cookie and the CSRF token its forms carry.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Serves the sample desk's web pages on 127.0.0.1.
pub async fn serve() -> WebDesk {
    serve_desk(spawn_desk().await).await
}

/// Serves `d`'s web pages on 127.0.0.1 (its `web.public_url` is set to the address).
pub async fn serve_desk(mut d: TestDesk) -> WebDesk {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    d.config.web.public_url = base.clone();
    let app = bizdesk::web::router(
        d.chat.clone(),
        bizdesk::web::WebSettings::from_config(&d.config),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    WebDesk { d, base, http }
}

impl WebDesk {
    /// A live session for `handle`, as a sign-in would open it.
    pub async fn session(&self, handle: &str) -> Session {
        let e = self.d.employee(handle).await;
        let token = format!("{:032x}{:032x}", random(), random());
        let csrf = format!("{:032x}", random());
        let now = bizdesk::store::to_ms(self.d.chat.desk.now());
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, employee_id, csrf, via, created_at, last_seen_at) \
             VALUES ($1, $2, $3, 'test', $4, $4)",
        )
        .bind(hash)
        .bind(e.id)
        .bind(&csrf)
        .bind(now)
        .execute(self.d.chat.desk.store.pool())
        .await
        .unwrap();
        Session {
            cookie: format!("bizdesk_session={token}"),
            csrf,
        }
    }

    /// GET `path` as `s` (or signed out): status and body.
    pub async fn get(&self, s: Option<&Session>, path: &str) -> (u16, String) {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(s) = s {
            r = r.header("cookie", &s.cookie);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// POSTs a form to `path` as `s` (its CSRF token is added unless the form has one).
    pub async fn post(
        &self,
        s: Option<&Session>,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut fields: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut r = self.http.post(format!("{}{path}", self.base));
        if let Some(s) = s {
            if !form.iter().any(|(k, _)| *k == "csrf") {
                fields.push(("csrf".into(), s.csrf.clone()));
            }
            r = r.header("cookie", &s.cookie);
        }
        r.form(&fields).send().await.unwrap()
    }
}

fn random() -> u128 {
    use rand::Rng;
    rand::thread_rng().gen()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_session_and_forms_need_its_token() {
    let w = serve().await;
    // Signed out: a page sends the browser to sign in and back.
    let r = w
        .http
        .get(format!("{}/inbox", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/?next=/inbox");
    // The embedded style sheet is served; nothing comes from elsewhere.
    let (status, css) = w.get(None, "/assets/desk.css").await;
    assert_eq!(status, 200);
    assert!(css.contains("@media"));
    let s = w.session("li.na").await;
    // A form without the session's token changes nothing and says why.
    let forged = Session {
        csrf: "0".repeat(32),
        ..s.clone()
    };
    let r = w.post(Some(&forged), "/signout", &[]).await;
    assert_eq!(r.status(), 403, "{:?}", r.text().await);
}
mod inbox;
mod links;
mod refs;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_offers_what_the_reader_may_open_and_unknown_pages_say_so() {
    let w = serve().await;
    let li = w.session("li.na").await;
    let boss = w.session("chen.jie").await;
    let (_, page) = w.get(Some(&li), "/inbox").await;
    assert!(
        !page.contains("id=\"nav-dash\""),
        "li.na may not read dashboards"
    );
    assert!(page.contains("<script src=\"/assets/desk.js\" defer></script>"));
    let (_, page) = w.get(Some(&boss), "/inbox").await;
    assert!(page.contains("id=\"nav-dash\""));
    let (status, page) = w.get(Some(&li), "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(page.contains("页面不存在"), "{page}");
    let (status, page) = w.get(None, "/nothing-here").await;
    assert_eq!(status, 404);
    assert!(page.contains("<h1>"), "{page}");
}
