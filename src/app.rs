//! Wiring: from settings to a running desk, and `serve`.

use crate::approval::policy::Policies;
use crate::chat::discord::{endpoint, link, Discord};
use crate::chat::render::Renderer;
use crate::chat::Chat;
use crate::clock::{Clock, SystemClock};
use crate::commands::Catalog;
use crate::config::files::Files;
use crate::config::org::{OrgFile, SAMPLE};
use crate::config::problems::Problems;
use crate::config::Config;
use crate::config::DiscordMode;
use crate::domain::Locale;
use crate::mail::Mailer;
use crate::outbox::discord::DiscordOutbox;
use crate::outbox::email::EmailOutbox;
use crate::scheduler::Scheduler;
use crate::service::{self, Company, Desk};
use crate::store::Store;
use anyhow::{anyhow, Context};
use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use crate::config::setup::DEFAULT_WORKFLOWS;

/// Loads the approval policies from the configured file, or the embedded ones when the
/// default file is absent. A file may list only the policies it changes: a subject kind it
/// leaves out (requisition, opportunity, contract) keeps the embedded policy.
pub fn load_policies(path: &Path) -> anyhow::Result<Policies> {
    Ok(crate::config::setup::load_policies(path)?)
}

/// Loads a directory file for `bizdesk org sync`, checked on its own and with every other
/// file against it (the approval policies' approvers, the routing rules' departments); every
/// problem names the file, line, key and the fix.
pub fn load_org_for_sync(config: &Config, file: &Path) -> anyhow::Result<OrgFile> {
    if let Err(e) = std::fs::metadata(file) {
        let mut p = Problems::default();
        let message = format!("cannot read the directory file: {e}");
        p.push(&file.display().to_string(), None, "", message);
        return Err(p.into());
    }
    Ok(load_files(config, file)?.setup.org)
}

/// Loads and checks the system's recurring jobs (`scheduler.file`), or the embedded ones when
/// the default file is absent. Errors name the file, the line, the key and the reason.
pub fn load_schedules(config: &Config) -> anyhow::Result<Vec<crate::config::schedules::SystemJob>> {
    Ok(crate::config::files::load_schedules(config)?)
}

pub use crate::config::files::DEFAULT_ROUTING;

/// Everything a start reads besides the settings, checked without opening the database or
/// connecting anywhere: the directory (`directory`, standing for `directory.file`), the
/// approval policies, the routing rules, the recurring jobs, the template overrides and the
/// key file. Every problem of every file is listed at once.
pub fn load_files(config: &Config, directory: &Path) -> Result<Files, Problems> {
    let files = crate::config::files::load(config, directory);
    let mut problems = files.as_ref().err().cloned().unwrap_or_default();
    let dir = &config.templates.dir;
    if let Err(e) = Renderer::load(
        Some(dir.as_path()),
        config.company.time_zone,
        HashMap::new(),
    ) {
        problems.push(&dir.display().to_string(), None, "", format!("{e:#}"));
    }
    let key_file = &config.security.key_file;
    if let Err(e) = crate::store::keys::Keys::load(key_file) {
        let message = format!("{e:#}");
        let prefix = format!("{}: ", key_file.display());
        let message = message.strip_prefix(&prefix).unwrap_or(&message);
        problems.push(
            &key_file.display().to_string(),
            None,
            "",
            message.to_string(),
        );
    }
    match files {
        Ok(files) if problems.is_empty() => Ok(files),
        _ => Err(problems),
    }
}

/// The configured values options accept by name: requisition categories, inquiry
/// categories (from the routing rules) and order stages.
pub fn vocabulary(
    config: &Config,
    routing: &crate::service_desk::inquiries::domain::Routing,
) -> crate::domain::term::Vocabulary {
    use crate::domain::term::{Term, Vocabulary};
    let mut v = Vocabulary::default();
    v.set(
        "requisition_categories",
        config.requisitions.category_terms(),
    );
    v.set("inquiry_categories", routing.categories.clone());
    let stages = config.sales.order_stages.iter();
    v.set(
        "order_stages",
        stages
            .map(|s| Term::new(&s.code, &s.name, &s.name_zh))
            .collect(),
    );
    v
}

