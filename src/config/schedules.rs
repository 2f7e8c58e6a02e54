//! `config/schedules.toml`: the system's recurring jobs, each a cron string (empty: off).

use super::problems::{line_at, locate, Problems};
use crate::domain::schedule::{parse_cron, parse_tz, CatchUp};
use crate::service::jobs::kind;
use anyhow::anyhow;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The schedules shipped with bizdesk (the same file as `config/schedules.toml`).
pub const DEFAULT: &str = include_str!("../../config/schedules.toml");

/// The recurring jobs bizdesk knows, by their key in the file, with the job kind each runs.
pub const KNOWN: [(&str, &str); 10] = [
    ("sla_sweep", kind::SLA_SWEEP),
    ("daily_digest", kind::DAILY_DIGEST),
    ("weekly_kpi", kind::WEEKLY_KPI),
    ("holiday_greetings", kind::HOLIDAY_GREETINGS),
    ("jobs_prune", kind::PRUNE),
    ("po_inspection", kind::PO_INSPECTION),
    ("supplier_certs", kind::SUPPLIER_CERTS),
    ("supplier_evaluation", kind::SUPPLIER_EVALUATION),
    ("payables", kind::PAYABLES),
    ("finance_summary", kind::FINANCE_SUMMARY),
];

/// One recurring system job as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemJob {
    /// The key in the file, e.g. `daily_digest`.
    pub key: String,
    /// The job kind each occurrence runs.
    pub kind: &'static str,
    /// `None`: turned off.
    pub cron: Option<String>,
    pub tz: chrono_tz::Tz,
    pub catch_up: CatchUp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    cron: String,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    catch_up: Option<String>,
}

/// Parses and checks the file's text; errors name the key and say what to write. Jobs the
/// file leaves out keep their shipped defaults.
pub fn parse(text: &str, company_tz: chrono_tz::Tz) -> anyhow::Result<Vec<SystemJob>> {
    parse_named(text, company_tz, "schedules file").map_err(|e| anyhow!("{e}"))
}

/// [`parse`] for text read from `file`: every problem at once, each with its line when found
/// (a syntax or type error stops at the first).
pub fn parse_named(
    text: &str,
    company_tz: chrono_tz::Tz,
    file: &str,
) -> Result<Vec<SystemJob>, Problems> {
    let mut problems = Problems::default();
    let raw: BTreeMap<String, RawJob> = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start));
        let mut p = Problems::default();
        p.push(file, line, "", e.message().trim_end().to_string());
        p
    })?;
    let defaults: BTreeMap<String, RawJob> =
        toml::from_str(DEFAULT).expect("the embedded schedules parse");
    let mut bad = |key: String, message: String| {
        problems.push(file, locate(text, &key), &key, message);
    };
    for key in raw.keys() {
        if !KNOWN.iter().any(|(k, _)| k == key) {
            let known: Vec<&str> = KNOWN.iter().map(|(k, _)| *k).collect();
            bad(
                key.clone(),
                format!(
                    "[{key}] is not a recurring job bizdesk knows; the jobs are {}",
                    known.join(", ")
                ),
            );
        }
    }
    let mut out = Vec::new();
    for (key, kind) in KNOWN {
        let Some(job) = raw.get(key).or_else(|| defaults.get(key)) else {
            continue;
        };
        let cron = match job.cron.trim() {
            "" => None,
            cron => {
                if let Err(e) = parse_cron(cron) {
                    bad(format!("{key}.cron"), e.to_string());
                }
                Some(cron.to_string())
            }
        };
        let tz = match job.time_zone.as_deref().map(str::trim) {
            None | Some("") => company_tz,
            Some(name) => parse_tz(name).unwrap_or_else(|e| {
                bad(format!("{key}.time_zone"), e.to_string());
                company_tz
            }),
        };
        let catch_up = match job.catch_up.as_deref() {
            None => CatchUp::Once,
            Some(c) => CatchUp::parse(c).unwrap_or_else(|e| {
                bad(format!("{key}.catch_up"), e.to_string());
                CatchUp::Once
            }),
        };
        out.push(SystemJob {
            key: key.to_string(),
            kind,
            cron,
            tz,
            catch_up,
        });
    }
    problems.into_result().map(|()| out)
}

#[cfg(test)]
mod tests {
    use super::*;
    const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn the_shipped_file_is_valid_and_complete() {
        let jobs = parse(DEFAULT, SH).unwrap();
        assert_eq!(jobs.len(), KNOWN.len());
        let digest = jobs.iter().find(|j| j.key == "daily_digest").unwrap();
        assert_eq!(digest.cron.as_deref(), Some("0 9 * * 1-5"));
        assert_eq!(digest.tz, SH);
    }

    #[test]
    fn empty_turns_off_and_missing_keeps_the_default() {
        let jobs = parse("[weekly_kpi]\ncron = \"\"\n", SH).unwrap();
        assert_eq!(
            jobs.iter().find(|j| j.key == "weekly_kpi").unwrap().cron,
            None
        );
        assert!(jobs
            .iter()
            .find(|j| j.key == "daily_digest")
            .unwrap()
            .cron
            .is_some());
    }

    #[test]
    fn a_bad_cron_names_the_schedule_the_field_its_range_and_an_example() {
        for (cron, says) in [
            ("0 25 * * *", ["hour field `25`", "0-23"]),
            ("0 9 * * 8", ["day of the week field `8`", "SUN-SAT"]),
            ("0 9 32 * *", ["day of the month field `32`", "1-31"]),
            ("0 9 1 0 *", ["month field `0`", "1-12"]),
            ("75 9 * * *", ["minute field `75`", "0-59"]),
        ] {
            let e = parse(&format!("[weekly_kpi]\ncron = \"{cron}\"\n"), SH)
                .unwrap_err()
                .to_string();
            assert!(e.contains("weekly_kpi.cron"), "{e}");
            for s in says {
                assert!(e.contains(s), "{cron}: {e}");
            }
            assert!(e.contains("e.g. `"), "an example: {e}");
            assert!(!e.contains("bounds") && !e.contains("Component"), "{e}");
        }
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = parse("[daily_digest]\ncron = \"0 25 * * *\"\n", SH).unwrap_err();
        assert!(e.to_string().contains("daily_digest.cron"), "{e}");
        let e = parse("[daily_digest]\ncron = \"0 9 * *\"\n", SH).unwrap_err();
        assert!(e.to_string().contains("4 fields"), "{e}");
        let e = parse(
            "[daily_digest]\ncron = \"0 9 * * *\"\ntime_zone = \"Asia/Beijing\"\n",
            SH,
        )
        .unwrap_err();
        assert!(e.to_string().contains("daily_digest.time_zone"), "{e}");
        let e = parse(
            "[daily_digest]\ncron = \"0 9 * * *\"\ncatch_up = \"twice\"\n",
            SH,
        )
        .unwrap_err();
        assert!(e.to_string().contains("catch_up"), "{e}");
        let e = parse("[lunch]\ncron = \"0 12 * * *\"\n", SH).unwrap_err();
        assert!(e.to_string().contains("not a recurring job"), "{e}");
        let e = parse("[daily_digest]\ncron = \"0 9 * * *\"\nwhen = 1\n", SH).unwrap_err();
        assert!(e.to_string().contains("when"), "{e}");
    }
}
