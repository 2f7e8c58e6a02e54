//! The fake Discord speaks the protocol serenity expects: proved with the real serenity client
//! and no bizdesk code.

use super::selftest_support;
use crate::fake_discord;

use std::time::Duration;

use fake_discord::{dm_channel_id, FakeDiscord, Interaction, APP_ID, BOT_USER_ID, TOKEN};
use selftest_support::{http_for, start_bot, T};
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, CommandOptionType, CreateActionRow, CreateButton, CreateCommand,
    CreateCommandOption, CreateInteractionResponseFollowup, CreateMessage, EditMessage, GuildId,
    Interaction as SInteraction, UserId,
};

#[tokio::test]
async fn the_client_identifies_and_gets_ready() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    let ready = bot.ready().await;
    assert_eq!(ready.user.id.get(), BOT_USER_ID);
    assert_eq!(ready.application.id.get(), APP_ID);
    assert_eq!(fake.identifies(), 1);
    let identify = &fake.identify_payloads()[0];
    assert_eq!(identify["token"], format!("Bot {TOKEN}"));
    assert_eq!(identify["shard"], json!([0, 1]));
    // serenity learnt the application id from READY
    assert_eq!(bot.http.application_id().map(|a| a.get()), Some(APP_ID));
    // heartbeats are sent and acked
    assert!(fake.wait_heartbeats(1, T).await, "a heartbeat");
    let gw = fake.requests_to("GET", "/gateway");
    assert_eq!(gw.len(), 1, "{gw:?}");
    bot.shutdown().await;
}

