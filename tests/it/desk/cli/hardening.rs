//! The command line's refusals and its survival of hostile conditions.

use super::*;

#[tokio::test]
async fn an_smtp_password_is_never_sent_without_tls_unless_allowed() {
    let (dir, url) = fresh().await;
    let sink = smtp_sink::plain_auth::PlainAuthSink::start();
    let smtp_url = format!("smtp://desk@127.0.0.1:{}", sink.port);
    let env = [
        ("BIZDESK__SMTP__URL", smtp_url.as_str()),
        ("BIZDESK__SMTP__PASSWORD", "s3cret"),
    ];
    let test_email = ["send-test-email", "ops@example.com"];
    let o = bizdesk_with(&url, dir.path(), &test_email, &env);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("smtp.allow_plaintext_auth"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("s3cret"), "{}", text(&o));
    assert!(!sink.saw_auth(), "{:?}", sink.commands());
    // `serve` refuses to start the same way, before it listens or connects anywhere.
    let o = bizdesk_with(&url, dir.path(), &["serve"], &env);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("smtp.allow_plaintext_auth"),
        "{}",
        text(&o)
    );
    assert!(sink.commands().is_empty(), "{:?}", sink.commands());

    // The operator's explicit choice: the login goes through and the email is sent.
    let allowed = [
        env[0],
        env[1],
        ("BIZDESK__SMTP__ALLOW_PLAINTEXT_AUTH", "true"),
    ];
    let o = bizdesk_with(&url, dir.path(), &test_email, &allowed);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("sent: 250"), "{}", text(&o));
    assert!(sink.saw_auth(), "{:?}", sink.commands());
}

