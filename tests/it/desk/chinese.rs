//! Chinese users first (issue 13, item 9): configured values typed by their Chinese names and
//! shown by them, hints that work as printed, the company's Chinese name, mail footers and
//! errors in the reader's language.

use crate::common;

use common::spawn_desk;

/// Categories, stages and departments from the configuration are accepted by their Chinese
/// names (stored as codes), and zh-CN replies show the names, never the codes.
#[tokio::test]
async fn configured_values_are_typed_and_shown_by_their_chinese_names() {
    let d = spawn_desk().await;
    // 李娜 reads Chinese.
    d.ok(
        "li.na",
        "/采购申请 新建 物品:笔记本 数量:1 单价:8000 类别:IT设备",
    )
    .await;
    let category: Option<String> =
        sqlx::query_scalar("SELECT category FROM requisitions WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(category.as_deref(), Some("it"));
    let shown = d.ok("li.na", "/采购申请 查看 单号:REQ-000001").await;
    assert!(shown.contains("类别 IT设备"), "{shown}");

    d.ok("emily.chen", "/customer add name:张三 email:zs@example.com")
        .await;
    d.ok(
        "xu.jing",
        "/客户咨询 登记 客户:#1 渠道:电话 类型:投诉 主题:问题 详情:说明 类别:账务 部门:财务部",
    )
    .await;
    let (dept, category): (String, Option<String>) =
        sqlx::query_as("SELECT department_code, category FROM inquiries WHERE id = 1")
            .fetch_one(d.chat.desk.store.pool())
            .await
            .unwrap();
    assert_eq!(
        (dept.as_str(), category.as_deref()),
        ("FIN", Some("billing"))
    );
    let shown = d.ok("zhao.min", "/客户咨询 查看 单号:INQ-000001").await;
    assert!(shown.contains("类别：账务"), "{shown}");
    assert!(!shown.contains("billing"), "{shown}");
    let report = d.ok("chen.jie", "/报表 客服").await;
    assert!(!report.contains("billing"), "{report}");

    d.ok("wang.fang", "/order new customer:#1 items:x amount:100")
        .await;
    d.ok("wang.fang", "/销售订单 更新 单号:SO-000001 环节:已发货")
        .await;
    let stage: String = sqlx::query_scalar("SELECT stage FROM orders WHERE id = 1")
        .fetch_one(d.chat.desk.store.pool())
        .await
        .unwrap();
    assert_eq!(stage, "shipped");
    let listed = d.ok("wang.fang", "/销售订单 列表 环节:已发货").await;
    assert!(listed.contains("SO-000001"), "{listed}");

    // A refusal lists what may be typed by name, with the code.
    let refused = d
        .refused("li.na", "/采购申请 新建 物品:笔 数量:1 单价:1 类别:文具")
        .await;
    assert!(refused.contains("IT设备（it）"), "{refused}");
    let refused = d
        .refused("wang.fang", "/销售订单 更新 单号:SO-000001 环节:飞走")
        .await;
    assert!(refused.contains("已发货（shipped）"), "{refused}");
    let refused = d
        .refused("xu.jing", "/客户咨询 转交 单号:INQ-000001 部门:火星部")
        .await;
    assert!(refused.contains("财务部（FIN）"), "{refused}");
}

/// `/help` lists what each choice option accepts, in the reader's language with the code.
#[tokio::test]
async fn help_lists_each_choice_options_values() {
    let d = spawn_desk().await;
    let zh = d.ok("li.na", "/帮助 命令:客户咨询").await;
    assert!(zh.contains("[范围:我的|本部门|全部未解决]"), "{zh}");
    assert!(
        zh.contains("可选值：我的（mine）、本部门（department）、全部未解决（open）"),
        "{zh}"
    );
    assert!(zh.contains("可选值：账务（billing）"), "{zh}");
    let en = d.ok("tom.baker", "/help command:requisition").await;
    assert!(
        en.contains(
            "values: pending, approved, rejected, changes requested (changes_requested), withdrawn"
        ),
        "{en}"
    );
    assert!(en.contains("IT equipment (it)"), "{en}");
    let me = d.ok("li.na", "/我是谁").await;
    assert!(me.contains("语言 中文"), "{me}");
}

/// The emails written to the drop folder: (file name, raw text).
fn dropped(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let raw = std::fs::read(e.path()).unwrap();
            let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let text = format!(
                "{}\n{}\n{}",
                m.subject().unwrap_or_default(),
                m.body_text(0).unwrap_or_default(),
                m.body_html(0).unwrap_or_default()
            );
            (e.file_name().to_string_lossy().to_string(), text)
        })
        .collect();
    out.sort();
    out
}

