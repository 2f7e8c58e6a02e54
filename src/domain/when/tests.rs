use super::*;
use chrono_tz::{America::New_York, Asia::Shanghai};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Thursday 2026-11-26 10:00 in Shanghai.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap()
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// What `text` means, as Shanghai wall-clock time.
fn at(text: &str) -> String {
    match parse_when(text, now(), Shanghai) {
        Ok(t) => local(t, Shanghai),
        Err(e) => panic!("{text:?} refused: {e:?}"),
    }
}

fn refused(text: &str) -> Msg {
    match parse_when(text, now(), Shanghai) {
        Ok(t) => panic!("{text:?} accepted as {}", local(t, Shanghai)),
        Err(e) => e,
    }
}

fn check(cases: &[(&str, &str)]) {
    for (text, want) in cases {
        assert_eq!(at(text), *want, "{text:?}");
    }
}

#[test]
fn absolute_dates() {
    check(&[
        ("2026-12-01 10:00", "2026-12-01 10:00"),
        ("2026-12-01T10:00", "2026-12-01 10:00"),
        ("2026/12/01 10:00", "2026-12-01 10:00"),
        ("2026.12.1 8:05", "2026-12-01 08:05"),
        ("2026-12-01", "2026-12-01 09:00"),
        ("12-01 10:00", "2026-12-01 10:00"),
        ("12/1", "2026-12-01 09:00"),
        ("11-26 09:00", "2027-11-26 09:00"),
        ("02-29", "2028-02-29 09:00"),
        ("2026年12月1日 10:00", "2026-12-01 10:00"),
        ("2026年12月1号", "2026-12-01 09:00"),
        ("12月1日10点", "2026-12-01 10:00"),
        ("12月1日 下午3点", "2026-12-01 15:00"),
        ("十二月一日 晚上8点", "2026-12-01 20:00"),
    ]);
    let t = parse_when("2026-12-01 10:00:30", now(), Shanghai).unwrap();
    assert_eq!(t, Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 30).unwrap());
}

#[test]
fn relative_times() {
    check(&[
        ("in 3 days", "2026-11-29 10:00"),
        ("in 2h", "2026-11-26 12:00"),
        ("in 2 hours", "2026-11-26 12:00"),
        ("in 90 minutes", "2026-11-26 11:30"),
        ("in 30m", "2026-11-26 10:30"),
        ("in 1 week", "2026-12-03 10:00"),
        ("in 2 weeks", "2026-12-10 10:00"),
        ("in 1d", "2026-11-27 10:00"),
        ("in 45 min", "2026-11-26 10:45"),
        ("in an hour", "2026-11-26 11:00"),
        ("in half an hour", "2026-11-26 10:30"),
        ("in 2 months", "2027-01-26 10:00"),
        ("3 days later", "2026-11-29 10:00"),
        ("2 hours from now", "2026-11-26 12:00"),
        ("3天后", "2026-11-29 10:00"),
        ("2小时后", "2026-11-26 12:00"),
        ("30分钟后", "2026-11-26 10:30"),
        ("1周后", "2026-12-03 10:00"),
        ("两天后", "2026-11-28 10:00"),
        ("半小时后", "2026-11-26 10:30"),
        ("十五分钟后", "2026-11-26 10:15"),
        ("二十分钟之后", "2026-11-26 10:20"),
        ("一个半小时后", "2026-11-26 11:30"),
        ("两个小时以后", "2026-11-26 12:00"),
        ("1个月后", "2026-12-26 10:00"),
        ("半天后", "2026-11-26 22:00"),
    ]);
}

