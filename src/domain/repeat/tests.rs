use super::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc, Weekday};
use croner::parser::{CronParser, Seconds};
use proptest::prelude::*;

/// Thursday 2026-12-03 14:30.
fn first() -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(2026, 12, 3)
        .unwrap()
        .and_hms_opt(14, 30, 0)
}

fn parses(cron: &str) -> bool {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .build()
        .parse(cron)
        .is_ok()
}

fn cron(text: &str, first: Option<NaiveDateTime>) -> String {
    match parse_repeat(text, first) {
        Ok(r) => {
            assert!(
                parses(&r.cron),
                "{text:?} gave {:?}, which croner refuses",
                r.cron
            );
            assert!(!r.raw_cron, "{text:?}");
            r.cron
        }
        Err(e) => panic!("{text:?} refused: {e:?}"),
    }
}

fn check(cases: &[(&str, &str)], first: Option<NaiveDateTime>) {
    for (text, want) in cases {
        assert_eq!(cron(text, first), *want, "{text:?}");
    }
}

fn refused(text: &str) -> Msg {
    match parse_repeat(text, None) {
        Ok(r) => panic!("{text:?} accepted as {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn english_forms() {
    check(
        &[
            ("every day 9:00", "0 9 * * *"),
            ("daily", "0 9 * * *"),
            ("Daily at 9:30", "30 9 * * *"),
            ("every day at 5pm", "0 17 * * *"),
            ("every day 9:00:30", "30 0 9 * * *"),
            ("every weekday 9:00", "0 9 * * 1-5"),
            ("weekdays at 8am", "0 8 * * 1-5"),
            ("every monday 10:00", "0 10 * * 1"),
            ("every mon", "0 9 * * 1"),
            ("every sunday at 6pm", "0 18 * * 0"),
            ("every week", "0 9 * * 1"),
            ("weekly", "0 9 * * 1"),
            ("every month", "0 9 1 * *"),
            ("monthly at 10:00", "0 10 1 * *"),
            ("every month on the 15th 10:00", "0 10 15 * *"),
            ("every month on the 30th", "0 9 30 * *"),
            ("every month on the 31st", "0 9 L * *"),
            ("every month on the last day", "0 9 L * *"),
            ("every hour", "0 * * * *"),
            ("hourly", "0 * * * *"),
            ("every 2 hours", "0 */2 * * *"),
            ("every 24 hours", "0 0 * * *"),
            ("every 15 minutes", "*/15 * * * *"),
            ("every minute", "* * * * *"),
            ("every half hour", "*/30 * * * *"),
            ("every 120 minutes", "0 */2 * * *"),
            ("every year", "0 9 1 1 *"),
            ("yearly", "0 9 1 1 *"),
        ],
        None,
    );
}

#[test]
fn chinese_forms() {
    check(
        &[
            ("每天9点", "0 9 * * *"),
            ("每天 9:00", "0 9 * * *"),
            ("每天上午10点", "0 10 * * *"),
            ("每天下午3点半", "30 15 * * *"),
            ("每天晚上12点", "0 0 * * *"),
            ("每个工作日9点", "0 9 * * 1-5"),
            ("工作日 9:00", "0 9 * * 1-5"),
            ("每周一 10:00", "0 10 * * 1"),
            ("每周五", "0 9 * * 5"),
            ("每周五晚上12点", "0 0 * * 6"),
            ("每星期一", "0 9 * * 1"),
            ("每礼拜天", "0 9 * * 0"),
            ("每周一三五 9点", "0 9 * * 1,3,5"),
            ("每周二、四", "0 9 * * 2,4"),
            ("每周", "0 9 * * 1"),
            ("每月1号 10:00", "0 10 1 * *"),
            ("每月15日", "0 9 15 * *"),
            ("每月三十号", "0 9 30 * *"),
            ("每月31号", "0 9 L * *"),
            ("每月最后一天", "0 9 L * *"),
            ("每个月月底 18:00", "0 18 L * *"),
            ("每月", "0 9 1 * *"),
            ("每年", "0 9 1 1 *"),
            ("每年12月25日", "0 9 25 12 *"),
            ("每年2月29日", "0 9 29 2 *"),
            ("每小时", "0 * * * *"),
            ("每个小时", "0 * * * *"),
            ("每2小时", "0 */2 * * *"),
            ("每隔两小时", "0 */2 * * *"),
            ("每15分钟", "*/15 * * * *"),
            ("每半小时", "*/30 * * * *"),
            ("每１５分钟", "*/15 * * * *"),
        ],
        None,
    );
}

#[test]
fn first_fills_in_what_is_missing() {
    check(
        &[
            ("daily", "30 14 * * *"),
            ("every day 9:00", "0 9 * * *"),
            ("every week", "30 14 * * 4"),
            ("每周", "30 14 * * 4"),
            ("every friday", "30 14 * * 5"),
            ("every month", "30 14 3 * *"),
            ("每月15日", "30 14 15 * *"),
            ("every year", "30 14 3 12 *"),
            ("hourly", "30 * * * *"),
            ("every 2 hours", "30 */2 * * *"),
            ("every 3 hours", "30 2-23/3 * * *"),
            ("every 15 minutes", "*/15 * * * *"),
        ],
        first(),
    );
    let at = |d, h, m| {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
    };
    assert_eq!(cron("every 15 minutes", at(3, 9, 5)), "5-59/15 * * * *");
    assert_eq!(cron("every month", at(31, 9, 0)), "0 9 L * *");
    assert_eq!(cron("every month", at(30, 9, 0)), "0 9 30 * *");
    assert_eq!(cron("every 2 hours", at(3, 0, 0)), "0 */2 * * *");
}

#[test]
fn typed_cron_is_kept_as_typed() {
    for text in [
        "0 10 31 * *",
        "0 9 * * 1-5",
        "30 0 9 * * *",
        "0 9 * * MON-FRI",
        "*/7 * * * *",
        "0 9 L * *",
        "  0 9 * * 7 ",
    ] {
        let r = parse_repeat(text, first()).unwrap();
        assert_eq!(
            r,
            Repeat {
                cron: text.trim().to_string(),
                raw_cron: true
            }
        );
        assert!(parses(&r.cron));
    }
}

#[test]
fn bad_cron_says_which_field_and_why() {
    for (text, key, field) in [
        ("0 25 * * *", "repeat.cron_field", Some("hour")),
        ("0 9 * * funday", "repeat.cron_field", Some("weekday")),
        ("0 0 30 2 *", "repeat.never", None),
        ("0 9 * *", "repeat.cron_fields", None),
        ("0 0 9 1 1 * 2027", "repeat.cron_fields", None),
    ] {
        let e = refused(text);
        assert_eq!(e.key, key, "{text:?}");
        assert_eq!(e.get("input"), Some(text));
        assert_eq!(e.get("field"), field, "{text:?}");
    }
}

#[test]
fn check_cron_uses_posix_weekdays() {
    let next = |expr: &str| {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        let cron = check_cron(expr).unwrap();
        cron.find_next_occurrence(&start, false).unwrap().weekday()
    };
    assert_eq!(next("0 9 * * 0"), Weekday::Sun);
    assert_eq!(next("0 9 * * 7"), Weekday::Sun);
    assert_eq!(next("0 9 * * 1"), Weekday::Mon);
    assert_eq!(next("0 0 9 * * 1"), Weekday::Mon);
    assert!(check_cron("").is_err());
    assert!(check_cron("@daily").is_err());
}

#[test]
fn refusals_say_why_and_echo_the_input() {
    for (text, key) in [
        ("every 7 minutes", "repeat.uneven_step"),
        ("每7分钟", "repeat.uneven_step"),
        ("every 5 hours", "repeat.uneven_step"),
        ("every 90 minutes", "repeat.uneven_step"),
        ("every 0 minutes", "repeat.unreadable"),
        ("every 2 days", "repeat.unreadable"),
        ("every 2 weeks", "repeat.unreadable"),
        ("every half minute", "repeat.unreadable"),
        ("every day at noonish", "repeat.unreadable"),
        ("", "repeat.unreadable"),
        ("sometimes", "repeat.unreadable"),
        ("每月32号", "repeat.bad_day"),
        ("every month on the 0th", "repeat.bad_day"),
        ("每年2月30日", "repeat.bad_day"),
        ("每年13月1日", "repeat.bad_day"),
        ("每天25点", "repeat.bad_time"),
        ("every day 9:61", "repeat.bad_time"),
        ("每月1号晚上12点", "repeat.bad_time"),
    ] {
        let e = refused(text);
        assert_eq!(e.key, key, "{text:?}");
        assert_eq!(e.get("input"), Some(text), "{text:?}");
    }
    let e = refused("every 7 minutes");
    assert_eq!((e.get("n"), e.get("unit")), (Some("7"), Some("minutes")));
    assert_eq!(refused("every 5 hours").get("unit"), Some("hours"));
}

proptest! {
    #[test]
    fn never_panics_and_always_gives_croner_a_pattern(text in any::<String>(), secs in 0i64..4_000_000_000) {
        let first = DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc());
        for first in [None, first] {
            match parse_repeat(&text, first) {
                Ok(r) => prop_assert!(parses(&r.cron), "{text:?} gave {:?}", r.cron),
                Err(e) => prop_assert!(e.get("input").is_some()),
            }
        }
    }

    #[test]
    fn near_misses_are_fine_too(
        text in r"(every |each |每|每隔|每个)?[0-9一二两三十半]{0,4} ?(day|weekday|mon|week|month|year|hours?|minutes?|天|工作日|周|星期|月|年|小时|分钟|号|日|最后一天)?( on the [0-9]{1,3}(st|th))? ?([0-9]{1,3}(:[0-9]{1,3})?|下午[0-9]点|[0-9]pm)?",
        secs in 0i64..4_000_000_000,
    ) {
        let first = DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc());
        match parse_repeat(&text, first) {
            Ok(r) => prop_assert!(parses(&r.cron), "{text:?} gave {:?}", r.cron),
            Err(e) => prop_assert!(e.get("input").is_some()),
        }
    }

    #[test]
    fn typed_crons_never_panic(text in r"([0-9*/,\-LW#?]{1,6} ){4,6}[0-9*/,\-LW#?A-Z]{1,6}") {
        let _ = parse_repeat(&text, None);
    }
}
