//! Operator commands' work that prints a report: `bizdesk customers import`, `bizdesk
//! suppliers import`, `bizdesk jobs` and `bizdesk export`
//! (the command line in `src/main.rs` parses arguments and calls these).

pub mod outbox;
pub mod output;

use crate::outln;
use crate::service;
use anyhow::bail;

/// What an import did: the rows added (their line and how to name them) and the rows refused
/// (their line and why).
pub struct Imported {
    pub added: Vec<(usize, String)>,
    pub refused: Vec<(usize, Vec<crate::domain::Msg>)>,
}

/// `bizdesk customers import`: adds the good rows, lists the refused ones with their reasons.
pub async fn import_customers(
    chat: &crate::chat::Chat,
    handle: &str,
    csv: &[u8],
) -> anyhow::Result<u8> {
    import_as(chat, handle, "customers", |desk, actor| async move {
        let r = crate::service_desk::customers::service::import(&desk, &actor, csv).await?;
        Ok(Imported {
            added: r
                .added
                .iter()
                .map(|(line, c)| (*line, format!("#{} {}", c.id, c.name)))
                .collect(),
            refused: r.refused,
        })
    })
    .await
}

/// `bizdesk suppliers import`: adds the good rows as candidates owned by `handle`, lists the
/// refused ones with their lines and reasons.
pub async fn import_suppliers(
    chat: &crate::chat::Chat,
    handle: &str,
    csv: &[u8],
) -> anyhow::Result<u8> {
    import_as(chat, handle, "suppliers", |desk, actor| async move {
        let r = crate::procurement::suppliers::import::import(&desk, &actor, csv).await?;
        Ok(Imported {
            added: r
                .added
                .iter()
                .map(|(line, s)| {
                    let r = crate::procurement::suppliers::service::reference(s.id);
                    (*line, format!("{r} {}", s.name))
                })
                .collect(),
            refused: r.refused,
        })
    })
    .await
}