#[test]
fn day_words() {
    check(&[
        ("today 17:00", "2026-11-26 17:00"),
        ("tomorrow 9:00", "2026-11-27 09:00"),
        ("tomorrow 9am", "2026-11-27 09:00"),
        ("tomorrow at 3pm", "2026-11-27 15:00"),
        ("tomorrow 3 p.m.", "2026-11-27 15:00"),
        ("tomorrow 12am", "2026-11-27 00:00"),
        ("tomorrow noon", "2026-11-27 12:00"),
        ("tomorrow", "2026-11-27 09:00"),
        ("day after tomorrow 10:00", "2026-11-28 10:00"),
        ("tonight", "2026-11-26 20:00"),
        ("9am tomorrow", "2026-11-27 09:00"),
        ("10:30 on friday", "2026-11-27 10:30"),
        ("今天17点", "2026-11-26 17:00"),
        ("明天9点", "2026-11-27 09:00"),
        ("明天上午9点", "2026-11-27 09:00"),
        ("明天下午3点", "2026-11-27 15:00"),
        ("明天下午3:30", "2026-11-27 15:30"),
        ("明天晚上8点", "2026-11-27 20:00"),
        ("明天晚上12点", "2026-11-28 00:00"),
        ("明天中午", "2026-11-27 12:00"),
        ("明天中午1点", "2026-11-27 13:00"),
        ("明天下午", "2026-11-27 14:00"),
        ("明早", "2026-11-27 09:00"),
        ("明晚", "2026-11-27 20:00"),
        ("今晚8点", "2026-11-26 20:00"),
        ("明天 9:00", "2026-11-27 09:00"),
        ("明天9:30", "2026-11-27 09:30"),
        ("明天9点半", "2026-11-27 09:30"),
        ("明天九点一刻", "2026-11-27 09:15"),
        ("明天9点05分", "2026-11-27 09:05"),
        ("后天", "2026-11-28 09:00"),
        ("大后天", "2026-11-29 09:00"),
    ]);
}

#[test]
fn weekdays() {
    // Today is a Thursday: a bare or `next` weekday is strictly after today.
    check(&[
        ("next monday 9:00", "2026-11-30 09:00"),
        ("monday 9:00", "2026-11-30 09:00"),
        ("mon 9:00", "2026-11-30 09:00"),
        ("fri", "2026-11-27 09:00"),
        ("thursday 17:00", "2026-12-03 17:00"),
        ("next thursday", "2026-12-03 09:00"),
        ("this thursday 17:00", "2026-11-26 17:00"),
        ("this friday", "2026-11-27 09:00"),
        ("next week", "2026-11-30 09:00"),
        ("next week 10:00", "2026-11-30 10:00"),
        ("下周一 9:00", "2026-11-30 09:00"),
        ("下周一9点", "2026-11-30 09:00"),
        ("下周五", "2026-12-04 09:00"),
        ("下个星期三 下午2点", "2026-12-02 14:00"),
        ("下周", "2026-11-30 09:00"),
        ("周五 10:00", "2026-11-27 10:00"),
        ("星期五10点", "2026-11-27 10:00"),
        ("礼拜五", "2026-11-27 09:00"),
        ("星期天", "2026-11-29 09:00"),
        ("周四", "2026-12-03 09:00"),
        ("本周四 17:00", "2026-11-26 17:00"),
        ("这周六", "2026-11-28 09:00"),
    ]);
}

#[test]
fn time_alone_is_today_if_ahead_else_tomorrow() {
    check(&[
        ("17:30", "2026-11-26 17:30"),
        ("3pm", "2026-11-26 15:00"),
        ("下午3点", "2026-11-26 15:00"),
        ("9:00", "2026-11-27 09:00"),
        ("10:00", "2026-11-27 10:00"),
        ("晚上", "2026-11-26 20:00"),
    ]);
}

#[test]
fn spelling_is_forgiving() {
    check(&[
        ("  TOMORROW   9AM ", "2026-11-27 09:00"),
        ("明天９：３０", "2026-11-27 09:30"),
        ("Ｔｏｍｏｒｒｏｗ　９ａｍ", "2026-11-27 09:00"),
        ("In 2 Hours", "2026-11-26 12:00"),
        ("明天 下午 3 点", "2026-11-27 15:00"),
    ]);
}

