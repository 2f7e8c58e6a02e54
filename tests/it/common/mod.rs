//! Test harness: a fresh desk per test on a fresh database (SQLite, or PostgreSQL when
//! `BIZDESK_TEST_POSTGRES_URL` names a server), a manual clock, and one helper per user action.
#![allow(dead_code)]

use bizdesk::chat::{Chat, Reply};
use bizdesk::clock::ManualClock;
use bizdesk::config::{Config, Secret};
use bizdesk::domain::directory::Employee;
use bizdesk::service;
use bizdesk::store::{fresh, outbox};
use chrono::{TimeZone, Utc};
use std::sync::Arc;

/// The PostgreSQL server to test against, if any.
pub fn postgres() -> Option<String> {
    std::env::var("BIZDESK_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

pub struct TestDesk {
    pub chat: Chat,
    pub clock: ManualClock,
    pub url: String,
    pub config: Config,
    _dir: tempfile::TempDir,
}

/// A desk with the sample company on a fresh database, its clock stopped at
/// 2026-11-26 10:00 in Shanghai.
pub async fn spawn_desk() -> TestDesk {
    spawn_desk_with(|_| {}).await
}

/// [`spawn_desk`] with settings changed first.
pub async fn spawn_desk_with(change: impl FnOnce(&mut Config)) -> TestDesk {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("bizdesk=warn"))
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let url = fresh::fresh_url(postgres().as_deref(), dir.path(), "test")
        .await
        .unwrap();
    let mut config = Config::defaults();
    config.database.url = Secret::new(url.clone());
    config.directory.file = concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml").into();
    config.workflows.file = concat!(env!("CARGO_MANIFEST_DIR"), "/config/workflows.toml").into();
    config.security.key_file = dir.path().join("keys");
    config.smtp.drop_dir = dir.path().join("outbox");
    change(&mut config);
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap());
    let chat = bizdesk::app::open_with_clock(&config, Arc::new(clock.clone()))
        .await
        .unwrap();
    TestDesk {
        chat,
        clock,
        url,
        config,
        _dir: dir,
    }
}

impl TestDesk {
    /// The satisfaction link of the (first) resolution email waiting in the outbox.
    pub async fn survey_url(&self) -> String {
        let (payload,): (String,) = sqlx::query_as(
            "SELECT payload FROM outbox WHERE kind = 'inquiry_resolved' ORDER BY id",
        )
        .fetch_one(self.chat.desk.store.pool())
        .await
        .unwrap();
        let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
        payload["survey_url"].as_str().unwrap().to_string()
    }

    pub async fn employee(&self, handle: &str) -> Employee {
        service::directory::actor_by_handle(&self.chat.desk, handle)
            .await
            .unwrap()
    }

    /// Runs a command line as `handle`.
    pub async fn run(&self, handle: &str, line: &str) -> Reply {
        let actor = self.employee(handle).await;
        self.chat.run_line(&actor, line).await
    }

    /// Runs a command that must succeed, returning its text.
    pub async fn ok(&self, handle: &str, line: &str) -> String {
        let r = self.run(handle, line).await;
        assert!(r.ok, "{handle}: {line}\n  failed: {}", r.text);
        r.text
    }

    /// Runs a command that must be refused, returning its message.
    pub async fn refused(&self, handle: &str, line: &str) -> String {
        let r = self.run(handle, line).await;
        assert!(
            !r.ok,
            "{handle}: {line}\n  should have been refused but said: {}",
            r.text
        );
        r.text
    }

    /// Submits a requisition and returns its reference (as the reply carries it).
    pub async fn submit(
        &self,
        handle: &str,
        item: &str,
        quantity: i64,
        unit_price: &str,
    ) -> String {
        let line = format!("/requisition new item:\"{item}\" quantity:{quantity} unit_price:{unit_price} reason:\"test\"");
        let r = self.run(handle, &line).await;
        assert!(r.ok, "{handle}: {line}\n  failed: {}", r.text);
        r.reference
            .unwrap_or_else(|| panic!("no reference with: {}", r.text))
            .to_string()
    }

