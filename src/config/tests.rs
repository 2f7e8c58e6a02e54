use super::*;
use std::io::Write;

fn load_text(text: &str, env: &[(&str, &str)]) -> anyhow::Result<Config> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::load(Some(f.path()), env).map(|(c, _)| c)
}

#[test]
fn embedded_defaults_are_complete_and_valid() {
    let c = load_text("", &[]).unwrap();
    assert_eq!(c.company.time_zone, chrono_tz::Asia::Shanghai);
    assert_eq!(c.company.locale, Locale::ZhCn);
    assert_eq!(c.company.currency.as_str(), "CNY");
    assert!(c.database.url.expose().starts_with("sqlite://"));
    assert!(!c.discord.token.is_set());
}

#[test]
fn env_overrides_file_and_is_typed_like_the_default() {
    let c = load_text(
        "[database]\nmax_connections = 3\n",
        &[
            ("BIZDESK__DATABASE__URL", "postgres://u:pw@db/x"),
            ("BIZDESK__DATABASE__MAX_CONNECTIONS", "12"),
            ("BIZDESK__COMPANY__LOCALE", "en"),
            ("OTHER", "ignored"),
        ],
    )
    .unwrap();
    assert_eq!(c.database.url.expose(), "postgres://u:pw@db/x");
    assert_eq!(c.database.max_connections, 12);
    assert_eq!(c.company.locale, Locale::En);
}

#[test]
fn order_roles_must_be_roles() {
    let err = load_text("[sales]\norder_roles = [\"sales\", \"wizard\"]\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sales.order_roles") && err.contains("wizard"),
        "{err}"
    );
}

