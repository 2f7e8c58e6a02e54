//! A purchase order's requester follows it in ONE Discord DM, edited in place as the PO
//! moves (sent → confirmed), not a new message per step.

use crate::discord_support::{discord_id, Bot};

async fn run(bot: &Bot, handle: &str, line: &str) -> String {
    let actor = bizdesk::service::directory::actor_by_handle(&bot.chat.desk, handle)
        .await
        .unwrap();
    let r = bot.chat.run_line(&actor, line).await;
    assert!(r.ok, "{handle}: {line}: {}", r.text);
    r.text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requesters_po_dm_is_edited_as_the_po_moves() {
    let bot = Bot::start().await;
    let pool = bot.chat.desk.store.pool();
    for sql in [
        "INSERT INTO requisitions (requester_id, department_code, item, quantity, unit_price_minor, \
         total_minor, currency, status, created_at, updated_at) SELECT id, 'SAL', 'Monitor', 4, \
         150000, 600000, 'CNY', 'approved', 0, 0 FROM employees WHERE handle = 'tom.baker'",
        "INSERT INTO suppliers (name, email, status, owner_id, created_at, updated_at) \
         SELECT 'Screen Co', 'screens@example.test', 'qualified', id, 0, 0 FROM employees \
         WHERE handle = 'huang.lei'",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    run(
        &bot,
        "huang.lei",
        "/po new requisition:REQ-000001 supplier:SUP-000001",
    )
    .await;
    run(&bot, "chen.jie", "/approval approve ref:PO-000001").await;
    let sent = bot
        .dm("tom.baker", |m| {
            m.text().contains("PO-000001") && m.text().contains("was sent to the supplier")
        })
        .await;
    run(&bot, "huang.lei", "/po confirm ref:PO-000001").await;
    let confirmed = bot
        .dm("tom.baker", |m| {
            m.text().contains("PO-000001") && m.text().contains("was confirmed by the supplier")
        })
        .await;
    assert_eq!(sent.id, confirmed.id, "the same DM, edited");
    assert!(confirmed.edits >= 1, "{confirmed:?}");
    let about_it: Vec<_> = bot
        .fake
        .dm_messages(discord_id("tom.baker"))
        .into_iter()
        .filter(|m| m.text().contains("PO-000001"))
        .collect();
    assert_eq!(about_it.len(), 1, "one DM about the PO: {about_it:?}");
    assert!(!bot.fake.requests_to("PATCH", "/channels/").is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_whose_first_message_never_arrived_is_sent_as_a_new_dm() {
    let bot = Bot::start_manual().await;
    let pool = bot.chat.desk.store.pool();
    let exec = |sql: &'static str| async move {
        sqlx::query(sql).execute(pool).await.unwrap();
    };
    exec(
        "INSERT INTO requisitions (requester_id, department_code, item, quantity, unit_price_minor, \
         total_minor, currency, status, created_at, updated_at) SELECT id, 'SAL', 'Monitor', 4, \
         150000, 600000, 'CNY', 'approved', 0, 0 FROM employees WHERE handle = 'tom.baker'",
    )
    .await;
    exec(
        "INSERT INTO suppliers (name, email, status, owner_id, created_at, updated_at) \
         SELECT 'Screen Co', 'screens@example.test', 'qualified', id, 0, 0 FROM employees \
         WHERE handle = 'huang.lei'",
    )
    .await;
    // Tom's first PO message cannot reach Discord and becomes a dead letter.
    exec("UPDATE employees SET discord_id = NULL WHERE handle = 'tom.baker'").await;
    run(
        &bot,
        "huang.lei",
        "/po new requisition:REQ-000001 supplier:SUP-000001",
    )
    .await;
    run(&bot, "chen.jie", "/approval approve ref:PO-000001").await;
    exec("UPDATE outbox SET status = 'dead' WHERE kind = 'po_progress'").await;
    sqlx::query("UPDATE employees SET discord_id = $1 WHERE handle = 'tom.baker'")
        .bind(discord_id("tom.baker").to_string())
        .execute(pool)
        .await
        .unwrap();
    run(&bot, "huang.lei", "/po confirm ref:PO-000001").await;
    bot.drain().await;
    let about_it: Vec<_> = bot
        .fake
        .dm_messages(discord_id("tom.baker"))
        .into_iter()
        .filter(|m| m.text().contains("PO-000001"))
        .collect();
    assert_eq!(about_it.len(), 1, "{about_it:?}");
    assert!(about_it[0].text().contains("was confirmed by the supplier"));
    assert_eq!(about_it[0].edits, 0);
    bot.stop().await;
}