#[tokio::test]
async fn clock_offsets_beyond_ten_years_are_refused_without_a_panic() {
    let (dir, url) = fresh().await;
    let inbox = ["console", "--as", "li.na", "-c", "/inbox"];
    for offset in [
        "9223372036854775807s",
        "18446744073709551615s",
        "100000000d",
        "3000000w",
        "3654d",
        "-3654d",
    ] {
        let args = [&["--clock-offset", offset][..], &inbox[..]].concat();
        let o = bizdesk(&url, dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{offset}: {}", text(&o));
        assert!(text(&o).contains("more than 10 years"), "{}", text(&o));
        assert!(!text(&o).contains("panicked"), "{}", text(&o));
    }
    for offset in ["3653d", "-1d", "65m"] {
        let args = [&["--clock-offset", offset][..], &inbox[..]].concat();
        let o = bizdesk(&url, dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{offset}: {}", text(&o));
    }
}

#[tokio::test]
async fn dates_share_one_horizon_of_five_years() {
    let (dir, url) = fresh().await;
    let far = (chrono::Utc::now() + chrono::Duration::days(366 * 5))
        .format("%Y-%m-%d")
        .to_string();
    let line = format!("/requisition new item:Chair quantity:1 unit_price:100 needed_by:{far}");
    let o = bizdesk(&url, dir.path(), &["console", "--as", "li.na", "-c", &line]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("5"), "{}", text(&o));
    let line = "/followup add ref:REQ-000001 when:\"in 6 years\" note:x";
    let o = bizdesk(&url, dir.path(), &["console", "--as", "li.na", "-c", line]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// Runs bizdesk with its standard output a pipe whose reader is already gone (`| head -1`
/// that stopped reading, `| true`).
fn bizdesk_into_closed_pipe(url: &str, dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bizdesk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("BIZDESK__DATABASE__URL", url)
        .env("BIZDESK__TEMPLATES__DIR", "")
        .env("HOME", dir)
        .env("BIZDESK__SECURITY__KEY_FILE", dir.join("keys"))
        .env("BIZDESK__SMTP__DROP_DIR", dir.join("outbox"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run bizdesk");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for bizdesk")
}

#[tokio::test]
async fn a_closed_pipe_ends_every_command_quietly() {
    let (dir, url) = fresh().await;
    // Enough audit events that the export fills more than one buffer.
    let file = dir.path().join("customers.csv");
    let rows: String = (0..120)
        .map(|i| format!("Customer {i},c{i}@example.com\n"))
        .collect();
    std::fs::write(&file, format!("name,email\n{rows}")).unwrap();
    let import = [
        "customers",
        "import",
        file.to_str().unwrap(),
        "--as",
        "tom.baker",
    ];
    let o = bizdesk(&url, dir.path(), &import);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let org = concat!(env!("CARGO_MANIFEST_DIR"), "/config/org.toml");
    for args in [
        &["audit", "verify"][..],
        &["audit", "export"],
        &["org", "sync", org],
        &["jobs"],
        &["outbox", "list"],
        &["console", "--as", "li.na", "-c", "/help"],
    ] {
        let o = bizdesk_into_closed_pipe(&url, dir.path(), args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe") && !err.contains("bizdesk:"),
            "{args:?}: {err}"
        );
    }
}

#[tokio::test]
async fn restore_says_at_once_what_is_wrong_with_a_file() {
    if common::postgres().is_some() {
        return;
    }
    let (dir, url) = fresh().await;
    let o = bizdesk(&url, dir.path(), &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "just some text, not a database\n".repeat(100)).unwrap();
    let other_db = dir.path().join("other.db");
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rwc", other_db.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    for (file, says) in [
        (&junk, "not a bizdesk backup"),
        (&other_db, "not a bizdesk backup"),
    ] {
        let started = std::time::Instant::now();
        let o = bizdesk(&url, dir.path(), &["restore", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(says), "{}", text(&o));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "at once, not after retrying: {:?}",
            started.elapsed()
        );
    }
    assert!(!text(&bizdesk(&url, dir.path(), &["audit", "verify"])).contains("BROKEN"));
}

#[tokio::test]
async fn an_encrypted_backup_carries_the_key_file_and_needs_its_passphrase() {
    if common::postgres().is_some() {
        return;
    }
    let (dir, url) = fresh().await;
    let o = console(
        &url,
        dir.path(),
        "xu.jing",
        "/customer add name:\"周军\" email:zj@huadong.cn",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sealed = dir.path().join("b.age");
    let s = sealed.to_str().unwrap();
    let o = bizdesk(&url, dir.path(), &["backup", s, "--encrypt"]);
    assert_ne!(o.status.code(), Some(0), "no passphrase: {}", text(&o));
    assert!(
        text(&o).contains("BIZDESK_BACKUP_PASSPHRASE"),
        "{}",
        text(&o)
    );
    let pass = [("BIZDESK_BACKUP_PASSPHRASE", "correct horse")];
    let o = bizdesk_with(&url, dir.path(), &["backup", s, "--encrypt"], &pass);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let raw = std::fs::read(&sealed).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1"));
    assert!(!raw.windows(13).any(|w| w == b"zj@huadong.cn"), "encrypted");
    #[cfg(unix)]
    assert_eq!(bizdesk::store::files::mode(&sealed).unwrap(), 0o600);

    // The machine is lost: no database, no key file.
    let db = bizdesk::store::backup::sqlite_path(&url).unwrap();
    let keys = dir.path().join("keys");
    let key_text = std::fs::read_to_string(&keys).unwrap();
    for f in [db.clone(), keys.clone()] {
        std::fs::remove_file(f).unwrap();
    }
    let o = bizdesk(&url, dir.path(), &["restore", s]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("BIZDESK_BACKUP_PASSPHRASE"),
        "{}",
        text(&o)
    );
    let o = bizdesk_with(
        &url,
        dir.path(),
        &["restore", s],
        &[("BIZDESK_BACKUP_PASSPHRASE", "wrong")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("wrong passphrase"), "{}", text(&o));
    let o = bizdesk_with(&url, dir.path(), &["restore", s], &pass);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&keys).unwrap(), key_text);
    let o = bizdesk(&url, dir.path(), &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = console(&url, dir.path(), "xu.jing", "/customer show customer:#1");
    assert!(text(&o).contains("zj@huadong.cn"), "{}", text(&o));

    // A plain backup of a keyed database is refused where its key file is not.
    let plain = dir.path().join("plain.db");
    let o = bizdesk(&url, dir.path(), &["backup", plain.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("key file"),
        "says to back up the key file: {}",
        text(&o)
    );
    std::fs::remove_file(&keys).unwrap();
    assert!(Keys::generate(None).write_new(&keys).unwrap());
    let o = bizdesk(
        &url,
        dir.path(),
        &["restore", plain.to_str().unwrap(), "--force"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("another key file"), "{}", text(&o));

    // And `customers forget` from the command line: a preview, then for real.
    std::fs::remove_file(&keys).unwrap();
    std::fs::write(&keys, key_text).unwrap();
    let o = bizdesk(&url, dir.path(), &["customers", "forget", "#1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--yes"), "{}", text(&o));
    let o = bizdesk(&url, dir.path(), &["customers", "forget", "#1", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bizdesk(&url, dir.path(), &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
