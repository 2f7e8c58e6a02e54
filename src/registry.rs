//! The one place where every business area's parts are gathered at start-up: the approval
//! subjects, the actions of the command catalog, the job kinds and the notification kinds. An area adds its own in its
//! folder (`actions()` in its chat part, `jobs()` and `NOTIFICATIONS` in its module) and is
//! listed here once; [`problems`] is what the registry test asserts is empty, so a command
//! without a handler, a policy without a subject, a job kind without a handler or a
//! notification without its templates fails a test instead of apologising at run time.

use crate::approval::subject::Subjects;
use crate::chat::actions::{Handler, Handlers};
use crate::commands::Catalog;
use crate::scheduler::handlers::{JobHandler, JobHandlers};
use crate::service::notify::{Notification, SentAs};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Handlers by name (actions, job kinds), built once at start-up.
pub struct ByName<F>(HashMap<&'static str, F>);

impl<F: Copy> ByName<F> {
    /// The map of `list`. Two handlers for one name are a programming error: this panics, and
    /// the registry test builds the real lists, so it panics there first.
    pub fn new(what: &str, list: impl IntoIterator<Item = (&'static str, F)>) -> ByName<F> {
        let mut map = HashMap::new();
        for (name, run) in list {
            if map.insert(name, run).is_some() {
                panic!("two handlers for the {what} `{name}`");
            }
        }
        ByName(map)
    }

    /// The handler of `name`.
    pub fn get(&self, name: &str) -> Option<F> {
        self.0.get(name).copied()
    }
}

/// The approval subject kinds of every area.
pub fn subjects() -> Subjects {
    Subjects::new(&[
        &crate::procurement::requisitions::subject::SUBJECT,
        &crate::sales::opportunities::subject::SUBJECT,
        &crate::sales::contracts::subject::SUBJECT,
        &crate::procurement::orders::subject::SUBJECT,
        &crate::procurement::suppliers::subject::SUBJECT,
        &crate::procurement::payments::subject::SUBJECT,
        &crate::finance::budgets::subject::SUBJECT,
        &crate::finance::expenses::subject::SUBJECT,
    ])
}

/// The map Chat dispatches actions with.
pub fn handlers() -> Handlers {
    ByName::new("action", actions().into_iter().map(|h| (h.action, h.run)))
}

/// The map the scheduler runs jobs with.
pub fn job_handlers() -> JobHandlers {
    ByName::new("job kind", jobs().into_iter().map(|h| (h.kind, h.run)))
}

/// Every action's handler, from every area.
pub fn actions() -> Vec<Handler> {
    [
        crate::chat::general::actions(),
        crate::approval::chat::actions(),
        crate::procurement::requisitions::chat::actions(),
        crate::procurement::orders::chat::actions(),
        crate::procurement::suppliers::chat::actions(),
        crate::procurement::report::chat::actions(),
        crate::procurement::receipts::chat::actions(),
        crate::procurement::payments::chat::actions(),
        crate::sales::opportunities::chat::actions(),
        crate::sales::contracts::chat::actions(),
        crate::sales::orders::chat::actions(),
        crate::sales::order_issues::chat::actions(),
        crate::service_desk::customers::chat::actions(),
        crate::service_desk::inquiries::chat::actions(),
        crate::collaboration::chat::actions(),
        crate::finance::budgets::chat::actions(),
        crate::finance::expenses::chat::actions(),
        crate::finance::report::chat::actions(),
    ]
    .concat()
}

/// Every job kind's handler, from every area.
pub fn jobs() -> Vec<JobHandler> {
    [
        crate::scheduler::handlers::shared(),
        crate::approval::sla::jobs(),
        crate::sales::jobs(),
        crate::procurement::jobs(),
        crate::service_desk::jobs(),
        crate::collaboration::jobs(),
        crate::finance::jobs(),
    ]
    .concat()
}

/// Every notification kind, from every area.
pub fn notifications() -> Vec<Notification> {
    [
        crate::service::notify::SHARED,
        crate::approval::NOTIFICATIONS,
        crate::sales::NOTIFICATIONS,
        crate::procurement::NOTIFICATIONS,
        crate::service_desk::NOTIFICATIONS,
        crate::collaboration::NOTIFICATIONS,
        crate::finance::budgets::NOTIFICATIONS,
        crate::finance::expenses::NOTIFICATIONS,
        crate::finance::ledger::NOTIFICATIONS,
        crate::finance::report::NOTIFICATIONS,
    ]
    .concat()
}

/// Every dashboard panel, from every area, in the order the dashboard shows them.
pub fn panels() -> Vec<crate::service::panels::Panel> {
    [
        crate::approval::panels::panels(),
        crate::sales::panels::panels(),
        crate::service_desk::panels::panels(),
        crate::procurement::panels::panels(),
        crate::finance::panels::panels(),
    ]
    .concat()
}

/// The languages every template must exist in.
const LOCALES: [&str; 2] = ["en", "zh-CN"];

/// What the registry is checked against: the data files and what the code uses.
pub struct Expected<'a> {
    /// The command catalog (`commands/*.toml`).
    pub catalog: &'a Catalog,
    /// The subject kinds of the policies in `config/workflows.toml`.
    pub policy_kinds: Vec<&'a str>,
    /// The subject kinds the approval engine knows.
    pub subject_kinds: &'a [&'a str],
    /// The job kinds the code schedules (services and `config/schedules.toml`).
    pub job_kinds: Vec<&'a str>,
    /// The notification kinds the code sends.
    pub notification_kinds: Vec<&'a str>,
    /// The paths of the template files, relative to `templates/` (`chat/en/notify/x.txt`).
    pub templates: &'a BTreeSet<String>,
}