#[tokio::test]
async fn a_slash_command_reaches_the_handler_and_its_response_reaches_discord() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    bot.ready().await;

    // command registration: echoed back as serenity's Command, limits enforced
    let commands = vec![CreateCommand::new("request")
        .description("Raise a request")
        .name_localized("zh-CN", "申请")
        .description_localized("zh-CN", "提交申请")
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "new", "A new request")
                .add_sub_option(
                    CreateCommandOption::new(CommandOptionType::String, "item", "What")
                        .required(true)
                        .set_autocomplete(true),
                )
                .add_sub_option(CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "qty",
                    "How many",
                )),
        )];
    let registered = serenity::all::Command::set_global_commands(&bot.http, commands)
        .await
        .expect("registered");
    assert_eq!(registered[0].name, "request");
    assert_eq!(registered[0].application_id.get(), APP_ID);
    assert_eq!(fake.registered_commands().len(), 1);
    let guild = GuildId::new(fake_discord::GUILD_ID)
        .set_commands(
            &bot.http,
            vec![CreateCommand::new("status").description("Status")],
        )
        .await
        .expect("guild commands");
    assert_eq!(
        guild[0].guild_id.map(|g| g.get()),
        Some(fake_discord::GUILD_ID)
    );
    let err = serenity::all::Command::set_global_commands(
        &bot.http,
        vec![CreateCommand::new("Request").description("uppercase")],
    )
    .await
    .expect_err("uppercase names are refused");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (resp.error.code, resp.error.errors[0].path.as_str()),
        (50035, "0.name")
    );
    assert_eq!(fake.global_commands()[0]["name"], "request");

    let i = Interaction::slash(
        4242,
        "zh-CN",
        "request",
        Some("new"),
        vec![("item", json!("Chair")), ("qty", json!(2))],
    );
    let pushed = fake.push(&i).await;
    let SInteraction::Command(cmd) = bot.interaction().await else {
        panic!("not a command")
    };
    assert_eq!(cmd.data.name, "request");
    assert_eq!(cmd.data.id, registered[0].id, "the registered command's id");
    assert_eq!(cmd.user.id.get(), 4242);
    assert_eq!(cmd.locale, "zh-CN");
    assert_eq!(cmd.channel_id.get(), dm_channel_id(4242));
    assert!(cmd.guild_id.is_none());
    let opts = cmd.data.options();
    assert_eq!(opts.len(), 1);
    assert_eq!(opts[0].name, "new");
    let serenity::all::ResolvedValue::SubCommand(sub) = &opts[0].value else {
        panic!("subcommand expected: {opts:?}")
    };
    assert_eq!(sub[0].name, "item");
    assert!(matches!(
        sub[0].value,
        serenity::all::ResolvedValue::String("Chair")
    ));
    assert_eq!(sub[1].name, "qty");
    assert!(matches!(
        sub[1].value,
        serenity::all::ResolvedValue::Integer(2)
    ));

    let body = fake.wait_callback(pushed.id, T).await.expect("a callback");
    assert_eq!(body["type"], 4);
    assert!(body["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("got /request"));
    let cb = &fake.callbacks()[0];
    assert_eq!((cb.status, cb.token.as_str()), (204, pushed.token.as_str()));
    // the response became the interaction's original message
    let original = fake.original_message(&pushed.token).expect("original");
    assert_eq!(original["content"], body["data"]["content"]);
    // GET @original, a follow-up, editing and deleting it
    let got = cmd.get_response(&bot.http).await.expect("GET @original");
    assert_eq!(Some(got.content.as_str()), body["data"]["content"].as_str());
    let f = cmd
        .create_followup(
            &bot.http,
            CreateInteractionResponseFollowup::new().content("more"),
        )
        .await
        .expect("follow-up");
    let followups = fake.wait_followups(&pushed.token, 1, T).await.unwrap();
    assert_eq!(followups[0]["content"], "more");
    assert_eq!(followups[0]["id"], f.id.to_string());
    cmd.edit_followup(
        &bot.http,
        f.id,
        CreateInteractionResponseFollowup::new().content("even more"),
    )
    .await
    .expect("edit follow-up");
    assert_eq!(fake.followups(&pushed.token)[0]["content"], "even more");
    cmd.delete_followup(&bot.http, f.id)
        .await
        .expect("delete follow-up");
    assert!(fake.followups(&pushed.token).is_empty());

    // the same interaction from a guild arrives with a member
    let g = Interaction::slash(4242, "en-US", "status", None, vec![]).in_guild();
    fake.push(&g).await;
    let SInteraction::Command(cmd) = bot.interaction().await else {
        panic!("not a command")
    };
    assert_eq!(cmd.user.id.get(), 4242);
    assert_eq!(cmd.guild_id.map(|g| g.get()), Some(fake_discord::GUILD_ID));
    assert!(cmd.member.is_some());
    bot.shutdown().await;
}

#[tokio::test]
async fn buttons_modals_and_autocomplete_reach_the_handler() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    bot.ready().await;

    // a real DM with a button, clicked
    let ch = UserId::new(5151)
        .create_dm_channel(&bot.http)
        .await
        .expect("dm");
    ch.id
        .send_message(
            &bot.http,
            CreateMessage::new()
                .content("Approve?")
                .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
                    "approve:7",
                )
                .label("Approve")])]),
        )
        .await
        .expect("sent");
    let stored = fake.dm_messages(5151).remove(0);
    let b = Interaction::button(5151, "en-US", "approve:7", stored.to_json());
    let pushed = fake.push(&b).await;
    let SInteraction::Component(c) = bot.interaction().await else {
        panic!("not a component")
    };
    assert_eq!(c.data.custom_id, "approve:7");
    assert_eq!(c.user.id.get(), 5151);
    assert_eq!(c.message.content, "Approve?");
    assert_eq!(c.message.id.get(), stored.id);
    let body = fake.wait_callback(pushed.id, T).await.expect("ack");
    assert_eq!(body, json!({"type": 6, "data": null}));
    // the deferred update's edit of @original changed the clicked message in place
    let edit = fake
        .wait_original_edit(&pushed.token, T)
        .await
        .expect("an @original edit");
    assert_eq!(edit["content"], "Done: approve:7");
    let now = fake.dm_messages(5151).remove(0);
    assert_eq!(
        (now.id, now.content.as_str(), now.edits),
        (stored.id, "Done: approve:7", 1)
    );
    assert!(now.custom_ids().is_empty());

    // a replay of the same interaction reaches the handler again, and Discord refuses the
    // second acknowledgement with 40060
    fake.push_raw(b.json().clone()).await;
    let (SInteraction::Component(_), refused) = bot.interaction_result().await else {
        panic!("replay not delivered")
    };
    let refused = refused.expect_err("second acknowledgement refused");
    assert!(refused.contains("40060"), "{refused}");

    let m = Interaction::modal_submit(5151, "en-US", "reject:7", vec![("reason", "too dear")]);
    let pushed = fake.push(&m).await;
    let SInteraction::Modal(modal) = bot.interaction().await else {
        panic!("not a modal")
    };
    assert_eq!(modal.data.custom_id, "reject:7");
    let serenity::all::ActionRowComponent::InputText(input) =
        &modal.data.components[0].components[0]
    else {
        panic!("not a text input")
    };
    assert_eq!(
        (input.custom_id.as_str(), input.value.as_deref()),
        ("reason", Some("too dear"))
    );
    let body = fake
        .wait_callback(pushed.id, T)
        .await
        .expect("modal answer");
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);

    // every builder variant passes serenity's deserializer (they panic otherwise)
    let _ = Interaction::select(5151, "ja", "pick", vec!["a", "b"], stored.to_json()).in_guild();
    let _ = Interaction::modal_submit(5151, "zh-TW", "m", vec![("a", "b")]).in_guild();
    let _ = Interaction::button(5151, "de", "x", Value::Null)
        .in_guild()
        .with_username("Tom Baker");
    let _ = Interaction::autocomplete(5151, "fr", "c", None, vec![], ("q", "")).in_guild();

    let a = Interaction::autocomplete(
        5151,
        "en-US",
        "request",
        Some("new"),
        vec![],
        ("item", "Ch"),
    );
    let pushed = fake.push(&a).await;
    let SInteraction::Autocomplete(ac) = bot.interaction().await else {
        panic!("not autocomplete")
    };
    let focused = ac.data.autocomplete().expect("a focused option");
    assert_eq!((focused.name, focused.value), ("item", "Ch"));
    let body = fake.wait_callback(pushed.id, T).await.expect("choices");
    assert_eq!(
        body,
        json!({"type": 8, "data": {"choices": [{"name": "Chair", "value": "chair"}]}})
    );

    bot.shutdown().await;
}

