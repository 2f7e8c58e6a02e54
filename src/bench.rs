//! `bizdesk bench`: requisition submissions through the service layer, against a same-run
//! baseline of raw SQL transactions writing the same rows.

use crate::app;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::domain::audit::AuditEvent;
use crate::domain::directory::Employee;
use crate::domain::money::{Currency, Money};
use crate::outln;
use crate::procurement::requisitions::domain::RequisitionInput;
use crate::service::Desk;
use crate::store::{self, fresh, Store};
use anyhow::Context;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `bizdesk bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Requisitions to submit in each measured pass.
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// A PostgreSQL URL to benchmark on (fresh databases are created there and dropped);
    /// without it, SQLite files in a temporary folder.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// Alternating passes of each side (the machine is noisy; alternating evens it out).
    #[arg(long, default_value_t = 2)]
    pub passes: usize,
    /// Also measure the service with a budget in force for every department (each submission
    /// then checks budget.control under the year's lock and moves its ledger position), on a
    /// third fresh database, in the same alternating passes.
    #[arg(long)]
    pub budget: bool,
}

/// Latencies of one side.
#[derive(Debug, Default)]
struct Side {
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Side {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    fn pct(&mut self, p: f64) -> f64 {
        self.latencies.sort();
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies
            .get(i)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }
}

/// Runs the benchmark and prints the numbers.
pub async fn run(config: &Config, args: BenchArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("temporary folder")?;
    let backend = if args.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let svc_url = fresh::fresh_url(args.postgres.as_deref(), dir.path(), "bench_svc").await?;
    let raw_url = fresh::fresh_url(args.postgres.as_deref(), dir.path(), "bench_raw").await?;
    let mut cfg = config.clone();
    cfg.database.url = crate::config::Secret::new(svc_url.clone());
    cfg.database.max_connections = args.clients.max(1) as u32;
    let chat = app::open_with_clock(&cfg, Arc::new(SystemClock)).await?;
    let desk = chat.desk.clone();
    let budget_url = match args.budget {
        true => Some(fresh::fresh_url(args.postgres.as_deref(), dir.path(), "bench_bud").await?),
        false => None,
    };
    let budget_desk = match &budget_url {
        Some(url) => {
            let mut cfg = cfg.clone();
            cfg.database.url = crate::config::Secret::new(url.clone());
            let desk = app::open_with_clock(&cfg, Arc::new(SystemClock))
                .await?
                .desk;
            budget_in_force(&desk).await?;
            Some(desk)
        }
        None => None,
    };
    let raw = Store::open(
        &raw_url,
        args.clients.max(1) as u32,
        config.database.busy_timeout_ms,
    )
    .await?;
    let requesters = requesters(&desk).await?;
    // The baseline database holds the same directory, so its foreign keys hold too.
    let org = app::load_org(&config.directory.file)?;
    let mut conn = raw.pool().acquire().await?;
    store::directory::sync(&mut conn, &org, store::to_ms(chrono::Utc::now())).await?;
    let raw_dir = store::directory::load(&mut conn).await?;
    drop(conn);
    let raw_requester = raw_dir
        .by_handle(&requesters[0].handle)
        .map(|e| e.id)
        .context("requester")?;
    let raw_approver = raw_dir
        .head_of(&requesters[0].department)
        .map(|e| e.id)
        .context("the requester's department has no head")?;
    outln!(
        "bizdesk bench: {backend}, {} requisitions x {} passes, {} clients",
        args.requests,
        args.passes,
        args.clients
    )?;
    let mut svc = Side::default();
    let mut base = Side::default();
    let mut bud = Side::default();
    for pass in 0..args.passes {
        let b = drive(args.requests, args.clients, {
            let raw = raw.clone();
            move |i| {
                let raw = raw.clone();
                async move { raw_submit(&raw, raw_requester, raw_approver, i).await }
            }
        })
        .await?;
        let s = drive(args.requests, args.clients, {
            let desk = desk.clone();
            let requesters = requesters.clone();
            move |i| {
                let desk = desk.clone();
                let who = requesters[i % requesters.len()].clone();
                async move { service_submit(&desk, &who, i).await }
            }
        })
        .await?;
        if let Some(budget_desk) = &budget_desk {
            let u = drive(args.requests, args.clients, {
                let desk = budget_desk.clone();
                let requesters = requesters.clone();
                move |i| {
                    let desk = desk.clone();
                    let who = requesters[i % requesters.len()].clone();
                    async move { service_submit(&desk, &who, i).await }
                }
            })
            .await?;
            outln!(
                "  pass {}: service with a budget in force {:>8.0}/s",
                pass + 1,
                u.rate()
            )?;
            bud.latencies.extend(u.latencies);
            bud.wall += u.wall;
        }
        outln!(
            "  pass {}: baseline {:>8.0}/s   service {:>8.0}/s",
            pass + 1,
            b.rate(),
            s.rate()
        )?;
        base.latencies.extend(b.latencies);
        base.wall += b.wall;
        svc.latencies.extend(s.latencies);
        svc.wall += s.wall;
    }
    let ratio = svc.rate() / base.rate().max(1e-9);
    outln!("                      throughput      p50        p99")?;
    outln!(
        "  baseline (raw SQL)  {:>8.0}/s  {:>7.2} ms  {:>7.2} ms",
        base.rate(),
        base.pct(0.5),
        base.pct(0.99)
    )?;
    outln!(
        "  service layer       {:>8.0}/s  {:>7.2} ms  {:>7.2} ms",
        svc.rate(),
        svc.pct(0.5),
        svc.pct(0.99)
    )?;
    outln!(
        "  ratio service/baseline: {ratio:.2} (target >= 0.50: {})",
        if ratio >= 0.5 { "met" } else { "NOT met" }
    )?;
    if let Some(budget_desk) = &budget_desk {
        let share = bud.rate() / svc.rate().max(1e-9);
        outln!(
            "  service + budget    {:>8.0}/s  {:>7.2} ms  {:>7.2} ms",
            bud.rate(),
            bud.pct(0.5),
            bud.pct(0.99)
        )?;
        outln!(
            "  ratio with budget/without: {share:.2} (target >= 0.80: {})",
            if share >= 0.8 { "met" } else { "NOT met" }
        )?;
        budget_desk.store.close().await;
    }
    desk.store.close().await;
    raw.close().await;
    if let Some(admin) = &args.postgres {
        fresh::drop_database(admin, &svc_url).await?;
        fresh::drop_database(admin, &raw_url).await?;
        if let Some(url) = &budget_url {
            fresh::drop_database(admin, url).await?;
        }
    }
    Ok(())
}

/// A budget for this year in force with an `it` line for every department, large enough
/// that no submission is refused or warned (each is still checked and moved).
async fn budget_in_force(desk: &Desk) -> anyhow::Result<()> {
    use chrono::Datelike;
    let mut tx = desk.store.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let finance = dir
        .employees
        .first()
        .map(|e| e.id)
        .context("an empty directory")?;
    let now = store::to_ms(desk.now());
    let (round,): (i64,) = sqlx::query_as(
        "INSERT INTO budget_rounds (year, period, due_on, status, opened_by, created_at, updated_at) \
         VALUES ($1, 'year', '2000-01-01', 'in_force', $2, $3, $3) RETURNING id",
    )
    .bind(i64::from(desk.today().year()))
    .bind(finance)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for d in &dir.departments {
        sqlx::query(
            "INSERT INTO budget_lines (round_id, department_code, category, period, amount_minor, \
             currency, updated_by, updated_at) VALUES ($1, $2, 'it', $3, $4, $5, $6, $7)",
        )
        .bind(round)
        .bind(&d.code)
        .bind(desk.today().year().to_string())
        .bind(1_000_000_000_000_000i64)
        .bind(desk.company.currency.as_str())
        .bind(finance)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Employees who are not department heads, so every submission takes the normal route.
async fn requesters(desk: &Desk) -> anyhow::Result<Vec<Employee>> {
    let mut conn = desk.store.pool().acquire().await?;
    let dir = store::directory::load(&mut conn).await?;
    let heads: Vec<&str> = dir
        .departments
        .iter()
        .filter_map(|d| d.head.as_deref())
        .collect();
    let v: Vec<Employee> = dir
        .employees
        .iter()
        .filter(|e| e.active && !heads.contains(&e.handle.as_str()))
        .cloned()
        .collect();
    anyhow::ensure!(!v.is_empty(), "the directory has no employees to submit as");
    Ok(v)
}

async fn drive<F, Fut>(n: usize, clients: usize, op: F) -> anyhow::Result<Side>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let next = next.clone();
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                op(i).await?;
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut side = Side::default();
    for t in tasks {
        side.latencies.extend(t.await??);
    }
    side.wall = start.elapsed();
    Ok(side)
}

async fn service_submit(desk: &Desk, who: &Employee, i: usize) -> anyhow::Result<()> {
    let input = RequisitionInput {
        item: Some(format!("Laptop #{i}")),
        quantity: Some(2),
        unit_price: Some(Money::new(4_000_000, Currency::CNY)),
        reason: Some("bench".into()),
        category: Some("it".into()),
        ..Default::default()
    };
    crate::procurement::requisitions::service::submit(desk, who, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// The same rows a submission writes (requisition, round, three stages, one task, one prompt,
/// one audit event on the chain), as hand-written SQL in one transaction.
async fn raw_submit(store: &Store, requester: i64, approver: i64, i: usize) -> anyhow::Result<()> {
    let now = store::to_ms(chrono::Utc::now());
    let mut tx = store.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO requisitions (requester_id, department_code, item, spec, quantity, unit_price_minor, total_minor, \
         currency, needed_by, reason, category, status, round, created_at, updated_at) \
         VALUES ($1, 'SAL', $2, '', 2, 4000000, 8000000, 'CNY', NULL, 'bench', 'it', 'pending', 1, $3, $3) RETURNING id",
    )
    .bind(requester)
    .bind(format!("Laptop #{i}"))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let r = format!("REQ-{id:06}");
    let (aid,): (i64,) = sqlx::query_as(
        "INSERT INTO approvals (subject_kind, subject_id, subject_ref, round, requester_id, policy, snapshot, status, \
         current_stage, version, created_at) VALUES ('requisition', $1, $2, 1, $3, 'requisition', '{}', 'pending', 0, 0, $4) RETURNING id",
    )
    .bind(id)
    .bind(&r)
    .bind(requester)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut first = 0;
    for idx in 0..3i64 {
        let (sid,): (i64,) = sqlx::query_as(
            "INSERT INTO approval_stages (approval_id, idx, name, name_zh, mode, required, approvers, status, started_at) \
             VALUES ($1, $2, 'stage', '', 'any', 1, $3, $4, $5) RETURNING id",
        )
        .bind(aid)
        .bind(idx)
        .bind(approver.to_string())
        .bind(if idx == 0 { "active" } else { "waiting" })
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if idx == 0 {
            first = sid;
        }
    }
    let (tid,): (i64,) = sqlx::query_as(
        "INSERT INTO approval_tasks (approval_id, stage_id, assignee_id, status, created_at) VALUES ($1, $2, $3, 'open', $4) RETURNING id",
    )
    .bind(aid)
    .bind(first)
    .bind(approver)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO outbox (channel, recipient_id, kind, subject_ref, payload, status, next_attempt_at, created_at) \
         VALUES ('chat', $1, 'approval_prompt', $2, $3, 'pending', $4, $4)",
    )
    .bind(approver)
    .bind(&r)
    .bind(format!("{{\"task_id\":{tid}}}"))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let event = AuditEvent {
        seq: 0,
        at_ms: now,
        actor: "bench".into(),
        on_behalf_of: None,
        action: "requisition.submit".into(),
        subject: r,
        summary: "bench".into(),
    };
    // The raw database is never keyed, so the key is unused: its chain stays plain SHA-256.
    let key = crate::domain::audit::ChainKey::new(vec![0; 32]);
    store::audit::append(&mut tx, &key, event).await?;
    tx.commit().await?;
    Ok(())
}
