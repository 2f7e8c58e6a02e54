use super::*;
use chrono::TimeZone;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn rule(expr: &str, tz: &str) -> Recurrence {
    Recurrence::parse(expr, tz).unwrap()
}

#[test]
fn spring_forward_runs_a_0230_job_once_at_the_next_valid_time() {
    // 2027-03-14: New York's clocks jump from 02:00 EST to 03:00 EDT; 02:30 does not exist.
    let r = rule("30 2 * * *", "America/New_York");
    let got = r.between(utc(2027, 3, 13, 0, 0), utc(2027, 3, 15, 12, 0), 10);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], utc(2027, 3, 13, 7, 30)); // 02:30 EST
                                                 // The gap day: exactly one run, at the first valid time: 03:00 EDT.
    assert_eq!(got[1], utc(2027, 3, 14, 7, 0));
    assert_eq!(got[2], utc(2027, 3, 15, 6, 30)); // 02:30 EDT
}

#[test]
fn fall_back_runs_a_0130_job_once() {
    // 2026-11-01: New York's 01:00-02:00 happens twice (EDT, then EST).
    let r = rule("30 1 * * *", "America/New_York");
    let got = r.between(utc(2026, 10, 31, 16, 0), utc(2026, 11, 3, 12, 0), 10);
    assert_eq!(
        got,
        vec![
            utc(2026, 11, 1, 5, 30), // 01:30 EDT, the first of the two
            utc(2026, 11, 2, 6, 30), // 01:30 EST the next day
            utc(2026, 11, 3, 6, 30),
        ]
    );
}

#[test]
fn weekday_mornings_in_shanghai_skip_the_weekend() {
    let r = rule("0 9 * * 1-5", "Asia/Shanghai");
    // Friday 2026-11-27 10:00 in Shanghai (02:00 UTC): next is Monday 09:00 (01:00 UTC).
    assert_eq!(
        r.next_after(utc(2026, 11, 27, 2, 0)),
        Some(utc(2026, 11, 30, 1, 0))
    );
}

#[test]
fn last_day_of_month_and_raw_31st() {
    let last = rule("0 9 L * *", "Asia/Shanghai");
    let got = last.between(utc(2027, 1, 1, 0, 0), utc(2027, 5, 1, 0, 0), 10);
    let days: Vec<u32> = got
        .iter()
        .map(|t| {
            use chrono::Datelike;
            t.with_timezone(&chrono_tz::Asia::Shanghai).day()
        })
        .collect();
    assert_eq!(days, vec![31, 28, 31, 30]);
    // A raw cron 31st keeps cron's meaning: months without a 31st are skipped.
    let raw = rule("0 10 31 * *", "Asia/Shanghai");
    assert_eq!(
        raw.next_after(utc(2026, 11, 26, 2, 0)),
        Some(utc(2026, 12, 31, 2, 0))
    );
}

#[test]
fn leap_day_comes_every_four_years() {
    let r = rule("0 9 29 2 *", "Asia/Shanghai");
    assert_eq!(
        r.next_after(utc(2026, 11, 26, 2, 0)),
        Some(utc(2028, 2, 29, 1, 0))
    );
    assert_eq!(
        r.next_after(utc(2028, 2, 29, 1, 0)),
        Some(utc(2032, 2, 29, 1, 0))
    );
}

#[test]
fn six_fields_have_seconds_first() {
    let r = rule("*/10 * * * * *", "UTC");
    assert_eq!(
        r.next_after(utc(2026, 11, 26, 2, 0)),
        Some(utc(2026, 11, 26, 2, 0) + chrono::Duration::seconds(10))
    );
}

#[test]
fn bad_rules_are_refused_with_a_reason() {
    assert!(parse_cron("0 9 * *").unwrap_err().contains("4 fields"));
    assert!(parse_cron("0 25 * * *").is_err());
    assert!(parse_cron("every day").is_err());
    assert!(parse_tz("Mars/Olympus").unwrap_err().contains("IANA"));
    assert!(CatchUp::parse("twice").is_err());
}

#[test]
fn catch_up_once_fires_the_latest_missed_occurrence_only() {
    let r = rule("0 * * * *", "UTC");
    let f = firing(
        &r,
        utc(2026, 11, 26, 10, 0),
        utc(2026, 11, 26, 15, 30),
        CatchUp::Once,
    );
    assert_eq!(f.fire, vec![utc(2026, 11, 26, 15, 0)]);
    assert_eq!(f.next, Some(utc(2026, 11, 26, 16, 0)));
}

#[test]
fn catch_up_all_fires_every_missed_occurrence() {
    let r = rule("0 * * * *", "UTC");
    let f = firing(
        &r,
        utc(2026, 11, 26, 10, 0),
        utc(2026, 11, 26, 15, 30),
        CatchUp::All,
    );
    assert_eq!(f.fire.len(), 6);
    assert_eq!(f.fire[0], utc(2026, 11, 26, 10, 0));
    assert_eq!(f.fire[5], utc(2026, 11, 26, 15, 0));
    assert_eq!(f.next, Some(utc(2026, 11, 26, 16, 0)));
}

#[test]
fn on_time_firing_is_one_occurrence() {
    let r = rule("0 9 * * *", "Asia/Shanghai");
    let due = utc(2026, 11, 27, 1, 0);
    for catch_up in [CatchUp::Once, CatchUp::All] {
        let f = firing(&r, due, due, catch_up);
        assert_eq!(f.fire, vec![due]);
        assert_eq!(f.next, Some(utc(2026, 11, 28, 1, 0)));
    }
}

#[test]
fn a_first_time_off_the_pattern_fires_then_follows_the_rule() {
    // A callback first due at 10:17, then monthly on the 1st at 10:00.
    let r = rule("0 10 1 * *", "Asia/Shanghai");
    let due = utc(2026, 11, 26, 2, 17);
    let f = firing(&r, due, due + chrono::Duration::seconds(1), CatchUp::Once);
    assert_eq!(f.fire, vec![due]);
    assert_eq!(f.next, Some(utc(2026, 12, 1, 2, 0)));
}