/// Loads the directory file, or the embedded sample when the default file is absent.
pub fn load_org(path: &Path) -> anyhow::Result<OrgFile> {
    if !path.exists() && path == Path::new("config/org.toml") {
        return OrgFile::parse(SAMPLE).map_err(|e| anyhow!("embedded sample directory: {e}"));
    }
    OrgFile::load(path)
}

/// Opens everything a command needs: store (migrated), policies, catalog, templates.
pub async fn open(config: &Config) -> anyhow::Result<Chat> {
    open_with_clock(config, Arc::new(SystemClock)).await
}

/// [`open`] with a chosen clock (tests).
pub async fn open_with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Chat> {
    // Every file checked, every problem listed, before the database is touched.
    let files = load_files(config, &config.directory.file)?;
    let store = Store::open(
        config.database.url.expose(),
        config.database.max_connections,
        config.database.busy_timeout_ms,
    )
    .await?;
    let keys = crate::store::keys::open(
        &store,
        &config.security.key_file,
        clock.now().timestamp_millis(),
        crate::service_desk::satisfaction::domain::VALID_DAYS,
    )
    .await?;
    let setup = files.setup;
    let policies = setup.policies;
    let catalog = Catalog::embedded().context("commands/*.toml")?;
    let mut option_names = HashMap::new();
    for c in &catalog.commands {
        let opts = c
            .options
            .iter()
            .chain(c.subcommands.iter().flat_map(|s| s.options.iter()));
        for o in opts {
            if !o.name_zh.is_empty() {
                option_names
                    .entry(o.name.clone())
                    .or_insert_with(|| o.name_zh.clone());
            }
        }
    }
    let dir = &config.templates.dir;
    let mut renderer = Renderer::load(Some(dir.as_path()), config.company.time_zone, option_names)?;
    let routing = files.routing;
    let company = Company {
        name: config.company.name.clone(),
        name_zh: config.company.name_in(Locale::ZhCn).to_string(),
        discord: !config.discord.token.expose().trim().is_empty(),
        time_zone: config.company.time_zone,
        locale: config.company.locale,
        currency: config.company.currency,
        categories: config
            .requisitions
            .category_terms()
            .into_iter()
            .map(|t| t.code)
            .collect(),
        public_url: config.web.public_url.clone(),
        order_stages: config.sales.order_stages.clone(),
        terms: Arc::new(vocabulary(config, &routing)),
        order_roles: config.sales.roles()?,
        procurement: config.procurement.clone(),
        budget: config.budget.clone(),
    };
    renderer.set_terms(company.terms.clone());
    let desk = Desk {
        store,
        company: Arc::new(company),
        policies: Arc::new(policies),
        routing: Arc::new(routing),
        clock,
        keys: Arc::new(keys),
        subjects: Arc::new(crate::registry::subjects()),
        request_key: None,
    };
    let chat = Chat {
        desk,
        renderer: Arc::new(renderer),
        catalog: Arc::new(catalog),
        handlers: Arc::new(crate::registry::handlers()),
    };
    if service::directory::is_empty(&chat.desk).await? {
        let report = service::directory::sync(&chat.desk, &setup.org, "system").await?;
        tracing::info!(
            added = report.added.len(),
            "loaded the company directory into a new database"
        );
    }
    Ok(chat)
}

/// Runs the desk until `shutdown` resolves: syncs the directory, serves HTTP, connects to
/// Discord when a token is set, and delivers chat messages and email.
pub async fn serve(
    config: &Config,
    chat: Chat,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_on(config, chat, None, shutdown).await
}