    /// A requisition as `handle` may read it (the service's story, not its rendering).
    pub async fn requisition(
        &self,
        handle: &str,
        reference: &str,
    ) -> bizdesk::procurement::requisitions::service::Story {
        let actor = self.employee(handle).await;
        let reference = reference.parse().unwrap();
        bizdesk::procurement::requisitions::service::show(&self.chat.desk, &actor, reference)
            .await
            .unwrap()
    }

    /// The references in `handle`'s inbox, oldest first.
    pub async fn inbox(&self, handle: &str) -> Vec<String> {
        let actor = self.employee(handle).await;
        bizdesk::approval::inbox::open_tasks(&self.chat.desk, &actor)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.reference)
            .collect()
    }

    /// Chat notifications waiting for `handle` (without consuming them), rendered.
    pub async fn notifications(&self, handle: &str) -> Vec<(String, Reply)> {
        let e = self.employee(handle).await;
        let mut conn = self.chat.desk.store.pool().acquire().await.unwrap();
        let pending = outbox::pending_for(&mut conn, outbox::CHAT, e.id, i64::MAX)
            .await
            .unwrap();
        let locale = self.chat.locale_of(&e);
        pending
            .iter()
            .map(|m| (m.kind.clone(), self.chat.notification(locale, m)))
            .collect()
    }

    /// Loads `scheduler.file` and writes its recurring jobs, as `serve` does at start.
    pub async fn sync_schedules(&self) {
        let jobs = bizdesk::app::load_schedules(&self.config).unwrap();
        bizdesk::service::schedules::sync(&self.chat.desk, &jobs)
            .await
            .unwrap();
    }

    /// Sends every pending email through the configured SMTP server (or file drop), as the
    /// email worker in `serve` does.
    pub async fn send_all_email(&self) {
        let mailer =
            bizdesk::mail::Mailer::from_config(&self.config.smtp, &self.config.company.name)
                .unwrap();
        let worker = bizdesk::outbox::email::EmailOutbox::new(
            self.chat.desk.clone(),
            self.chat.renderer.clone(),
            Arc::new(mailer),
            2,
        );
        while worker.drain_once().await.unwrap() > 0 {}
    }

    /// A scheduler on this desk (its clock is the test's manual clock).
    pub fn scheduler(&self) -> bizdesk::scheduler::Scheduler {
        bizdesk::scheduler::Scheduler::new(self.chat.desk.clone(), Default::default())
    }

    /// Moves the clock on by `secs` and runs everything that became due.
    pub async fn advance(&self, secs: i64) -> bizdesk::scheduler::Tick {
        self.clock.advance(chrono::Duration::seconds(secs));
        self.scheduler().drain().await.unwrap()
    }

    /// Presses a notification's button as `handle`.
    pub async fn press(&self, handle: &str, action: &bizdesk::chat::Action) -> Reply {
        let actor = self.employee(handle).await;
        self.chat.press(&actor, action, None).await
    }

    /// Notifications of `kind` waiting for `handle`.
    pub async fn notes_of(&self, handle: &str, kind: &str) -> Vec<Reply> {
        self.notifications(handle)
            .await
            .into_iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, r)| r)
            .collect()
    }

    /// A count from SQL (`SELECT COUNT(*) …`).
    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(self.chat.desk.store.pool())
            .await
            .unwrap();
        n
    }

    /// Runs a SQL statement directly (for tampering tests).
    pub async fn sql(&self, statement: &str) {
        sqlx::query(statement)
            .execute(self.chat.desk.store.pool())
            .await
            .unwrap();
    }

    /// The cause chain of an error that must be internal (not the user's mistake).
    pub fn internal(&self, e: bizdesk::service::DeskError) -> String {
        match e {
            bizdesk::service::DeskError::Internal(cause) => format!("{cause:#}"),
            other => panic!("expected an internal error, got {other:?}"),
        }
    }
}