#[test]
fn refusals_say_why_and_echo_the_input() {
    for (text, key) in [
        ("2026-02-30", "when.bad_date"),
        ("2026-13-01", "when.bad_date"),
        ("02-30 10:00", "when.bad_date"),
        ("2月30日", "when.bad_date"),
        ("25:00", "when.bad_time"),
        ("tomorrow 9:60", "when.bad_time"),
        ("tomorrow 13pm", "when.bad_time"),
        ("明天25点", "when.bad_time"),
        ("上午15点", "when.bad_time"),
        ("in 10 seconds", "when.seconds"),
        ("10秒后", "when.seconds"),
        ("2035-01-01", "when.too_far"),
        ("in 99999999999 days", "when.too_far"),
        ("in 999999999999999999999999999999 minutes", "when.too_far"),
        ("in 61 months", "when.too_far"),
        ("in 0 minutes", "when.past"),
        ("hello", "when.unreadable"),
        ("", "when.unreadable"),
        ("tomorrow 9", "when.unreadable"),
        ("in 3", "when.unreadable"),
        ("3 days", "when.unreadable"),
        ("明天 blah", "when.unreadable"),
        ("周末", "when.unreadable"),
        ("monthly", "when.unreadable"),
    ] {
        let e = refused(text);
        assert_eq!(e.key, key, "{text:?}");
        assert_eq!(e.get("input"), Some(text.trim()), "{text:?}");
    }
    let e = refused(" 2020-01-01 ");
    assert_eq!(
        (e.key, e.get("time")),
        ("when.past", Some("2020-01-01 09:00"))
    );
    assert_eq!(refused("in 6 years").key, "when.unreadable");
    assert_eq!(refused("2035-01-01").get("max_years"), Some("5"));
    let long = "x".repeat(100);
    assert_eq!(
        refused(&long).get("input"),
        Some(&*format!("{}…", "x".repeat(60)))
    );
}

#[test]
fn five_years_is_the_limit() {
    assert!(parse_when("2031-11-26 09:00", now(), Shanghai).is_ok());
    assert_eq!(refused("2031-11-26 11:00").key, "when.too_far");
}

#[test]
fn local_to_utc_across_dst() {
    let naive = |y, m, d, h, min| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    };
    let utc = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
    // Fall back: 01:30 happens twice; the earlier (EDT) one wins.
    assert_eq!(
        local_to_utc(naive(2026, 11, 1, 1, 30), New_York),
        utc(2026, 11, 1, 5, 30)
    );
    // Spring forward: 02:30 does not exist; it moves forward by the gap to 03:30 EDT.
    assert_eq!(
        local_to_utc(naive(2027, 3, 14, 2, 30), New_York),
        utc(2027, 3, 14, 7, 30)
    );
    assert_eq!(
        local_to_utc(naive(2027, 3, 14, 3, 30), New_York),
        utc(2027, 3, 14, 7, 30)
    );
    assert_eq!(local_to_utc(naive(2026, 11, 26, 10, 0), Shanghai), now());
    // parse_when goes through the same rules.
    let before = utc(2026, 10, 1, 12, 0);
    let ny = |text| parse_when(text, before, New_York).unwrap();
    assert_eq!(ny("2027-03-14 02:30"), utc(2027, 3, 14, 7, 30));
    assert_eq!(ny("2026-11-01 01:30"), utc(2026, 11, 1, 5, 30));
    // Days keep the wall-clock time over a DST change; hours are exact.
    let sat = utc(2026, 10, 31, 16, 0); // 12:00 EDT
    assert_eq!(
        parse_when("in 1 day", sat, New_York),
        Ok(utc(2026, 11, 1, 17, 0))
    );
    assert_eq!(
        parse_when("in 24 hours", sat, New_York),
        Ok(utc(2026, 11, 1, 16, 0))
    );
}