/// Runs an import as `handle` and prints what it added and refused (exit 2 when a row or the
/// whole file was refused).
async fn import_as<F, Fut>(
    chat: &crate::chat::Chat,
    handle: &str,
    noun: &str,
    run: F,
) -> anyhow::Result<u8>
where
    F: FnOnce(service::Desk, crate::domain::directory::Employee) -> Fut,
    Fut: std::future::Future<Output = service::DeskResult<Imported>>,
{
    let desk = &chat.desk;
    let actor = match service::directory::actor_by_handle(desk, handle).await {
        Ok(a) => a,
        Err(service::DeskError::User(msgs)) => {
            let l = crate::chat::console::locale_for_handle(chat, handle).await;
            let text: Vec<String> = msgs.iter().map(|m| chat.renderer.msg(l, m)).collect();
            eprintln!("--as {handle}: {}", text.join("; "));
            return Ok(2);
        }
        Err(e) => bail!("{e:#}"),
    };
    let locale = chat.locale_of(&actor);
    let say = |msgs: &[crate::domain::Msg]| {
        msgs.iter()
            .map(|m| chat.renderer.msg(locale, m))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match run(desk.clone(), actor).await {
        Ok(report) => {
            outln!(
                "imported {} {noun}; {} rows refused",
                report.added.len(),
                report.refused.len()
            )?;
            for (line, name) in &report.added {
                outln!("  line {line}: {name}")?;
            }
            for (line, msgs) in &report.refused {
                outln!("  line {line}: refused: {}", say(msgs))?;
            }
            Ok(if report.refused.is_empty() { 0 } else { 2 })
        }
        Err(service::DeskError::User(msgs)) => {
            eprintln!("{}", say(&msgs));
            Ok(2)
        }
        Err(e) => Err(anyhow::anyhow!("{e:#}")),
    }
}

/// `bizdesk jobs`: what the scheduler has done and will do.
pub async fn jobs_report(
    desk: &crate::service::Desk,
    failed: bool,
    limit: i64,
) -> anyhow::Result<String> {
    use crate::store::{from_ms, jobs, schedules};
    use std::fmt::Write as _;
    let tz = desk.company.time_zone;
    let at = |ms: i64| {
        from_ms(ms)
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let mut conn = desk.store.pool().acquire().await?;
    let mut text = String::new();
    let counts = jobs::counts(&mut conn).await?;
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{s} {n}")).collect();
    let _ = writeln!(
        text,
        "jobs: {}",
        if counts.is_empty() {
            "none".into()
        } else {
            counts.join(", ")
        }
    );
    let _ = writeln!(text, "\nrecurring:");
    for s in schedules::with_prefix(&mut conn, "").await? {
        let next = s.next_fire_at.map_or("off".to_string(), at);
        let _ = writeln!(
            text,
            "  {:<24} {:<16} {:<16} next {next}",
            s.name, s.expr, s.tz
        );
    }
    let _ = writeln!(
        text,
        "\n{}:",
        if failed { "failed jobs" } else { "latest jobs" }
    );
    for j in jobs::recent(&mut conn, failed, limit).await? {
        let _ = writeln!(
            text,
            "  #{:<7} {:<18} {:<9} try {}  due {}  {}",
            j.id,
            j.kind,
            j.status,
            j.attempts,
            at(j.run_at),
            j.last_error.unwrap_or_default()
        );
    }
    Ok(text)
}

/// `bizdesk customers forget`: erases a customer's personal data (with `apply`), or says what
/// it would erase; in the company's language. Exit 0 when erased, 2 when only previewed or
/// refused.
pub async fn forget_customer(
    chat: &crate::chat::Chat,
    who: &str,
    apply: bool,
) -> anyhow::Result<u8> {
    let locale = chat.desk.company.locale;
    let say = |m: &crate::domain::Msg| chat.renderer.msg(locale, m);
    let r = match crate::service_desk::forget::service::forget(&chat.desk, "operator", who, apply)
        .await
    {
        Ok(r) => r,
        Err(service::DeskError::User(msgs)) => {
            for m in &msgs {
                eprintln!("{}", say(m));
            }
            return Ok(2);
        }
        Err(e) => bail!("{e:#}"),
    };
    let key = match (r.already, apply) {
        (true, _) => "customer.already_forgotten",
        (false, true) => "customer.forgotten",
        (false, false) => "customer.forget_preview",
    };
    let m = crate::domain::Msg::new(key)
        .arg("id", r.customer_id)
        .arg("inquiries", r.inquiries)
        .arg("callbacks", r.callbacks)
        .arg("unsent", r.unsent_emails)
        .arg("scrubbed", r.messages_scrubbed);
    outln!("{}", say(&m))?;
    Ok(if apply && !r.already { 0 } else { 2 })
}

/// `bizdesk export budget|payments|receivables [--year YEAR]`: the table as CSV on standard
/// output, written like the dashboard's CSV downloads (UTF-8 with a byte-order mark, so that
/// spreadsheets read Chinese names right; cells that would run as formulas made inert). Exit 2
/// for an unknown kind or a bad year, before the database is opened.
pub async fn export(
    config: &crate::config::Config,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
    kind: &str,
    year: Option<&str>,
) -> anyhow::Result<u8> {
    use std::io::Write as _;
    let request = match crate::finance::report::export::Request::parse(kind, year) {
        Ok(r) => r,
        Err(problem) => {
            eprintln!("bizdesk export: {problem}");
            return Ok(2);
        }
    };
    let chat = crate::app::open_with_clock(config, clock).await?;
    let table = crate::finance::report::export::table(&chat.desk, &request)
        .await
        .map_err(anyhow::Error::from)?;
    let body = crate::web::dash::csv_text(&table.columns, &table.rows)?;
    let mut out = std::io::stdout().lock();
    write!(out, "\u{feff}{body}")?;
    out.flush()?;
    eprintln!("exported {} rows", table.rows.len());
    chat.desk.store.close().await;
    Ok(0)
}