#[tokio::test]
async fn after_reconnect_the_client_resumes_and_still_gets_interactions() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    bot.ready().await;
    fake.send_reconnect();
    assert!(fake.wait_resumes(1, T).await, "RESUME");
    assert!(fake.wait_live(T).await);
    assert_eq!((fake.identifies(), fake.resumes()), (1, 1));
    assert_eq!(fake.connections(), 2);

    let i = Interaction::slash(77, "en-US", "ping", None, vec![]);
    let pushed = fake.push(&i).await;
    let SInteraction::Command(cmd) = bot.interaction().await else {
        panic!("not a command")
    };
    assert_eq!(cmd.data.name, "ping");
    assert!(fake.wait_callback(pushed.id, T).await.is_some());
    // the sequence carried on across the resume
    let resume = fake
        .gateway_frames()
        .into_iter()
        .find(|f| f["op"] == 6)
        .unwrap();
    assert_eq!(resume["d"]["seq"], 1);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_dm_posted_and_edited_shows_up() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let user = UserId::new(9001);
    let channel = user.create_dm_channel(&http).await.expect("DM channel");
    assert_eq!(channel.id.get(), dm_channel_id(9001));
    assert_eq!(channel.recipient.id, user);
    let msg = channel
        .id
        .send_message(
            &http,
            CreateMessage::new()
                .content("Approve Chair x 2?")
                .components(vec![CreateActionRow::Buttons(vec![
                    CreateButton::new("approve:1").label("Approve"),
                    CreateButton::new("reject:1").label("Reject"),
                ])]),
        )
        .await
        .expect("message sent");
    assert_eq!(msg.author.id.get(), BOT_USER_ID);
    let dms = fake.dm_messages(9001);
    assert_eq!(dms.len(), 1);
    assert_eq!(dms[0].custom_ids(), vec!["approve:1", "reject:1"]);
    assert!(dms[0].button("Approve").is_some());

    let edited = channel
        .id
        .edit_message(
            &http,
            msg.id,
            EditMessage::new().content("Approved").components(vec![]),
        )
        .await
        .expect("edited");
    assert_eq!(edited.content, "Approved");
    let found = fake
        .wait_dm(9001, |m| m.content == "Approved", T)
        .await
        .expect("the edit");
    assert_eq!((found.id, found.edits), (msg.id.get(), 1));
    assert!(found.components.is_empty());

    // Discord's limits: an over-long message is refused with 50035 and a path
    let err = ChannelId::new(dm_channel_id(9001))
        .send_message(&http, CreateMessage::new().content("x".repeat(2001)))
        .await
        .expect_err("too long");
    // serenity checks the length itself before sending
    assert!(matches!(err, serenity::Error::Model(_)), "{err:?}");
    let err = http
        .send_message(
            ChannelId::new(dm_channel_id(9001)),
            vec![],
            &json!({"content": "x".repeat(2001)}),
        )
        .await
        .expect_err("too long");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (400, 50035));
    assert_eq!(resp.error.errors[0].path, "content");
    // an empty message is refused with 50006
    let err = ChannelId::new(dm_channel_id(9001))
        .send_message(&http, CreateMessage::new())
        .await
        .expect_err("empty");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (400, 50006));
    assert_eq!(fake.dm_messages(9001).len(), 1);
}