#[test]
fn unknown_keys_and_bad_values_name_file_and_key() {
    let err = load_text("[database]\nurll = \"x\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("database.urll") || err.contains("urll"),
        "{err}"
    );
    assert!(err.contains(".tmp") || err.contains("tmp"), "{err}");

    let err = load_text("[company]\ntime_zone = \"Mars/Olympus\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("company.time_zone") && err.contains("Asia/Shanghai"),
        "{err}"
    );

    let err = load_text("[company]\ncurrency = \"yuan\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("company.currency"), "{err}");

    let err = load_text("[company]\ncurrency = \"XXX\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("company.currency") && err.contains("ISO 4217") && err.contains("\"CNY\""),
        "{err}"
    );

    let err = load_text("", &[("BIZDESK__DATABASE__MAX_CONNECTIONS", "many")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("BIZDESK__DATABASE__MAX_CONNECTIONS") && err.contains("whole number"),
        "{err}"
    );

    let err = load_text("", &[("BIZDESK__NOPE__KEY", "1")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("BIZDESK__NOPE__KEY"), "{err}");

    let err = load_text("[web]\nbind = \"everywhere\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("web.bind") && err.contains("HOST:PORT"),
        "{err}"
    );

    let err = load_text("[database]\nurl = \"mysql://x\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("database.url"), "{err}");
}

#[test]
fn secrets_never_appear_in_debug() {
    let c = load_text(
        "[discord]\ntoken = \"MTIz.super-secret-token\"\n",
        &[(
            "BIZDESK__DATABASE__URL",
            "postgres://bizdesk:hunter2@db:5432/bizdesk?password=hunter3",
        )],
    )
    .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("super-secret-token"), "{dbg}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
    assert!(!dbg.contains("hunter3"), "{dbg}");
    assert!(dbg.contains("bizdesk:[redacted]@db:5432"), "{dbg}");
    assert_eq!(c.discord.token.expose(), "MTIz.super-secret-token");
}

#[test]
fn redacts_urls_without_passwords_unchanged() {
    assert_eq!(
        redact_url("sqlite://data/bizdesk.db"),
        "sqlite://data/bizdesk.db"
    );
    assert_eq!(
        redact_url("postgres://postgres@127.0.0.1/x"),
        "postgres://postgres@127.0.0.1/x"
    );
}

#[test]
fn redacts_passwords_holding_slashes_and_at_signs() {
    let r = redact_url("postgres://u:ab/cd@ef@db.example:5432/bizdesk?sslmode=require&password=x");
    assert_eq!(
        r,
        "postgres://u:[redacted]@db.example:5432/bizdesk?sslmode=require&password=[redacted]"
    );
}

#[test]
fn a_password_without_tls_is_refused_unless_allowed() {
    let pw = ("BIZDESK__SMTP__PASSWORD", "s3cret");
    let err = load_text("[smtp]\nurl = \"smtp://u@mail.example:2525\"\n", &[pw])
        .unwrap_err()
        .to_string();
    assert!(err.contains("smtp.allow_plaintext_auth"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    // A password in the URL, or opportunistic TLS (which may fall back to plain): the same.
    let err = load_text("[smtp]\nurl = \"smtp://u:pw/x@mail.example\"\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("smtp.allow_plaintext_auth") && err.contains("[redacted]"),
        "{err}"
    );
    let opportunistic = "[smtp]\nurl = \"smtp://u@mail.example?tls=opportunistic\"\n";
    assert!(load_text(opportunistic, &[pw]).is_err());
    // TLS, no password, or the operator's explicit choice: fine.
    for url in [
        "smtps://u@mail.example",
        "smtp://u@mail.example:587?tls=required",
    ] {
        load_text(&format!("[smtp]\nurl = \"{url}\"\n"), &[pw]).unwrap();
    }
    load_text("[smtp]\nurl = \"smtp://127.0.0.1:25\"\n", &[]).unwrap();
    let allow = ("BIZDESK__SMTP__ALLOW_PLAINTEXT_AUTH", "true");
    let c = load_text(opportunistic, &[pw, allow]).unwrap();
    assert!(c.smtp.allow_plaintext_auth);
}

#[test]
fn every_section_with_a_bad_value_is_reported_at_once() {
    let err = load_text(
        "[database]\nmax_connections = 0\n[scheduler]\npoll_ms = 1\n",
        &[("BIZDESK__DISCORD__API_BASE", "discord.example")],
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("3 problems"), "{err}");
    assert!(err.contains("key `database.max_connections`"), "{err}");
    assert!(err.contains("key `scheduler.poll_ms`"), "{err}");
    assert!(
        err.contains("BIZDESK__DISCORD__API_BASE: key `discord.api_base`"),
        "{err}"
    );
}

#[test]
fn every_unreadable_value_is_reported_and_the_settings_still_name_the_files() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    let text = "[smtp]\npool_size = \"x\"\ntimeout_secs = \"y\"\nfoo = 1\n\n[web]\nbind = 5\n\n[directory]\nfile = \"company/org.toml\"\n\n[scheduler]\npoll_ms = 1\n";
    f.write_all(text.as_bytes()).unwrap();
    let env = [("BIZDESK__NOPE".to_string(), "1".to_string())];
    let loaded = Config::load_checked(Some(f.path()), env).unwrap();
    let found: Vec<(&str, Option<usize>)> = loaded
        .problems
        .0
        .iter()
        .map(|p| (p.key.as_str(), p.line))
        .collect();
    assert_eq!(
        found,
        [
            ("", None),
            ("smtp.foo", Some(4)),
            ("smtp.pool_size", Some(2)),
            ("smtp.timeout_secs", Some(3)),
            ("web.bind", Some(7)),
            ("scheduler.poll_ms", Some(13)),
        ],
        "{}",
        loaded.problems
    );
    assert_eq!(loaded.problems.0[0].file, "BIZDESK__NOPE");
    assert_eq!(
        loaded.config.smtp.pool_size,
        Config::defaults().smtp.pool_size
    );
    assert_eq!(
        loaded.config.directory.file,
        Path::new("company/org.toml"),
        "the good values are kept"
    );
}
