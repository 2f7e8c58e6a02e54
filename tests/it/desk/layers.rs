//! The layering DESIGN.md §3 promises, checked on the source: domain code (the core and each
//! business area's domain part) does no I/O and imports no outer layer, and the approval
//! engine knows no business area.

use std::path::{Path, PathBuf};

/// Paths a domain file must not name: I/O crates and the layers outside the domain.
const NOT_IN_DOMAIN: &[&str] = &[
    "sqlx",
    "tokio",
    "serenity",
    "lettre",
    "axum",
    "reqwest",
    "hyper",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "crate::store",
    // The service layer, not `crate::service_desk` (an area whose domain is pure too).
    "crate::service::",
    "crate::service;",
    "crate::service,",
    "crate::service}",
    "crate::service as",
    "crate::chat",
    "crate::web",
    "crate::mail",
    "crate::outbox",
    "crate::scheduler",
    "crate::app::",
    "crate::config",
    "::store::",
    "::service::",
    "::chat::",
    "super::store",
    "super::service",
    "super::chat",
];

/// Paths the approval engine must not name: it knows subjects only through the trait.
const NOT_IN_ENGINE: &[&str] = &[
    "crate::procurement",
    "crate::sales",
    "crate::service_desk",
    "crate::collaboration",
    "crate::registry",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Domain code: `src/domain/`, every `domain.rs` or `domain/` of an area, the approval
/// policies and the access rules.
fn is_domain(path: &Path) -> bool {
    let rel = path
        .strip_prefix(src())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    rel.starts_with("domain/")
        || rel.ends_with("/domain.rs")
        || rel.contains("/domain/")
        || rel.starts_with("approval/policy")
        || rel == "access.rs"
}

/// The lines of `text` (comments left out) that name one of `banned`.
fn offences(text: &str, banned: &[&str]) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .filter(|l| banned.iter().any(|b| l.contains(b)))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_checker_sees_an_offence() {
    assert_eq!(
        offences("use sqlx::Row;\n// sqlx in a comment", NOT_IN_DOMAIN).len(),
        1
    );
    assert_eq!(offences("use crate::service;", NOT_IN_DOMAIN).len(), 1);
    assert_eq!(
        offences("use crate::service::{Desk};", NOT_IN_DOMAIN).len(),
        1
    );
    assert!(offences("use crate::service_desk::customers::domain;", NOT_IN_DOMAIN).is_empty());
    assert!(is_domain(&src().join("sales/orders/domain.rs")));
    assert!(is_domain(&src().join("domain/money.rs")));
    assert!(!is_domain(&src().join("sales/orders/store.rs")));
}

#[test]
fn domain_code_does_no_io_in_any_area() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let domain: Vec<_> = files.iter().filter(|p| is_domain(p)).collect();
    assert!(
        domain.len() > 20,
        "found only {} domain files",
        domain.len()
    );
    let mut bad = Vec::new();
    for path in domain {
        for line in offences(&std::fs::read_to_string(path).unwrap(), NOT_IN_DOMAIN) {
            bad.push(format!("{}: {line}", path.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "domain code doing I/O or importing outer layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_approval_engine_knows_no_business_area() {
    let mut files = Vec::new();
    rust_files(&src().join("approval"), &mut files);
    let mut bad = Vec::new();
    for path in &files {
        for line in offences(&std::fs::read_to_string(path).unwrap(), NOT_IN_ENGINE) {
            bad.push(format!("{}: {line}", path.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "the engine names a business area:\n{}",
        bad.join("\n")
    );
}