#[tokio::test]
async fn injected_faults_are_answered_as_discord_would() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let ch = ChannelId::new(dm_channel_id(31));
    fake.fail_next(
        "POST",
        &format!("/channels/{ch}/messages"),
        429,
        json!({"message": "You are being rate limited.", "retry_after": 0.05, "global": false}),
        1,
    );
    let err = http
        .send_message(ch, vec![], &json!({"content": "hi"}))
        .await
        .expect_err("rate limited");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(resp.status_code.as_u16(), 429);
    // Discord's 429 body has no "code", so serenity cannot decode it as DiscordJsonError:
    // code -1 and retry_after is NOT available from the error.
    assert_eq!(resp.error.code, -1, "{resp:?}");
    // the second attempt goes through
    http.send_message(ch, vec![], &json!({"content": "hi"}))
        .await
        .expect("sent after the fault");

    // what is on the wire: Retry-After header and retry_after in the body
    fake.fail_next(
        "POST",
        "/api/v10/channels/",
        429,
        json!({"message": "You are being rate limited.", "retry_after": 0.05, "global": false}),
        1,
    );
    let raw = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "{}/api/v10/channels/{ch}/messages",
            fake.api_base()
        ))
        .header("Authorization", format!("Bot {TOKEN}"))
        .json(&json!({"content": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 429);
    assert_eq!(raw.headers()["retry-after"], "1");
    assert_eq!(raw.headers()["x-ratelimit-reset-after"], "0.050");
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["retry_after"], 0.05);

    // a 403 with a code is decoded: the bot can tell "DMs closed" (50007) apart
    fake.fail_next(
        "POST",
        "/channels/",
        403,
        json!({"message": "Cannot send messages to this user", "code": 50007}),
        1,
    );
    let err = http
        .send_message(ch, vec![], &json!({"content": "hi"}))
        .await
        .expect_err("forbidden");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (
            resp.status_code.as_u16(),
            resp.error.code,
            resp.error.message.as_str()
        ),
        (403, 50007, "Cannot send messages to this user")
    );
    assert_eq!(err.to_string(), "Cannot send messages to this user");
    fake.block_dms(31);
    let err = ch.say(&http, "hi").await.expect_err("blocked");
    assert!(matches!(
        &err,
        serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) if r.error.code == 50007
    ));

    // 500s and delays
    fake.fail_next(
        "*",
        "/users/@me",
        500,
        json!({"message": "500: Internal Server Error", "code": 0}),
        2,
    );
    assert!(http.get_current_user().await.is_err());
    assert!(http.get_current_user().await.is_err());
    fake.delay("/users/@me", Duration::from_millis(300));
    let t0 = std::time::Instant::now();
    let me = http.get_current_user().await.expect("me");
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(me.id.get(), BOT_USER_ID);

    // unknown routes are visible
    let err = http
        .get_guild(serenity::all::GuildId::new(5))
        .await
        .expect_err("404");
    let serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(resp)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (404, 0));
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert!(
        statuses.contains(&429) && statuses.contains(&404),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn without_heartbeat_acks_the_client_reconnects() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    bot.ready().await;
    fake.drop_heartbeat_acks(true);
    let reconnected = fake
        .wait_until(T, |v| (v.connections() >= 2).then_some(()))
        .await;
    assert!(reconnected.is_some(), "a new connection after missed ACKs");
    fake.drop_heartbeat_acks(false);
    assert!(fake.wait_live(T).await);
    // serenity restarts the shard: a fresh IDENTIFY and READY, not a RESUME (and its restart
    // waits 5 s for itself to shut down)
    bot.ready().await;
    assert_eq!((fake.identifies(), fake.resumes()), (2, 0));
    let pushed = fake
        .push(&Interaction::slash(8, "en-US", "ping", None, vec![]))
        .await;
    bot.interaction().await;
    assert!(fake.wait_callback(pushed.id, T).await.is_some());

    // a server-side close (4000) is also survived
    let before = fake.connections();
    fake.close_gateway(4000);
    assert!(fake
        .wait_until(T, |v| (v.connections() > before).then_some(()))
        .await
        .is_some());
    assert!(fake.wait_live(T).await);
    // a close other than auth failure makes serenity RESUME the session
    assert_eq!((fake.identifies(), fake.resumes()), (2, 1));
    let pushed = fake
        .push(&Interaction::slash(8, "en-US", "ping", None, vec![]))
        .await;
    bot.interaction().await;
    assert!(fake.wait_callback(pushed.id, T).await.is_some());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_late_response_is_refused_as_unknown_interaction() {
    let fake = FakeDiscord::start_with(fake_discord::FakeOptions {
        interaction_deadline: Some(Duration::ZERO),
        ..Default::default()
    })
    .await;
    let mut bot = start_bot(&fake).await;
    bot.ready().await;
    fake.push(&Interaction::slash(12, "en-US", "ping", None, vec![]))
        .await;
    let (_, result) = bot.interaction_result().await;
    let err = result.expect_err("too late");
    assert!(err.contains("10062"), "{err}");
    bot.shutdown().await;
}
