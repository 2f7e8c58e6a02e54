//! Every file a start reads besides the settings — the directory, the approval policies, the
//! inquiry routing rules and the recurring jobs — read together and checked against each
//! other, so one run lists every problem of every file (`bizdesk config check`, and each
//! command before it opens the database).

use super::org::{OrgFile, SAMPLE};
use super::problems::{line_at, locate, Problems};
use super::schedules::{self, SystemJob};
use super::setup::{self, Setup, Source};
use super::Config;
use crate::service_desk::inquiries::domain::Routing;
use std::path::Path;

/// The inquiry routing rules shipped with bizdesk (the same file as `config/routing.toml`).
pub const DEFAULT_ROUTING: &str = include_str!("../../config/routing.toml");

/// The files beside the settings, each checked.
#[derive(Debug, Clone)]
pub struct Files {
    /// The directory and the approval policies.
    pub setup: Setup,
    /// The inquiry routing rules and service levels.
    pub routing: Routing,
    /// The system's recurring jobs.
    pub schedules: Vec<SystemJob>,
}

impl Files {
    /// One line saying what was loaded, for `bizdesk config check`.
    pub fn summary(&self) -> String {
        format!(
            "{} departments, {} employees, {} approval policies, {} routing rules, {} recurring jobs",
            self.setup.org.departments.len(),
            self.setup.org.employees.len(),
            self.setup.policies.by_kind.len(),
            self.routing.rules.len(),
            self.schedules.len()
        )
    }
}

/// Reads and checks the files the settings name, with `directory` standing for
/// `directory.file` (`bizdesk org sync FILE` checks the file it is about to apply). Every
/// problem of every file names its file, line, key and the fix.
pub fn load(config: &Config, directory: &Path) -> Result<Files, Problems> {
    let mut problems = Problems::default();
    let org = read(
        directory,
        "config/org.toml",
        SAMPLE,
        "directory",
        &mut problems,
    );
    let org = org.map(|source| {
        let parsed = OrgFile::parse_named(&source.text, &source.label);
        (source, parsed)
    });
    let workflows = setup::read_workflows(&config.workflows.file);
    // The routing rules name departments: checked against the directory even when the
    // directory has problems of its own, as long as its departments can be read.
    let codes: Option<Vec<String>> = org.as_ref().and_then(|(source, parsed)| {
        let lenient = match parsed {
            Ok(org) => Some(org.clone()),
            Err(_) => toml::from_str::<OrgFile>(&source.text).ok(),
        };
        lenient.map(|o| o.departments.into_iter().map(|d| d.code).collect())
    });
    let mut setup = None;
    match (org, workflows) {
        (Some((source, Ok(org))), Ok(w)) => {
            problems.extend(setup::check(&org, &source, &w));
            setup = Some(Setup {
                org,
                policies: w.policies,
            });
        }
        (org, w) => {
            if let Some((_, Err(p))) = org {
                problems.extend(p);
            }
            if let Err(p) = w {
                problems.extend(p);
            }
        }
    }
    let routing = read_routing(config, directory, codes.as_deref(), &mut problems);
    let schedules = read_schedules(config, &mut problems);
    match (setup, routing, schedules) {
        (Some(setup), Some(routing), Some(schedules)) if problems.is_empty() => Ok(Files {
            setup,
            routing,
            schedules,
        }),
        _ => Err(problems),
    }
}

/// The system's recurring jobs from `scheduler.file`, checked.
pub fn load_schedules(config: &Config) -> Result<Vec<SystemJob>, Problems> {
    let mut problems = Problems::default();
    read_schedules(config, &mut problems).ok_or(problems)
}

/// Reads a file, or notes why it cannot be read.
fn read(
    path: &Path,
    default_path: &str,
    embedded: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<Source> {
    Source::read(path, default_path, embedded, what)
        .map_err(|p| problems.extend(p))
        .ok()
}

/// The routing rules, their departments checked against `codes` (when the directory's
/// departments could be read).
fn read_routing(
    config: &Config,
    directory: &Path,
    codes: Option<&[String]>,
    problems: &mut Problems,
) -> Option<Routing> {
    let path = &config.inquiries.routing_file;
    let source = read(
        path,
        "config/routing.toml",
        DEFAULT_ROUTING,
        "routing",
        problems,
    )?;
    let known: Vec<&str> = match codes {
        Some(codes) => codes.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    match Routing::from_toml(&source.text, &known) {
        Ok(routing) => Some(routing),
        Err(found) => {
            let directory = directory.display().to_string();
            for p in found {
                let unknown_department = p.message.starts_with("department `");
                if unknown_department && codes.is_none() {
                    continue; // the directory's own problems come first
                }
                let line = match p.offset {
                    Some(offset) => Some(line_at(&source.text, offset)),
                    None => locate(&source.text, &p.key),
                };
                let message = if unknown_department {
                    p.message.replacen("the directory", &directory, 1)
                } else {
                    p.message
                };
                problems.push(&source.label, line, &p.key, message);
            }
            None
        }
    }
}

/// The recurring jobs from `scheduler.file`.
fn read_schedules(config: &Config, problems: &mut Problems) -> Option<Vec<SystemJob>> {
    let source = read(
        &config.scheduler.file,
        "config/schedules.toml",
        schedules::DEFAULT,
        "schedules",
        problems,
    )?;
    schedules::parse_named(&source.text, config.company.time_zone, &source.label)
        .map_err(|p| problems.extend(p))
        .ok()
}

#[cfg(test)]
mod tests;
