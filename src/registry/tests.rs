use super::*;
use std::path::Path;

/// The string constants of `pub mod kind { ... }` in a source file: every kind the code
/// names, so a new constant without a handler or templates fails the test below.
fn kind_constants(source: &str) -> Vec<&str> {
    let start = source.find("pub mod kind {").expect("a `kind` module");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the end of the `kind` module")];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| l.split('"').nth(1))
        .collect()
}

/// Every file under `templates/`, relative to it.
fn template_files() -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut out = BTreeSet::new();
    walk(&root, &root, &mut out);
    out
}

/// The test of issue 14: the catalog, `workflows.toml`, the job kinds, the notification kinds
/// and their templates agree with what the areas register.
#[test]
fn every_command_policy_job_and_notification_has_its_handler_and_templates() {
    // Built as at start-up: two handlers for one name panic here.
    let _ = handlers();
    let _ = job_handlers();

    let catalog = Catalog::embedded().unwrap();
    let policies =
        crate::approval::policy::Policies::from_toml(crate::config::setup::DEFAULT_WORKFLOWS)
            .unwrap();
    let mut job_kinds = kind_constants(include_str!("../service/jobs.rs"));
    job_kinds.extend(crate::config::schedules::KNOWN.iter().map(|(_, k)| *k));
    let notification_kinds = kind_constants(include_str!("../service/notify.rs"));
    // The scans found the constants (a changed layout of those files would find none).
    assert!(job_kinds.contains(&crate::service::jobs::kind::SLA_REMIND));
    assert!(notification_kinds.contains(&crate::service::notify::kind::INQUIRY_SLA));
    let templates = template_files();
    let subjects = crate::registry::subjects();
    let subject_kinds: Vec<&str> = subjects.kinds().collect();
    let expected = Expected {
        catalog: &catalog,
        policy_kinds: policies.by_kind.keys().map(String::as_str).collect(),
        subject_kinds: &subject_kinds,
        job_kinds,
        notification_kinds,
        templates: &templates,
    };
    let problems = problems(&expected, &Registered::gather());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_check_names_each_thing_missing() {
    let command = |name: &str, subs: &[&str]| {
        let mut text = format!(
            "name = \"{name}\"\nname_zh = \"{name}\"\ndescription = \"d\"\ndescription_zh = \"d\"\n"
        );
        for s in subs {
            text += &format!(
                "\n[[subcommands]]\nname = \"{s}\"\nname_zh = \"{s}\"\ndescription = \"d\"\n\
                 description_zh = \"d\"\naction = \"{name}.{s}\"\n"
            );
        }
        (format!("{name}.toml"), text)
    };
    let catalog = Catalog::from_toml_files(&[command("thing", &["add", "drop"])]).unwrap();
    let templates: BTreeSet<String> = [
        "chat/en/notify/shown.txt",
        "chat/zh-CN/notify/shown.txt",
        "chat/en/notify/stray.txt",
        "email/en/layout.html",
        "email/en/_facts.txt",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let expected = Expected {
        catalog: &catalog,
        policy_kinds: vec!["requisition", "budget"],
        subject_kinds: &["requisition"],
        job_kinds: vec!["thing.fire", "thing.sweep"],
        notification_kinds: vec!["shown", "unlisted"],
        templates: &templates,
    };
    let registered = Registered {
        actions: vec!["thing.add", "thing.add", "other.run"],
        jobs: vec!["thing.fire"],
        notifications: vec![
            Notification::chat("shown"),
            Notification::email("mailed"),
            Notification::chat(crate::service::notify::kind::APPROVAL_PROMPT),
        ],
    };
    let found = problems(&expected, &registered);
    let prompt = crate::service::notify::kind::APPROVAL_PROMPT;
    let wanted = [
        "the action `thing.add` is registered twice".to_string(),
        "the command catalog's action `thing.drop` has no handler".into(),
        "the handler of `other.run` has no command in the catalog".into(),
        "the workflows.toml policy `budget` has no subject".into(),
        "the job kind `thing.sweep` has no handler".into(),
        "the notification kind `unlisted` is sent but no area lists it".into(),
        format!("the notification `{prompt}` has an email copy but is listed as chat-only"),
        "the notification `mailed` lacks templates/email/zh-CN/mailed.html".into(),
        "the notification `mailed` lacks templates/email/en/mailed.subject.txt".into(),
        format!("the notification `{prompt}` lacks templates/chat/zh-CN/notify/{prompt}.txt"),
        "templates/chat/en/notify/stray.txt belongs to no registered notification kind".into(),
    ];
    for w in &wanted {
        assert!(found.contains(w), "missing {w:?} in\n{}", found.join("\n"));
    }
    // Exactly those: one per missing email part (3 parts × 2 languages), one per missing chat
    // template of the prompt (2 languages), and the lines above.
    assert_eq!(found.len(), 7 + 6 + 2 + 1, "\n{}", found.join("\n"));
}

#[test]
#[should_panic(expected = "two handlers for the action `help`")]
fn two_handlers_for_one_action_do_not_start() {
    let mut list = actions();
    list.extend(crate::chat::general::actions());
    let _ = ByName::new("action", list.into_iter().map(|h| (h.action, h.run)));
}
