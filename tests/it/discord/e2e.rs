//! Discord end to end: the real serenity client in `bizdesk serve` against a wire-level fake
//! Discord on 127.0.0.1 — slash commands, prompts with buttons, the reason modal, prompt edits.

use crate::discord_support;
use crate::fake_discord;

use discord_support::{content, discord_id, requisition, Bot};
use fake_discord::Interaction;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requisition_from_slash_command_to_final_approval_with_every_prompt_edited() {
    let bot = Bot::start().await;
    // Commands were registered in the guild, with Chinese localizations.
    let cmds = bot.fake.guild_commands(fake_discord::GUILD_ID);
    let req = cmds
        .iter()
        .find(|c| c["name"] == "requisition")
        .expect("requisition registered");
    assert_eq!(req["name_localizations"]["zh-CN"], "采购申请");

    let (answered, timed) = bizdesk::metrics::global().discord_counts("direct");
    let r = bot.submit("tom.baker", "ThinkPad X1", 2, "40000").await;
    assert_eq!(r["type"], 4, "{r}");
    // /metrics counts the interaction as answered directly, with its latency.
    let (answered_now, timed_now) = bizdesk::metrics::global().discord_counts("direct");
    assert!(answered_now > answered && timed_now > timed);
    assert_eq!(r["data"]["flags"], 64, "private reply: {r}");
    assert!(
        content(&r).contains("REQ-000001") && content(&r).contains("80,000.00 CNY"),
        "{r}"
    );

    // Stage 1: the head's DM prompt, with Approve / Reject / Request changes.
    let p1 = bot.prompt("wang.fang", "REQ-000001").await;
    assert_eq!(p1.custom_ids().len(), 3, "{:?}", p1.custom_ids());
    assert!(p1.custom_ids().iter().all(|c| c.len() <= 100));
    let text = p1.text();
    for expect in [
        "ThinkPad X1",
        "× 2",
        "80,000.00 CNY",
        "Tom Baker",
        "new hires",
        "部门负责人审批",
    ] {
        assert!(text.contains(expect), "prompt lacks {expect}: {text}");
    }
    let click = bot.click("wang.fang", &p1, 0).await;
    assert!(content(&click).contains("你同意了"), "{click}");

    // Stage 2: both central-office members are prompted; the first click decides.
    let p2a = bot.prompt("chen.jie", "REQ-000001").await;
    let p2b = bot.prompt("liu.yang", "REQ-000001").await;
    bot.click("chen.jie", &p2a, 0).await;
    let stale = bot.click("liu.yang", &p2b, 0).await;
    assert!(
        content(&stale).contains("陈杰"),
        "a stale click says who decided: {stale}"
    );

    // Stage 3 (≥ 50,000): finance.
    let p3 = bot.prompt("grace.lin", "REQ-000001").await;
    let last = bot.click("grace.lin", &p3, 0).await;
    assert!(content(&last).contains("已批准"), "{last}");

    // Every prompt is edited to show the outcome, buttons removed.
    for who in ["wang.fang", "chen.jie", "liu.yang", "grace.lin", "zhao.min"] {
        // Each reads it in their own language (Grace Lin in English, the others in Chinese).
        let (closed, approved) = match who {
            "grace.lin" => ("is closed", "approved by"),
            _ => ("已关闭", "已批准"),
        };
        let edited = bot
            .dm(who, |m| {
                let t = m.text();
                t.contains("REQ-000001") && m.custom_ids().is_empty() && t.contains(closed)
            })
            .await;
        let t = edited.text();
        assert!(t.contains(approved), "{who}: {t}");
    }
    // The requester hears the outcome.
    let outcome = bot
        .dm("tom.baker", |m| m.text().contains("is approved"))
        .await;
    assert!(outcome.text().contains("REQ-000001"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_opens_a_modal_and_the_reason_reaches_the_requester() {
    let bot = Bot::start().await;
    bot.submit("tom.baker", "Sofa", 1, "7000").await;
    let p = bot.prompt("wang.fang", "REQ-000001").await;
    let modal = bot.click("wang.fang", &p, 1).await;
    assert_eq!(modal["type"], 9, "Reject asks why in a modal: {modal}");
    // A reason that would clear the requester's terminal is refused; nothing is decided.
    let r = bot.answer_modal("wang.fang", &modal, "no\u{1b}[2J").await;
    assert!(content(&r).contains("U+001B"), "{r}");
    let r = bot.answer_modal("wang.fang", &modal, "not in budget").await;
    assert!(content(&r).contains("你驳回了"), "{r}");
    let note = bot.dm("tom.baker", |m| m.text().contains("rejected")).await;
    assert!(note.text().contains("not in budget"), "{}", note.text());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_replays_and_languages() {
    let bot = Bot::start().await;
    // Someone not in the directory is told who can add them.
    let i = Interaction::slash(4242, "en-US", "inbox", None, vec![]);
    let pushed = bot.fake.push(&i).await;
    let r = bot
        .fake
        .wait_callback(pushed.id, discord_support::WAIT)
        .await
        .unwrap();
    assert!(
        content(&r).contains("4242") && content(&r).contains("IT Admin"),
        "{r}"
    );
    assert_eq!(r["data"]["flags"], 64);

    // The same interaction delivered twice (a gateway replay) acts once.
    let i = Interaction::slash(
        discord_id("tom.baker"),
        "en-US",
        "requisition",
        Some("new"),
        requisition("Pen", 1, "5"),
    );
    let first = bot.fake.push(&i).await;
    bot.fake
        .wait_callback(first.id, discord_support::WAIT)
        .await
        .unwrap();
    bot.fake.push_raw(i.json().clone()).await;
    let list = bot
        .slash("tom.baker", "en-US", "requisition", Some("list"), vec![])
        .await;
    assert_eq!(content(&list).matches("REQ-").count(), 1, "{list}");
    let callbacks = bot
        .fake
        .callbacks()
        .iter()
        .filter(|c| c.interaction_id == first.id)
        .count();
    assert_eq!(callbacks, 1);

    // An English speaker with a Chinese client reads Chinese; bad options in the client's language.
    let r = bot
        .slash(
            "tom.baker",
            "zh-CN",
            "requisition",
            Some("new"),
            requisition("Pen", 1, "1.234"),
        )
        .await;
    assert!(content(&r).contains("小数"), "{r}");
    let r = bot.submit("li.na", "Pen", 1, "1.234").await;
    assert!(content(&r).contains("decimals"), "{r}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_approvers_clicking_at_the_same_moment_yield_one_outcome() {
    let bot = Bot::start().await;
    bot.submit("tom.baker", "Printer", 1, "2000").await;
    let p1 = bot.prompt("wang.fang", "REQ-000001").await;
    bot.click("wang.fang", &p1, 0).await;
    let a = bot.prompt("chen.jie", "REQ-000001").await;
    let b = bot.prompt("liu.yang", "REQ-000001").await;
    // Both press Approve at the same moment: one decision, one "already decided by …".
    let ia = Interaction::button(
        discord_id("chen.jie"),
        "zh-CN",
        &a.custom_ids()[0],
        a.to_json(),
    );
    let ib = Interaction::button(
        discord_id("liu.yang"),
        "zh-CN",
        &b.custom_ids()[0],
        b.to_json(),
    );
    let (pa, pb) = tokio::join!(bot.fake.push(&ia), bot.fake.push(&ib));
    let ra = bot
        .fake
        .wait_callback(pa.id, discord_support::WAIT)
        .await
        .unwrap();
    let rb = bot
        .fake
        .wait_callback(pb.id, discord_support::WAIT)
        .await
        .unwrap();
    let (ca, cb) = (content(&ra), content(&rb));
    let decided = [&ca, &cb].iter().filter(|c| c.contains("你同意了")).count();
    assert_eq!(decided, 1, "exactly one decision: {ca} / {cb}");
    // The one who lost the race hears the winner's name.
    let (loser, winner) = if ca.contains("你同意了") {
        (&cb, "陈杰")
    } else {
        (&ca, "刘洋")
    };
    assert!(
        loser.contains(winner),
        "the other hears who decided: {loser}"
    );
    let show = bot
        .slash(
            "tom.baker",
            "en-US",
            "requisition",
            Some("show"),
            vec![("ref", serde_json::json!("REQ-000001"))],
        )
        .await;
    assert_eq!(
        content(&show).matches("approved at").count(),
        2,
        "head + one central-office decision: {show}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_suggests_references_and_categories() {
    use serde_json::json;
    let bot = Bot::start().await;
    bot.submit("tom.baker", "Monitor", 1, "1500").await;
    let c = bot
        .autocomplete("tom.baker", "requisition", Some("show"), ("ref", "req"))
        .await;
    assert_eq!(c[0]["value"], "REQ-000001", "{c:?}");
    let c = bot
        .autocomplete("tom.baker", "requisition", Some("new"), ("category", "off"))
        .await;
    assert_eq!(c[0]["value"], "office", "{c:?}");
    // Customers by any part of name, company, email or phone, as their number.
    let added = bot
        .slash(
            "li.na",
            "zh-CN",
            "customer",
            Some("add"),
            vec![
                ("name", json!("周军")),
                ("company", json!("华东电子")),
                ("email", json!("zj@huadong.cn")),
            ],
        )
        .await;
    assert!(content(&added).contains("已新增客户 #1"), "{added}");
    let c = bot
        .autocomplete("tom.baker", "customer", Some("show"), ("customer", "华东"))
        .await;
    assert_eq!(c[0]["value"], "#1", "{c:?}");
    assert_eq!(c[0]["name"], "#1 周军 · 华东电子 · zj@huadong.cn", "{c:?}");
    // An order option suggests one's orders only; a requisition one, no orders.
    bot.slash(
        "tom.baker",
        "en-US",
        "order",
        Some("new"),
        vec![
            ("customer", json!("#1")),
            ("items", json!("20 monitors")),
            ("amount", json!("36000")),
        ],
    )
    .await;
    let c = bot
        .autocomplete("tom.baker", "order", Some("status"), ("ref", ""))
        .await;
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0]["value"], "SO-000001");
    assert_eq!(c[0]["name"], "SO-000001 · 周军 · 20 monitors");
    let c = bot
        .autocomplete("tom.baker", "requisition", Some("show"), ("ref", ""))
        .await;
    assert!(c.iter().all(|x| x["value"] != "SO-000001"), "{c:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followup_dm_has_done_and_snooze_buttons_that_work_from_discord() {
    let bot = Bot::start().await;
    // Her own requisition: a follow-up needs a reference one may read.
    bot.submit("li.na", "Monitor", 1, "1500").await;
    let set = bot
        .slash(
            "li.na",
            "zh-CN",
            "followup",
            Some("add"),
            vec![
                ("ref", serde_json::json!("REQ-000001")),
                ("when", serde_json::json!("明天9点")),
                ("note", serde_json::json!("check the quote")),
            ],
        )
        .await;
    assert!(content(&set).contains("已设置跟进 #1"), "{set}");
    // Bring the follow-up forward instead of waiting until tomorrow; serve's scheduler fires it.
    let store = bizdesk::store::Store::open(bot.config.database.url.expose(), 2, 5000)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = 'followup.fire'")
        .execute(store.pool())
        .await
        .unwrap();
    let dm = bot
        .dm("li.na", |m| m.text().contains("check the quote"))
        .await;
    assert_eq!(
        dm.custom_ids(),
        ["fu:done:1", "fu:1h:1", "fu:1d:1"],
        "{}",
        dm.text()
    );
    let snoozed = bot.click("li.na", &dm, 1).await;
    assert!(content(&snoozed).contains("已推迟"), "{snoozed}");
    let done = bot.click("li.na", &dm, 0).await;
    assert!(content(&done).contains("已完成"), "{done}");
    let again = bot.click("li.na", &dm, 2).await;
    assert!(
        content(&again).contains("已完成"),
        "a late snooze says it is done: {again}"
    );
    let (status, seq): (String, i64) =
        sqlx::query_as("SELECT status, seq FROM followups WHERE id = 1")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), seq), ("done", 1));
    store.close().await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_refund_inquiry_is_routed_handled_and_resolved_from_discord() {
    use serde_json::json;
    let bot = Bot::start().await;
    let added = bot
        .slash(
            "xu.jing",
            "zh-CN",
            "customer",
            Some("add"),
            vec![
                ("name", json!("周军")),
                ("email", json!("zj@huadong.cn")),
                ("locale", json!("zh-CN")),
            ],
        )
        .await;
    assert!(content(&added).contains("#1"), "{added}");
    let logged = bot
        .slash(
            "xu.jing",
            "zh-CN",
            "inquiry",
            Some("log"),
            vec![
                ("customer", json!("#1")),
                ("channel", json!("email")),
                ("kind", json!("inquiry")),
                ("subject", json!("申请退款")),
                ("details", json!("上月账单重复扣款，请退款")),
            ],
        )
        .await;
    let text = content(&logged);
    assert!(
        text.contains("INQ-000001") && text.contains("财务"),
        "routed to finance by the rules: {text}"
    );
    // Finance hears of it by DM.
    let dm = bot
        .dm("zhao.min", |m| m.text().contains("INQ-000001"))
        .await;
    assert!(dm.text().contains("申请退款"), "{}", dm.text());
    for (sub, options) in [
        ("take", vec![("ref", json!("INQ-000001"))]),
        (
            "reply",
            vec![
                ("ref", json!("INQ-000001")),
                ("text", json!("已核实重复扣款，三个工作日内退回。")),
            ],
        ),
        (
            "resolve",
            vec![
                ("ref", json!("INQ-000001")),
                ("resolution", json!("已退款 128 元")),
            ],
        ),
    ] {
        let r = bot
            .slash("zhao.min", "zh-CN", "inquiry", Some(sub), options)
            .await;
        assert_eq!(r["data"]["flags"], 64, "{sub}: {r}");
        assert!(content(&r).contains("INQ-000001"), "{sub}: {r}");
    }
    let shown = bot
        .slash(
            "chen.jie",
            "zh-CN",
            "inquiry",
            Some("show"),
            vec![("ref", json!("INQ-000001"))],
        )
        .await;
    assert!(content(&shown).contains("已退款 128 元"), "{shown}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opportunity_is_assessed_and_a_contract_with_an_attachment_reviewed_from_discord() {
    use serde_json::json;
    let bot = Bot::start().await;
    bot.slash(
        "tom.baker",
        "en-US",
        "customer",
        Some("add"),
        vec![
            ("name", json!("Acme Ltd")),
            ("email", json!("buyer@acme.example")),
        ],
    )
    .await;
    let new = bot
        .slash(
            "tom.baker",
            "en-US",
            "opportunity",
            Some("new"),
            vec![
                ("customer", json!("#1")),
                ("title", json!("Office fit-out")),
                ("value", json!("250000")),
            ],
        )
        .await;
    assert!(content(&new).contains("OPP-000001"), "{new}");
    // The assessment prompt: three priorities and Not feasible; a priority asks why.
    let prompt = bot.prompt("chen.jie", "OPP-000001").await;
    assert_eq!(prompt.custom_ids().len(), 4, "{:?}", prompt.custom_ids());
    let modal = bot.click("chen.jie", &prompt, 0).await;
    assert_eq!(
        modal["type"], 9,
        "a priority asks for the assessment: {modal}"
    );
    let r = bot.answer_modal("chen.jie", &modal, "产能充足").await;
    assert!(content(&r).contains("OPP-000001"), "{r}");
    bot.dm("tom.baker", |m| {
        m.text().contains("OPP-000001") && m.text().contains("approved")
    })
    .await;

    bot.slash(
        "tom.baker",
        "en-US",
        "order",
        Some("new"),
        vec![
            ("customer", json!("#1")),
            ("items", json!("fit-out, 3 floors")),
            ("amount", json!("240000")),
            ("opportunity", json!("OPP-000001")),
        ],
    )
    .await;
    let url = "https://cdn.discordapp.example/attachments/1/2/acme-contract.pdf";
    let i = Interaction::slash(
        discord_id("tom.baker"),
        "en-US",
        "contract",
        Some("submit"),
        vec![
            ("order", json!("SO-000001")),
            ("attachment", json!({"type": 11, "value": "9001"})),
        ],
    )
    .with_attachment(9001, "acme-contract.pdf", url);
    let pushed = bot.fake.push(&i).await;
    let r = bot
        .fake
        .wait_callback(pushed.id, discord_support::WAIT)
        .await
        .unwrap();
    assert!(
        content(&r).contains("CTR-000001") && content(&r).contains("acme-contract.pdf"),
        "{r}"
    );
    let legal = bot.prompt("david.wu", "CTR-000001").await;
    assert!(legal.text().contains(url), "{}", legal.text());
    assert_eq!(legal.custom_ids().len(), 2, "approve or reject");
    bot.stop().await;
}
