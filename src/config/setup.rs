//! The files beside the settings — the directory and the approval policies — loaded together
//! and checked against each other, every problem at once, before anything uses them: at every
//! start (`serve`, `console`, each command that opens the desk) and on `bizdesk org sync FILE`.

use super::org::{OrgFile, SAMPLE};
use super::problems::{locate, Problems};
use super::Config;
use crate::approval::policy::{check_against, Policies};
use crate::approval::subject::Subjects;
use std::path::Path;

/// The approval policies shipped with bizdesk (the same file as `config/workflows.toml`).
pub const DEFAULT_WORKFLOWS: &str = include_str!("../../config/workflows.toml");

/// The label for policies that come from the embedded defaults.
const EMBEDDED_WORKFLOWS: &str = "embedded workflows.toml";

/// A configuration file's text and the name to show for it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given, or the embedded file it stands for.
    pub label: String,
    /// The file's contents.
    pub text: String,
}

impl Source {
    /// Reads `path`; the default path falls back to the embedded file when it is absent.
    pub(super) fn read(
        path: &Path,
        default_path: &str,
        embedded: &str,
        what: &str,
    ) -> Result<Source, Problems> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Source {
                label: path.display().to_string(),
                text,
            }),
            Err(_) if path == Path::new(default_path) => Ok(Source {
                label: format!("embedded {}", default_path.trim_start_matches("config/")),
                text: embedded.to_string(),
            }),
            Err(e) => {
                let mut p = Problems::default();
                p.push(
                    &path.display().to_string(),
                    None,
                    "",
                    format!("cannot read the {what} file: {e}"),
                );
                Err(p)
            }
        }
    }
}

/// The directory and policies, checked.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The company directory from `directory.file`.
    pub org: OrgFile,
    /// The approval policies from `workflows.file`, completed by the embedded ones.
    pub policies: Policies,
}

/// The approval policies with where each came from, for messages.
pub(super) struct Workflows {
    pub(super) policies: Policies,
    source: Source,
    from_file: Vec<String>,
}

/// Loads `directory.file` and `workflows.file` and checks them, each on its own and against
/// each other; every problem names its file, line, key and the fix.
pub fn load(config: &Config) -> Result<Setup, Problems> {
    let org = read_org(&config.directory.file);
    let workflows = read_workflows(&config.workflows.file);
    match (org, workflows) {
        (Ok((org, org_source)), Ok(w)) => {
            check(&org, &org_source, &w).into_result()?;
            Ok(Setup {
                org,
                policies: w.policies,
            })
        }
        (org, w) => {
            let mut all = Problems::default();
            for p in [org.err(), w.err()].into_iter().flatten() {
                all.extend(p);
            }
            Err(all)
        }
    }
}

/// Loads the approval policies, completed by the embedded ones, without the directory check.
pub fn load_policies(path: &Path) -> Result<Policies, Problems> {
    read_workflows(path).map(|w| w.policies)
}

fn read_org(path: &Path) -> Result<(OrgFile, Source), Problems> {
    let source = Source::read(path, "config/org.toml", SAMPLE, "directory")?;
    let org = OrgFile::parse_named(&source.text, &source.label)?;
    Ok((org, source))
}

pub(super) fn read_workflows(path: &Path) -> Result<Workflows, Problems> {
    let source = Source::read(
        path,
        "config/workflows.toml",
        DEFAULT_WORKFLOWS,
        "workflows",
    )?;
    // Unknown kinds first: a misspelt section would otherwise read as a policy missing its
    // stages, far from the mistake.
    let subjects = crate::registry::subjects();
    let unknown = unknown_kinds(&source, &subjects);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let mut policies = parse_policies(&source)?;
    let from_file: Vec<String> = policies.by_kind.keys().cloned().collect();
    let defaults = parse_policies(&Source {
        label: EMBEDDED_WORKFLOWS.into(),
        text: DEFAULT_WORKFLOWS.into(),
    })?;
    for (kind, policy) in defaults.by_kind {
        policies.by_kind.entry(kind).or_insert(policy);
    }
    let problems = missing_policies(&policies, &source, &subjects);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Workflows {
        policies,
        source,
        from_file,
    })
}

/// The file's sections that name no registered subject kind (a typo such as `[requisiton]`).
fn unknown_kinds(source: &Source, subjects: &Subjects) -> Problems {
    let mut problems = Problems::default();
    let Ok(table) = source.text.parse::<toml::Table>() else {
        return problems; // the parser reports it, with its line
    };
    let known: Vec<&str> = subjects.kinds().collect();
    for kind in table.keys() {
        if subjects.by_kind(kind).is_none() {
            problems.push(
                &source.label,
                locate(&source.text, kind),
                kind,
                format!(
                    "`[{kind}]` is not a kind of request bizdesk approves; use one of {}",
                    known.join(", ")
                ),
            );
        }
    }
    problems
}

/// Every registered subject kind has a policy (the embedded defaults give each one).
fn missing_policies(policies: &Policies, source: &Source, subjects: &Subjects) -> Problems {
    let mut problems = Problems::default();
    for kind in subjects.kinds() {
        if policies.get(kind).is_none() {
            problems.push(
                &source.label,
                None,
                kind,
                format!("no policy for `{kind}`; add a [{kind}] section with its stages"),
            );
        }
    }
    problems
}

/// Parses policies; the first problem of the file, with its line when the key is found.
fn parse_policies(source: &Source) -> Result<Policies, Problems> {
    Policies::from_toml(&source.text).map_err(|e| {
        // Engine errors read "`key`: message"; TOML's own carry their line in the text.
        let (key, line, message) = match e.strip_prefix('`').and_then(|r| r.split_once("`: ")) {
            Some((key, message)) => (
                key.to_string(),
                locate(&source.text, key),
                message.to_string(),
            ),
            None => match toml_error(&e) {
                Some((line, message)) => (String::new(), Some(line), message),
                None => (String::new(), None, e.trim_end().to_string()),
            },
        };
        let mut p = Problems::default();
        p.push(&source.label, line, &key, message);
        p
    })
}

/// TOML's own error ("TOML parse error at line N, column M", the line quoted, the message)
/// as its line and message on one line, so that a list of problems keeps one a line.
fn toml_error(text: &str) -> Option<(usize, String)> {
    let mut lines = text.lines();
    let head = lines.next()?.strip_prefix("TOML parse error at line ")?;
    let line = head.split(',').next()?.trim().parse().ok()?;
    let message: Vec<&str> = lines
        .filter(|l| !l.trim().is_empty() && !l.contains('|'))
        .map(str::trim)
        .collect();
    Some((line, message.join("; ")))
}

/// The policies against the directory the file describes.
pub(super) fn check(org: &OrgFile, org_source: &Source, w: &Workflows) -> Problems {
    let mut problems = Problems::default();
    for p in check_against(&w.policies, &org.to_directory()) {
        let (file, text) = if w.from_file.contains(&p.kind) {
            (w.source.label.as_str(), w.source.text.as_str())
        } else {
            (EMBEDDED_WORKFLOWS, DEFAULT_WORKFLOWS)
        };
        let message = format!("{} (directory: {})", p.message, org_source.label);
        problems.push(file, locate(text, &p.key), &p.key, message);
    }
    problems
}

#[cfg(test)]
mod tests;