/// [`serve`] on a listener the caller bound (tests bind 127.0.0.1:0 first).
pub async fn serve_on(
    config: &Config,
    chat: Chat,
    listener: Option<tokio::net::TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let system_jobs = load_schedules(config)?;
    if config.directory.sync_on_start {
        let org = crate::config::setup::load(config)?.org;
        let report = service::directory::sync(&chat.desk, &org, "system").await?;
        tracing::info!(file = %config.directory.file.display(), "directory synced: {}", report.summary());
    }
    // Tell `bizdesk restore` that this database is in use.
    let _serving = match crate::store::backup::sqlite_path(config.database.url.expose()) {
        Some(db) => Some(
            crate::store::backup::ServingGuard::new(&db).context("writing the serving marker")?,
        ),
        None => None,
    };
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut endpoint_router = None;
    let mut tasks = Vec::new();
    let mut discord_readiness = crate::web::DiscordReadiness::Off;
    if config.discord.token.is_set() {
        match config.discord.mode {
            DiscordMode::Gateway => {
                // In the background: an unreachable Discord must not stop email, the scheduler
                // or the web server; `/readyz` says whether it is connected.
                let (task, connected) = link::spawn_gateway(config, chat.clone(), stop.clone());
                tasks.push(task);
                discord_readiness = crate::web::DiscordReadiness::Gateway(connected);
            }
            DiscordMode::Http => {
                // The application id is configured in http mode: this asks Discord nothing.
                let discord = Arc::new(Discord::new(config, chat.clone()).await?);
                tasks.extend(
                    link::register_with_retries(config, discord.clone(), stop.clone()).await,
                );
                discord_readiness = crate::web::DiscordReadiness::Endpoint;
                endpoint_router = Some(endpoint::router(
                    discord.clone(),
                    &config.discord.public_key,
                )?);
                tracing::info!("Discord interactions endpoint: POST /discord/interactions");
                let worker = DiscordOutbox::new(discord);
                tasks.push(tokio::spawn(
                    worker.run(stop.clone(), Duration::from_millis(500)),
                ));
            }
        }
    } else {
        tracing::info!(
            "Discord is off: set BIZDESK__DISCORD__TOKEN (or discord.token) to connect a bot"
        );
    }
    let mut router = crate::web::router_with_discord(
        chat.clone(),
        crate::web::WebSettings::from_config(config),
        discord_readiness,
    );
    if let Some(endpoint) = endpoint_router {
        router = router.merge(endpoint);
    }
    let mailer = Arc::new(Mailer::from_config(&config.smtp, &config.company.name)?);
    let email = EmailOutbox::new(
        chat.desk.clone(),
        chat.renderer.clone(),
        mailer,
        config.smtp.pool_size as usize,
    )
    .with_link_validity(i64::from(config.web.link_valid_days) * 86_400_000);
    tasks.push(tokio::spawn(
        email.run(stop.clone(), Duration::from_millis(500)),
    ));
    if config.scheduler.enabled {
        for change in service::schedules::sync(&chat.desk, &system_jobs).await? {
            tracing::info!("recurring job {change}");
        }
        let scheduler = Scheduler::new(chat.desk.clone(), config.scheduler.options());
        let listen = match chat.desk.store.backend() {
            crate::store::Backend::Postgres => Some(config.database.url.expose().to_string()),
            crate::store::Backend::Sqlite => None,
        };
        tasks.push(tokio::spawn(scheduler.run(stop.clone(), listen)));
    } else {
        tracing::info!("the scheduler is off (scheduler.enabled = false): no reminders, follow-ups or digests from this process");
    }
    let listener = match listener {
        Some(l) => l,
        None => tokio::net::TcpListener::bind(config.web.bind)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {}; set web.bind or BIZDESK__WEB__BIND to a free address",
                    config.web.bind
                )
            })?,
    };
    tracing::info!(addr = %listener.local_addr()?, "web server listening (GET /healthz, GET /readyz)");
    tracing::info!("bizdesk is running; try: bizdesk console --as li.na   (Ctrl-C stops)");
    let store = chat.desk.store.clone();
    // Small JSON answers (the Discord endpoint's first responses) must not wait for delayed ACKs.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let web = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    web.await.context("web server")?;
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
    }
    store.close().await;
    tracing::info!("bizdesk stopped cleanly");
    Ok(())
}
