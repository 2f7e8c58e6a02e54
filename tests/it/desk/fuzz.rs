//! Hostile and random input, as a tester throws it at the desk: command lines built from the
//! catalog's own command and option names with random values (control characters, bidi
//! marks, quotes, CJK, huge numbers), run as people of every role, and random requests to the
//! web endpoints. Nothing may panic or end in an internal error; every refusal is a message.

use crate::common;
use common::spawn_desk;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// `n` cases drawn from `strategy`, the same ones every run (a failure is reproducible).
fn draw<S: Strategy>(strategy: &S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Values a tester types: plain words, numbers at the edges, references, and the characters
/// that broke things before.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ._@#:-]{0,12}",
        "[\\PC]{0,8}",
        Just("\u{1b}[31mRED\u{1b}[0m\u{7}".to_string()),
        Just("line1\nline2 [1] Approve".to_string()),
        Just("\u{202e}evil".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-1".to_string()),
        Just("18446744073709551615s".to_string()),
        Just("3000000w".to_string()),
        Just("REQ-000001".to_string()),
        Just("INQ-000001".to_string()),
        Just("SO-999999999999".to_string()),
        Just("#1".to_string()),
        Just("%_\\".to_string()),
        Just("q@ｅｘａｍｐｌｅ.com".to_string()),
        Just("明天9点".to_string()),
        Just("\"".to_string()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_command_lines_never_fail_internally() {
    let d = spawn_desk().await;
    d.ok("xu.jing", "/customer add name:\"周军\" email:zj@huadong.cn")
        .await;
    d.ok(
        "xu.jing",
        "/inquiry log customer:#1 channel:email kind:inquiry subject:x details:y",
    )
    .await;
    d.submit("tom.baker", "Monitor", 1, "1500").await;
    // (command, subcommand, option names) from the catalog itself.
    let mut shapes: Vec<(String, Option<String>, Vec<String>)> = Vec::new();
    for c in &d.chat.catalog.commands {
        shapes.push((
            c.name.clone(),
            None,
            c.options.iter().map(|o| o.name.clone()).collect(),
        ));
        for s in &c.subcommands {
            shapes.push((
                c.name.clone(),
                Some(s.name.clone()),
                s.options.iter().map(|o| o.name.clone()).collect(),
            ));
        }
    }
    let people = ["huang.lei", "xu.jing", "wang.fang", "chen.jie", "ops.admin"];
    let strategy = (
        0..shapes.len(),
        0..people.len(),
        proptest::collection::vec((0usize..8, value()), 0..5),
    );
    let cases = draw(&strategy, 1000);
    let mut done = 0;
    for (shape, who, opts) in cases {
        let (command, sub, names) = &shapes[shape];
        let mut line = format!("/{command}");
        if let Some(s) = sub {
            line.push(' ');
            line.push_str(s);
        }
        for (i, v) in opts {
            let name = names.get(i).map_or("bogus", String::as_str);
            line.push_str(&format!(" {name}:\"{}\"", v.replace('"', "'")));
        }
        let reply = d.run(people[who], &line).await;
        assert!(!reply.internal, "{line:?}: {}", reply.text);
        assert!(
            reply.ok || !reply.text.is_empty(),
            "{line:?}: a silent refusal"
        );
        done += usize::from(reply.ok);
    }
    // Enough lines got past the parser to reach the services.
    assert!(done >= 30, "only {done} lines succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_to_the_web_endpoints_never_fail_internally() {
    let d = spawn_desk().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = bizdesk::web::router(
        d.chat.clone(),
        bizdesk::web::WebSettings::from_config(&d.config),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let strategy = (
        prop_oneof![
            Just("/satisfaction/".to_string()),
            Just("/healthz".to_string()),
            Just("/readyz".to_string()),
            Just("/interactions".to_string()),
            "/[a-z/]{0,12}",
        ],
        "[a-zA-Z0-9._~-]{0,40}",
        "[\\PC&=%]{0,40}",
        any::<bool>(),
    );
    let cases = draw(&strategy, 200);
    for (path, tail, body, post) in cases {
        let url = format!("http://{addr}{path}{tail}");
        let request = if post {
            http.post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone())
        } else {
            http.get(format!("{url}?score={body}"))
        };
        let status = request.send().await.unwrap().status();
        assert!(status.as_u16() < 500, "{post} {url} {body:?}: {status}");
    }
}
