//! `bizdesk config check` and the refusals at start: a company adopting bizdesk sees every
//! problem of every configuration file in one run, each with its file, line, key and fix.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A company's own directory: other department codes than the sample's.
const COMPANY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/company-org.toml"
));

const SAMPLE_ROUTING: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/routing.toml"));

/// A folder with the company's directory and a settings file naming it; `extra` is added to
/// the settings.
struct Company {
    dir: tempfile::TempDir,
}

impl Company {
    fn new(extra: &str) -> Company {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("org.toml"), COMPANY).unwrap();
        let settings = format!(
            "[directory]\nfile = {:?}\n\n[security]\nkey_file = {:?}\n\n[database]\nurl = \"sqlite://{}\"\n\n{extra}",
            d.join("org.toml"),
            d.join("keys"),
            d.join("desk.db").display()
        );
        std::fs::write(d.join("bizdesk.toml"), settings).unwrap();
        Company { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `bizdesk --config <settings> ARGS` from the crate's folder (so the default
    /// `config/routing.toml` is the sample's); gives up after a minute.
    fn bizdesk(&self, args: &[&str]) -> Output {
        let child = Command::new(env!("CARGO_BIN_EXE_bizdesk"))
            .arg("--config")
            .arg(self.path("bizdesk.toml"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("HOME", self.dir.path())
            .env("BIZDESK__TEMPLATES__DIR", "")
            .env("BIZDESK__WEB__BIND", "127.0.0.1:0")
            .env("BIZDESK__SMTP__DROP_DIR", self.path("outbox"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run bizdesk");
        wait(child)
    }
}

/// The child's output, killing it when it runs for more than a minute (a `serve` that did not
/// refuse).
fn wait(mut child: std::process::Child) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The problem lines of a listing ("  - FILE:LINE: key `KEY`: ...").
fn problem_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("  - "))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_company_directory_with_the_sample_routing_lists_every_department_problem_and_exits_2() {
    let company = Company::new("");
    let o = company.bizdesk(&["config", "check"]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("6 problems in the configuration:"), "{out}");
    let lines = problem_lines(&out);
    let org = company.path("org.toml").display().to_string();
    for (line, key, code) in [
        (7, "default_department", "SVC"),
        (35, "rules[0].department", "FIN"),
        (41, "rules[1].department", "LEG"),
        (47, "rules[2].department", "BCMO"),
        (53, "rules[3].department", "SAL"),
    ] {
        let expected = format!(
            "config/routing.toml:{line}: key `{key}`: department `{code}` is not in {org}; \
             add it to [[departments]] there or change `{key}` to one of OPS, SALES"
        );
        assert!(lines.contains(&expected), "{expected}\n{out}");
    }
}

#[test]
fn routing_adapted_to_the_company_passes_with_a_summary() {
    let company = Company::new("");
    let routing = company.path("routing.toml");
    let adapted = SAMPLE_ROUTING
        .replace("\"SVC\"", "\"OPS\"")
        .replace("\"FIN\"", "\"OPS\"")
        .replace("\"LEG\"", "\"OPS\"")
        .replace("\"BCMO\"", "\"OPS\"")
        .replace("\"SAL\"", "\"SALES\"");
    std::fs::write(&routing, adapted).unwrap();
    let settings = company.path("bizdesk.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = format!("{text}\n[inquiries]\nrouting_file = {routing:?}\n");
    std::fs::write(&settings, text).unwrap();
    let o = company.bizdesk(&["config", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        format!(
            "configuration OK: 2 departments, 2 employees, 8 approval policies, 5 routing rules, \
             10 recurring jobs; settings: {}",
            settings.display()
        )
    );
    assert!(
        !company.path("desk.db").exists(),
        "the check opens no database"
    );
}

#[test]
fn serve_and_org_sync_refuse_with_the_same_full_list() {
    let company = Company::new("");
    let check = problem_lines(&stdout(&company.bizdesk(&["config", "check"])));
    assert_eq!(check.len(), 6);
    let org = company.path("org.toml");
    for args in [&["serve"][..], &["org", "sync", org.to_str().unwrap()]] {
        let o = company.bizdesk(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("bizdesk: 6 problems in the configuration:"),
            "{args:?}: {err}"
        );
        assert_eq!(problem_lines(&err), check, "{args:?}: {err}");
    }
    assert!(
        !company.path("desk.db").exists(),
        "refused before the database"
    );
}

#[test]
fn bad_settings_sections_and_a_bad_workflows_file_are_listed_in_one_run() {
    let company = Company::new("");
    let workflows = company.path("workflows.toml");
    std::fs::write(
        &workflows,
        "[requisition]\n[[requisition.stages]]\nname = \"Boss\"\napprovers = [\"user:ghost\"]\n",
    )
    .unwrap();
    let settings = company.path("bizdesk.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = format!(
        "{text}\n[workflows]\nfile = {workflows:?}\n\n[smtp]\npool_size = 0\nfrom = \"nobody\"\n\n[scheduler]\npoll_ms = 1\n\n[company]\ntime_zone = \"Mars/Olympus\"\n\n[discord]\napplication_id = \"abc\"\n"
    );
    std::fs::write(&settings, text).unwrap();
    let o = company.bizdesk(&["config", "check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    let lines = problem_lines(&out);
    let settings = settings.display().to_string();
    for (file, key) in [
        (settings.as_str(), "company.time_zone"),
        (settings.as_str(), "discord.application_id"),
        (settings.as_str(), "smtp.from"),
        (settings.as_str(), "smtp.pool_size"),
        (settings.as_str(), "scheduler.poll_ms"),
        (
            &workflows.display().to_string(),
            "requisition.stages[0].approvers",
        ),
        ("config/routing.toml", "rules[2].department"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{file}:")) && l.contains(&format!("key `{key}`"))),
            "{file} {key}:\n{out}"
        );
    }
    // `serve` refuses with the same list.
    let o = company.bizdesk(&["serve"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(problem_lines(&stderr(&o)), lines);
}

#[test]
fn an_unreadable_settings_file_is_one_problem_and_exit_2() {
    let company = Company::new("");
    std::fs::write(company.path("bizdesk.toml"), "[web\n").unwrap();
    let o = company.bizdesk(&["config", "check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("{}:1: ", company.path("bizdesk.toml").display())),
        "{out}"
    );
}
