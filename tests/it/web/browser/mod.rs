//! Browser tests: a real headless Chromium (Debian's `chromium` and `chromium-driver`) drives
//! the web desk over HTTP on 127.0.0.1, through the ids of the HTML contract, at phone width
//! (375×812) and desktop width (1280×900).
//!
//! One `chromedriver` per test process, started on first use on a free port and stopped when
//! the process ends. Without `/usr/bin/chromium` and `/usr/bin/chromedriver` a test says it is
//! skipped and passes, unless `BIZDESK_BROWSER_TESTS=1` (as `.ci/run` sets) makes that a
//! failure (`BIZDESK_CHROMIUM` and `BIZDESK_CHROMEDRIVER` name others). A session ends with
//! a look at the browser's console: whatever the content security policy blocked, or a
//! script threw, fails the test. `BIZDESK_SCREENSHOTS=DIR` saves a screenshot of every step
//! as `DIR/<test>-<step>.png` (`=1`: target/screenshots).

mod checks;
mod mail;
mod paths;

pub use mail::links_in_emails;

use super::WebDesk;
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The browser (`BIZDESK_CHROMIUM` names another).
fn chromium() -> String {
    std::env::var("BIZDESK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Its WebDriver (`BIZDESK_CHROMEDRIVER` names another).
fn chromedriver() -> String {
    std::env::var("BIZDESK_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// How long a wait for an element or a page polls before the test fails.
const PATIENCE: Duration = Duration::from_secs(10);
/// Browsers open at once in this process (the suite runs tests in parallel on few cores).
static BROWSERS: Semaphore = Semaphore::const_new(2);
static DRIVER: OnceLock<Result<String, String>> = OnceLock::new();

/// The window a test looks through.
#[derive(Clone, Copy, Debug)]
pub enum Size {
    /// 375×812, a phone.
    Phone,
    /// 1280×900, a desktop.
    Desktop,
}

impl Size {
    fn width_height(self) -> (u32, u32) {
        match self {
            Size::Phone => (375, 812),
            Size::Desktop => (1280, 900),
        }
    }
}

/// The running chromedriver's URL; `None` (after saying so) when Chromium is not installed and
/// browser tests are not required.
fn driver(test: &str) -> Option<&'static str> {
    let (browser, driver) = (chromium(), chromedriver());
    if !(Path::new(&browser).exists() && Path::new(&driver).exists()) {
        let required = std::env::var("BIZDESK_BROWSER_TESTS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "BIZDESK_BROWSER_TESTS=1 but {browser} or {driver} is missing \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "skipped browser test {test}: {browser} or {driver} is missing \
             (apt-get install chromium chromium-driver; BIZDESK_BROWSER_TESTS=1 makes this a failure)"
        );
        return None;
    }
    match DRIVER.get_or_init(start_driver) {
        Ok(url) => Some(url.as_str()),
        Err(e) => panic!("chromedriver did not start: {e}"),
    }
}

/// Starts chromedriver on a free port behind a shell that holds our pipe: when this process
/// ends (however it ends) the pipe closes and the shell stops its whole process group —
/// chromedriver and any browser it left.
fn start_driver() -> Result<String, String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" --port="$1" >/dev/null 2>&1 & read -r _; kill -TERM 0"#)
        .arg(chromedriver())
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("{}: {e}", chromedriver()))?;
    // Held for the life of the process: its end is the signal to stop.
    std::mem::forget(child.stdin.take());
    std::mem::forget(child);
    let started = Instant::now();
    loop {
        match driver_status(port) {
            Some(status) if status.contains("\"ready\":true") => break,
            Some(status) if !status.is_empty() && !status.contains("\"ready\"") => {
                return Err(format!("something else answers on port {port}: {status}"))
            }
            _ if started.elapsed() > PATIENCE => {
                return Err(format!("not ready on port {port} after {PATIENCE:?}"))
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Ok(format!("http://127.0.0.1:{port}"))
}

/// What `GET /status` on the port answers, if anything does.
fn driver_status(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    // chromedriver may keep the connection open: read until the answer says whether it is
    // ready, or nothing more comes.
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = s.read(&mut buf) {
        answer.extend_from_slice(&buf[..n]);
        if answer.windows(7).any(|w| w == b"\"ready\"") && answer.ends_with(b"}") {
            break;
        }
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

/// A headless Chromium window on a web desk.
pub struct Browser {
    pub c: Client,
    base: String,
    test: String,
    driver: &'static str,
    session: String,
    closed: bool,
    _permit: SemaphorePermit<'static>,
}

impl Browser {
    /// Opens a window of `size` on `w`'s web desk for the test named `test`; `None` when
    /// browser tests are skipped on this machine.
    pub async fn open(w: &WebDesk, test: &str, size: Size) -> Option<Browser> {
        let driver = driver(test)?;
        let permit = BROWSERS.acquire().await.unwrap();
        let (width, height) = size.width_height();
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        // The console, to find what the page's policy blocked or its script threw.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-extensions", "--disable-background-networking",
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let c = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(driver)
            .await
            .unwrap_or_else(|e| panic!("no browser session from {driver}: {e}"));
        let session = c.session_id().await.unwrap().unwrap_or_default();
        let b = Browser {
            c,
            base: w.base.clone(),
            test: test.into(),
            driver,
            session,
            closed: false,
            _permit: permit,
        };
        b.c.update_timeouts(TimeoutConfiguration::new(
            Some(PATIENCE),
            Some(PATIENCE),
            Some(Duration::ZERO),
        ))
        .await
        .unwrap();
        // The layout viewport is the size asked for (what a phone's page sees).
        let inner = b.js("return window.innerWidth").await;
        if inner != json!(width) {
            b.c.set_window_size(width, height).await.unwrap();
        }
        let inner = b.js("return window.innerWidth").await;
        assert_eq!(inner, json!(width), "the window's inner width");
        Some(b)
    }

    /// Makes the window `size` (its inner width exactly).
    pub async fn resize(&self, size: Size) {
        let (width, height) = size.width_height();
        self.c.set_window_size(width, height).await.unwrap();
        let inner = self.js("return window.innerWidth").await.as_u64().unwrap();
        if inner != u64::from(width) {
            let outer = (2 * i64::from(width) - inner as i64).max(1) as u32;
            self.c.set_window_size(outer, height).await.unwrap();
        }
        let inner = self.js("return window.innerWidth").await;
        assert_eq!(inner, json!(width), "the window's inner width");
    }

    /// Checks the console once more and ends the session (closing the window). A test that
    /// panics ends it in `drop`.
    pub async fn close(mut self) {
        self.assert_console_clean().await;
        self.closed = true;
        let c = self.c.clone();
        c.close().await.unwrap();
    }

    /// Opens `path` on the desk (or a full URL).
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        self.c
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    /// The current URL's path and query.
    pub async fn path(&self) -> String {
        let u = self.c.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// Waits until the current path (without the query) is `path` (polling), else fails
    /// saying where it is.
    pub async fn wait_path(&self, path: &str) {
        let started = Instant::now();
        loop {
            let now = self.path().await;
            if now.split('?').next() == Some(path) {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "still at {now}, not {path}, after {PATIENCE:?}; the page:\n{}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an element matching the CSS selector `css` (polling), else fails showing the
    /// page it was not on.
    pub async fn wait(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                return e;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "no `{css}` on {} after {PATIENCE:?}; the page:\n{}",
                    self.path().await,
                    self.page_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element matches `css` now.
    pub async fn has(&self, css: &str) -> bool {
        !self.all(css).await.is_empty()
    }

    /// Every element matching `css` now.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.c.find_all(Locator::Css(css)).await.unwrap()
    }

    /// Types `text` into the field with id `id` (after clearing it).
    pub async fn fill(&self, id: &str, text: &str) {
        let e = self.wait(&format!("#{id}")).await;
        e.clear().await.unwrap();
        e.send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("typing into #{id}: {err}"));
    }

    /// Clicks the element with id `id`, once it is there.
    pub async fn click(&self, id: &str) {
        let e = self.wait(&format!("#{id}")).await;
        e.click()
            .await
            .unwrap_or_else(|err| panic!("clicking #{id}: {err}"));
    }

    /// The visible text of the first element matching `css` (waiting for it).
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.unwrap()
    }

    /// The page's visible text (for failure messages and looser checks).
    pub async fn page_text(&self) -> String {
        match self.c.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(e) => format!("(no body: {e})"),
        }
    }

    /// Runs `script` in the page and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.c.execute(script, vec![]).await.unwrap()
    }

    /// Signs the browser in with a session cookie (set on the desk's origin).
    pub async fn sign_in_with(&self, s: &super::Session) {
        self.goto("/healthz").await;
        // As the desk sets it (SameSite=None, the default here, would need Secure).
        let cookie = fantoccini::cookies::Cookie::parse(format!(
            "{}; Path=/; Domain=127.0.0.1; SameSite=Lax; HttpOnly",
            s.cookie
        ))
        .unwrap();
        self.c.add_cookie(cookie).await.unwrap();
    }

    /// Saves a screenshot as `$BIZDESK_SCREENSHOTS/<test>-<step>.png` when that is set.
    pub async fn shot(&self, step: &str) {
        let Some(dir) = shots_dir() else {
            return;
        };
        // The whole page, not only the first screen: Chromium's full-page capture.
        let png = self.full_page_png().await;
        let file = Path::new(&dir).join(format!("{}-{step}.png", self.test));
        std::fs::write(&file, png).unwrap();
    }

    /// Saves a screenshot of the first element matching `css` (as [`Browser::shot`] does).
    pub async fn shot_of(&self, css: &str, step: &str) {
        let Some(dir) = shots_dir() else {
            return;
        };
        let e = self.wait(css).await;
        let arg = serde_json::to_value(&e).unwrap();
        self.c
            .execute("arguments[0].scrollIntoView()", vec![arg])
            .await
            .unwrap();
        let png = e.screenshot().await.unwrap();
        let file = Path::new(&dir).join(format!("{}-{step}.png", self.test));
        std::fs::write(&file, png).unwrap();
    }

    /// A PNG of the whole page: the window made as tall as the page for the capture.
    async fn full_page_png(&self) -> Vec<u8> {
        let (w, h) = self.c.get_window_size().await.unwrap();
        let sizes = self
            .js("return [document.documentElement.scrollHeight, window.innerHeight]")
            .await;
        let (page, inner) = (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap());
        let taller = page > inner;
        if taller {
            // The window's own bars stay: the page gets `page` pixels (at most 8000).
            let height = page.min(8000) + h.saturating_sub(inner);
            self.c
                .set_window_size(w as u32, height as u32)
                .await
                .unwrap();
        }
        let png = self.c.screenshot().await.unwrap();
        if taller {
            self.c.set_window_size(w as u32, h as u32).await.unwrap();
        }
        png
    }
}

/// Where screenshots go: `$BIZDESK_SCREENSHOTS` (`1` means `target/screenshots`), made if
/// missing; `None` when it is not set.
fn shots_dir() -> Option<String> {
    let dir = std::env::var("BIZDESK_SCREENSHOTS").ok()?;
    let dir = if dir.is_empty() || dir == "1" {
        "target/screenshots".to_string()
    } else {
        dir
    };
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

impl Drop for Browser {
    /// A test that failed half-way still ends its browser session (the runtime that would
    /// have sent the async close is going away): a plain DELETE to chromedriver.
    fn drop(&mut self) {
        if self.closed || self.session.is_empty() {
            return;
        }
        let addr = self.driver.trim_start_matches("http://");
        if let Ok(mut s) = TcpStream::connect(addr) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = s.read(&mut [0u8; 512]);
        }
    }
}