/// Emails use the company's Chinese name in Chinese, never put a second stop after a name
/// ending in ".", and mention Discord only when the company uses it.
#[tokio::test]
async fn emails_name_the_company_in_the_readers_language_and_discord_only_when_on() {
    for discord in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let drop_dir = dir.path().join("outbox");
        let dd = drop_dir.clone();
        let d = common::spawn_desk_with(move |c| {
            c.company.name = "Acme Co.".into();
            c.company.name_zh = "艾克美有限公司".into();
            c.smtp.drop_dir = dd;
            if discord {
                c.discord.token = bizdesk::config::Secret::new("token");
            }
        })
        .await;
        d.ok(
            "xu.jing",
            "/customer add name:Zhou email:zhou@example.com locale:en",
        )
        .await;
        d.ok(
            "xu.jing",
            "/customer add name:周军 email:zj@example.com locale:zh-CN",
        )
        .await;
        for customer in ["#1", "#2"] {
            d.ok(
                "xu.jing",
                &format!("/inquiry log customer:{customer} channel:email kind:inquiry subject:price details:x"),
            )
            .await;
        }
        d.submit("tom.baker", "Headset", 1, "300").await;
        d.send_all_email().await;
        let mails = dropped(&drop_dir);
        assert!(mails.len() >= 3, "{mails:?}");
        let all: String = mails.iter().map(|(_, t)| t.as_str()).collect();
        assert!(
            all.contains("Thank you for contacting Acme Co. We"),
            "{all}"
        );
        assert!(all.contains("感谢您联系艾克美有限公司。"), "{all}");
        assert!(!all.contains("Co.."), "{all}");
        assert!(!all.contains("Co.。"), "{all}");
        let receipt = &mails
            .iter()
            .find(|(f, _)| f.contains("request_received"))
            .expect("a receipt")
            .1;
        assert!(receipt.contains("/settings email"), "{receipt}");
        assert_eq!(receipt.contains("Discord"), discord, "{receipt}");
        assert_eq!(all.contains("Discord"), discord, "{all}");
    }
}

/// `console --as` with a handle nobody has answers in the language of the person at the
/// terminal (`LANG`), else the company's; a known but inactive person in their own.
#[tokio::test]
async fn an_unknown_handle_is_refused_in_the_language_of_the_person() {
    let dir = tempfile::tempdir().unwrap();
    let url = bizdesk::store::fresh::fresh_url(common::postgres().as_deref(), dir.path(), "zh")
        .await
        .unwrap();
    let run = |lang: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_bizdesk"))
            .args(["console", "--as", "nobody", "-c", "/inbox"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("BIZDESK__DATABASE__URL", &url)
            .env("BIZDESK__TEMPLATES__DIR", "")
            .env("HOME", dir.path())
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", lang)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let en = run("en_US.UTF-8");
    assert!(
        en.contains("Nobody in the directory has the handle"),
        "{en}"
    );
    let zh = run("zh_CN.UTF-8");
    assert!(zh.contains("通讯录中没有账号"), "{zh}");
    // Nothing to tell by: the company's language (zh-CN in the sample).
    let c = run("C");
    assert!(c.contains("通讯录中没有账号"), "{c}");
}

/// Refusals name commands and roles as a Chinese reader knows them.
#[tokio::test]
async fn refusals_name_commands_and_roles_in_chinese() {
    let d = spawn_desk().await;
    d.ok("xu.jing", "/customer add name:张三 email:zs@example.com")
        .await;
    let refused = d
        .refused(
            "huang.lei",
            "/inquiry log customer:#1 channel:phone kind:inquiry subject:x details:y",
        )
        .await;
    assert!(refused.contains("/客户咨询 登记"), "{refused}");
    assert!(refused.contains("客户服务"), "{refused}");
    d.ok("wang.fang", "/order new customer:#1 items:x amount:100")
        .await;
    let refused = d
        .refused("huang.lei", "/order update ref:SO-000001 stage:shipped")
        .await;
    assert!(refused.contains("销售、业务集中管理部门"), "{refused}");
}

/// A mistyped handle is answered with the closest handle of this company's directory, never
/// with a sample name; with nothing close, nothing is suggested.
#[tokio::test]
async fn a_mistyped_handle_suggests_the_closest_colleague() {
    let d = spawn_desk().await;
    let desk = &d.chat.desk;
    let err = |h: &'static str| async move {
        match bizdesk::service::directory::actor_by_handle(desk, h).await {
            Err(bizdesk::service::DeskError::User(m)) => m[0].clone(),
            other => panic!("{h}: {other:?}"),
        }
    };
    let typo = err("wang.fnag").await;
    assert_eq!(typo.key, "directory.unknown_handle");
    assert!(
        typo.args
            .iter()
            .any(|(k, v)| *k == "closest" && v == "wang.fang"),
        "{typo:?}"
    );
    let far = err("zzzzzz").await;
    assert!(far.args.iter().all(|(k, _)| *k != "closest"), "{far:?}");
}