/// What is registered.
pub struct Registered {
    pub actions: Vec<&'static str>,
    pub jobs: Vec<&'static str>,
    pub notifications: Vec<Notification>,
}

impl Registered {
    /// What the areas register today.
    pub fn gather() -> Registered {
        Registered {
            actions: actions().iter().map(|h| h.action).collect(),
            jobs: jobs().iter().map(|h| h.kind).collect(),
            notifications: notifications(),
        }
    }
}

/// Everything that disagrees between the registry and what it is checked against, one line
/// each; empty when all agree.
pub fn problems(expected: &Expected<'_>, registered: &Registered) -> Vec<String> {
    let mut out = Vec::new();
    let catalog: BTreeSet<&str> = expected.catalog.actions().into_iter().collect();
    let actions = unique("action", &registered.actions, &mut out);
    for a in catalog.difference(&actions) {
        out.push(format!("the command catalog's action `{a}` has no handler"));
    }
    for a in actions.difference(&catalog) {
        out.push(format!(
            "the handler of `{a}` has no command in the catalog"
        ));
    }
    for k in &expected.policy_kinds {
        if !expected.subject_kinds.contains(k) {
            out.push(format!("the workflows.toml policy `{k}` has no subject"));
        }
    }
    let jobs = unique("job kind", &registered.jobs, &mut out);
    for k in &expected.job_kinds {
        if !jobs.contains(k) {
            out.push(format!("the job kind `{k}` has no handler"));
        }
    }
    let kinds: Vec<&'static str> = registered.notifications.iter().map(|n| n.kind).collect();
    let notes = unique("notification kind", &kinds, &mut out);
    for k in &expected.notification_kinds {
        if !notes.contains(k) {
            out.push(format!(
                "the notification kind `{k}` is sent but no area lists it"
            ));
        }
    }
    for n in &registered.notifications {
        let emailed = n.sent_as != SentAs::Chat;
        if crate::service::notify::purpose(n.kind).is_some() && !emailed {
            out.push(format!(
                "the notification `{}` has an email copy but is listed as chat-only",
                n.kind
            ));
        }
    }
    let mut wanted = BTreeMap::new();
    for n in &registered.notifications {
        for path in templates_of(n) {
            wanted.insert(path, n.kind);
        }
    }
    for (path, kind) in &wanted {
        if !expected.templates.contains(path) {
            out.push(format!("the notification `{kind}` lacks templates/{path}"));
        }
    }
    for path in expected.templates.iter().filter(|p| is_notification(p)) {
        if !wanted.contains_key(path) {
            out.push(format!(
                "templates/{path} belongs to no registered notification kind"
            ));
        }
    }
    out
}

/// The templates a notification kind is rendered from, in every language.
fn templates_of(n: &Notification) -> Vec<String> {
    let (chat, email) = match n.sent_as {
        SentAs::Chat => (true, false),
        SentAs::Email => (false, true),
        SentAs::ChatAndEmail => (true, true),
    };
    let mut paths = Vec::new();
    for locale in LOCALES {
        if chat {
            paths.push(format!("chat/{locale}/notify/{}.txt", n.kind));
        }
        if email {
            for ext in ["subject.txt", "txt", "html"] {
                paths.push(format!("email/{locale}/{}.{ext}", n.kind));
            }
        }
    }
    paths
}

/// Whether a template path is one kind's notification (not a layout or a partial).
fn is_notification(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["chat", _, "notify", _] => true,
        ["email", _, file] => !file.starts_with('_') && !file.starts_with("layout."),
        _ => false,
    }
}

/// The set of `names`, with a problem for each name registered twice.
fn unique<'a>(what: &str, names: &[&'a str], out: &mut Vec<String>) -> BTreeSet<&'a str> {
    let mut set = BTreeSet::new();
    for n in names {
        if !set.insert(*n) {
            out.push(format!("the {what} `{n}` is registered twice"));
        }
    }
    set
}

#[cfg(test)]
mod tests;