#[test]
fn chinese_numbers() {
    for (s, n) in [
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("九十九", 99),
        ("两", 2),
    ] {
        assert_eq!(num(s), Some(n), "{s}");
    }
    for s in ["", "十十", "一二", "零十", "百", "二十零"] {
        assert_eq!(num(s), None, "{s}");
    }
    assert_eq!(num("99999999999999999999999"), Some(u64::MAX));
}

/// The catalogs hold the same keys in both languages, and use only the arguments given.
#[test]
fn catalogs_match_the_messages() {
    let args: BTreeMap<&str, &[&str]> = [
        ("when.unreadable", &["input"][..]),
        ("when.past", &["input", "time"]),
        ("when.too_far", &["input", "max_years"]),
        ("when.bad_time", &["input"]),
        ("when.bad_date", &["input"]),
        ("when.seconds", &["input"]),
        ("repeat.unreadable", &["input"]),
        ("repeat.bad_cron", &["input", "reason"]),
        ("repeat.cron_fields", &["input", "n"]),
        ("repeat.cron_field", &["input", "field", "value"]),
        ("repeat.bad_time", &["input"]),
        ("repeat.bad_day", &["input"]),
        ("repeat.uneven_step", &["input", "n", "unit"]),
        ("repeat.never", &["input"]),
        ("repeat.too_often", &["input"]),
    ]
    .into_iter()
    .collect();
    for text in [
        include_str!("../../../templates/chat/en/messages/when.toml"),
        include_str!("../../../templates/chat/zh-CN/messages/when.toml"),
    ] {
        let table: toml::Table = text.parse().unwrap();
        let mut keys = BTreeSet::new();
        for (prefix, inner) in &table {
            for (name, template) in inner.as_table().unwrap() {
                let key = format!("{prefix}.{name}");
                let given = args.get(key.as_str()).unwrap_or_else(|| panic!("{key}?"));
                let mut env = minijinja::Environment::new();
                env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
                env.add_template("t", template.as_str().unwrap()).unwrap();
                let ctx: BTreeMap<&str, &str> = given.iter().map(|a| (*a, "1")).collect();
                let out = env.get_template("t").unwrap().render(&ctx);
                assert!(out.is_ok(), "{key}: {out:?}");
                keys.insert(key);
            }
        }
        assert_eq!(
            keys.iter().map(String::as_str).collect::<Vec<_>>(),
            args.keys().copied().collect::<Vec<_>>()
        );
    }
}

fn sane(result: Result<DateTime<Utc>, Msg>, text: &str) {
    match result {
        Ok(t) => {
            assert!(t > now(), "{text:?}");
            assert!(
                t <= now().checked_add_months(Months::new(60)).unwrap(),
                "{text:?}"
            );
        }
        Err(e) => assert!(e.get("input").is_some(), "{text:?}: {e:?}"),
    }
}

proptest! {
    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        sane(parse_when(&text, now(), Shanghai), &text);
        sane(parse_when(&text, now(), New_York), &text);
    }

    #[test]
    fn never_panics_on_near_misses(
        text in r"(in |下|这|本|the )?[0-9一二两三十半]{0,25} ?(days?|h|minutes?|weeks?|months?|个|天|小时|分钟|周|星期|月|年|日|号|点|:|-|/|后|am|pm|上午|下午|晚上|明天|tomorrow|monday|[0-9]{1,4}){0,4}"
    ) {
        sane(parse_when(&text, now(), Shanghai), &text);
    }

    #[test]
    fn any_wall_clock_time_converts(secs in 0i64..4_102_444_800) {
        let t = DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
        for tz in [New_York, Shanghai, chrono_tz::Australia::Lord_Howe] {
            let back = local_to_utc(t, tz).with_timezone(&tz).naive_local();
            // Exact, except inside a gap, where it moves forward by at most the gap.
            prop_assert!(back >= t && back - t <= TimeDelta::hours(1), "{t} {tz}");
        }
    }
}
