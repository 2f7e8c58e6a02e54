//! When a user means: a forgiving parser for times typed in chat (`tomorrow 9am`, `in 2 hours`,
//! `明天下午3点`, `下周一 9:00`, `2026-12-01 10:00`), read in the company's time zone.
//!
//! Weekdays: a bare weekday (`friday`, `周五`) and English `next friday` both mean the first
//! such day strictly after today, so neither ever means "today"; `this friday` may be today;
//! `本周五`/`这周五` is the Friday of this Monday-to-Sunday week and `下周五` the Friday of the
//! next one, because 下周 literally says "next week". `next week`/`下周` alone is next Monday.
//! A day without a time means 09:00 (or the period's usual hour: 下午 14:00, 晚上 20:00).

use super::msg::Msg;
use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// How far ahead a time may be, in years.
pub const MAX_YEARS: u32 = 5;

/// Longest `input` echoed back in an error; longer input is cut with `…`.
const MAX_ECHO_CHARS: usize = 60;

/// A Chinese numeral up to 99 (`十五`, `两`, `二十三`); see [`num`].
pub(super) const CN: &str = "[零〇一二两三四五六七八九十]{1,3}";

/// Why a time was refused, before it becomes a [`Msg`] (repeat rules reuse the clock parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    Unreadable,
    BadTime,
    BadDate,
    Seconds,
    TooFar,
    Past(DateTime<Utc>),
}

/// A part of the day (上午, 下午, evening, ...), which shifts an hour and gives a default one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Period {
    Dawn,
    Morning,
    Noon,
    Afternoon,
    Dusk,
    Evening,
}

/// A time of day; `next_day` is set for 晚上12点 (midnight) and 晚上1点-style late hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tod {
    pub h: u32,
    pub m: u32,
    pub s: u32,
    pub next_day: bool,
}

/// The 09:00 that a day without a time means.
pub(super) const NINE: Tod = Tod {
    h: 9,
    m: 0,
    s: 0,
    next_day: false,
};

/// A day, a period it implies (`明早`) and the rest of the text.
type DayAt<'a> = (Day, Option<Period>, &'a str);

/// A day the user named; a month and day without a year is resolved against the time.
#[derive(Debug, Clone, Copy)]
enum Day {
    On(NaiveDate),
    Yearless(u32, u32),
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in pattern")
}

static EN_REL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(in )?(\d+|an?|half an?) ?(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|seconds?|secs?|s)( later| from now)?$",
    )
});
static ZH_REL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(\d+|{CN}|半) ?(个半|个)? ?(分钟|分|小时|钟头|天|日|周|星期|礼拜|月|秒钟|秒) ?(之后|以后|后)$"
    ))
});
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(t| |$)"));
static ZH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(?:(\d{{4}}) ?年 ?)?(\d{{1,2}}|{CN}) ?月 ?(\d{{1,2}}|{CN}) ?[日号]"
    ))
});
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,2})[-/](\d{1,2})( |$)"));
static EN_DAY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:the )?(day after tomorrow|today|tonight|tomorrow|tmrw|tmr|next week)\b")
});
static ZH_DAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(大后天|后天|今天|今日|今早|今晚|明天|明日|明早|明晚)"));
static EN_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:(next|this) )?(mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|rs|rsday|urday)?\b")
});
static ZH_WEEKDAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(下个?|这个?|本)? ?(?:周|星期|礼拜) ?([一二三四五六日天1-7])?"));
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:at |in the )?(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|morning\b|noon\b|afternoon\b|evening\b|night\b) ?",
    )
});
static COLON: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:at )?(\d{1,2}):(\d{2})(?::(\d{2}))?"));
static ZH_CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(\d{{1,2}}|{CN}) ?[点點时時](?: ?(半|一刻|三刻|整|\d{{1,2}}|{CN}) ?分?)?"
    ))
});
static BARE_HOUR: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:at )?(\d{1,2}) ?([ap])\.?m\.?( |$)"));
static AM_PM: LazyLock<Regex> = LazyLock::new(|| re(r"^ ?([ap])\.?m\.?( |$)"));

/// Parses a time a user typed, in the company's time zone, into a UTC instant in the future.
pub fn parse_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, Msg> {
    let input = text.trim();
    resolve(&normalize(input), now, tz).map_err(|why| {
        let msg = |key| Msg::new(key).arg("input", shorten(input));
        match why {
            Why::Unreadable => msg("when.unreadable"),
            Why::BadTime => msg("when.bad_time"),
            Why::BadDate => msg("when.bad_date"),
            Why::Seconds => msg("when.seconds"),
            Why::TooFar => msg("when.too_far").arg("max_years", MAX_YEARS),
            Why::Past(t) => msg("when.past").arg(
                "time",
                t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            ),
        }
    })
}

/// A local wall-clock time in `tz` as UTC: an ambiguous time (DST fall-back) is the earlier one; a time that does not exist (spring-forward gap) moves forward by the gap.
pub fn local_to_utc(t: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&t) {
        LocalResult::Single(d) => d.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Reading the wall time with the offset in force before the gap moves it forward by
            // the gap. A day earlier (as UTC) is before the gap for any real offset.
            let before = t.checked_sub_days(Days::new(1)).unwrap_or(t);
            let offset = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
            let utc = t.and_utc();
            utc.checked_sub_signed(TimeDelta::seconds(offset.into()))
                .unwrap_or(utc)
        }
    }
}

/// Folds what people type into one spelling: full-width forms to ASCII (`：`, `１０`), lowercase,
/// single spaces.
pub(super) fn normalize(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    let lower = folded.to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A number in digits (saturating, so huge input stays a number) or Chinese numerals up to 99.
pub(super) fn num(s: &str) -> Option<u64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(s.bytes().fold(0u64, |n, b| {
            n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
        }));
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u64)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.iter().position(|&c| c == '十') {
        None if chars.len() == 1 => digit(chars[0]),
        None => None,
        Some(i) => {
            let tens = match i {
                0 => 1,
                1 => digit(chars[0]).filter(|&d| d > 0)?,
                _ => return None,
            };
            let ones = match &chars[i + 1..] {
                [] => 0,
                [c] => digit(*c).filter(|&d| d > 0)?,
                _ => return None,
            };
            Some(tens * 10 + ones)
        }
    }
}

pub(super) fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn group<'a>(c: &Captures<'a>, i: usize) -> &'a str {
    c.get(i).map_or("", |m| m.as_str())
}

fn resolve(s: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, Why> {
    let today = now.with_timezone(&tz).date_naive();
    let t = if let Some(t) = relative(s, now, tz)? {
        t
    } else if let Some((day, period, rest)) = parse_day(s, today)? {
        let tod = match parse_time(rest, period)? {
            Some((tod, "")) => tod,
            None if rest.is_empty() => default_tod(period)?,
            _ => return Err(Why::Unreadable),
        };
        at(day, tod, now, tz)?
    } else if let Some((tod, rest)) = parse_time(s, None)? {
        if rest.is_empty() {
            let t = at(Day::On(today), tod, now, tz)?;
            if t > now {
                t
            } else {
                at(Day::On(today + Days::new(1)), tod, now, tz)?
            }
        } else {
            match parse_day(rest.strip_prefix("on ").unwrap_or(rest), today)? {
                Some((day, None, "")) => at(day, tod, now, tz)?,
                _ => return Err(Why::Unreadable),
            }
        }
    } else {
        return Err(Why::Unreadable);
    };
    if t <= now {
        Err(Why::Past(t))
    } else if now
        .checked_add_months(Months::new(12 * MAX_YEARS))
        .is_some_and(|max| t > max)
    {
        Err(Why::TooFar)
    } else {
        Ok(t)
    }
}

/// `in 3 days`, `2 hours later`, `3天后`, `半小时后`, `一个半小时后`: hours and minutes are exact
/// durations; days, weeks and months keep the wall-clock time across DST changes.
fn relative(s: &str, now: DateTime<Utc>, tz: Tz) -> Result<Option<DateTime<Utc>>, Why> {
    let (n, plus_half, unit) = if let Some(c) = EN_REL.captures(s) {
        if c.get(1).is_none() && c.get(4).is_none() {
            return Ok(None);
        }
        let n = match group(&c, 2) {
            "a" | "an" => Some(1),
            "half a" | "half an" => None,
            digits => num(digits),
        };
        let unit = match group(&c, 3) {
            u if u.starts_with("mo") => 'M',
            u => u.chars().next().unwrap_or('?'),
        };
        (n, false, unit)
    } else if let Some(c) = ZH_REL.captures(s) {
        let n = match group(&c, 1) {
            "半" => None,
            n => Some(num(n).ok_or(Why::Unreadable)?),
        };
        let unit = match group(&c, 3) {
            "分钟" | "分" => 'm',
            "小时" | "钟头" => 'h',
            "天" | "日" => 'd',
            "月" => 'M',
            "秒钟" | "秒" => 's',
            _ => 'w',
        };
        (n, group(&c, 2) == "个半", unit)
    } else {
        return Ok(None);
    };
    let local = now.with_timezone(&tz).naive_local();
    // Anything past this many minutes is beyond MAX_YEARS in every unit; it keeps math in range.
    let n = match n {
        Some(n) if n > u64::from(MAX_YEARS) * 366 * 24 * 60 => return Err(Why::TooFar),
        Some(n) => Some(n as i64),
        None => None,
    };
    let exact = |minutes: i64| now.checked_add_signed(TimeDelta::minutes(minutes));
    let t = match (unit, n, plus_half) {
        ('s', ..) => return Err(Why::Seconds),
        ('m', None, _) => return Err(Why::Seconds),
        ('m', Some(n), false) => exact(n),
        ('h', None, false) => exact(30),
        ('h', Some(n), half) => exact(n * 60 + if half { 30 } else { 0 }),
        ('d', None, false) => exact(12 * 60),
        ('d', Some(n), true) => exact(n * 24 * 60 + 12 * 60),
        ('d' | 'w', Some(n), false) => {
            let days = if unit == 'w' { n * 7 } else { n };
            local
                .checked_add_days(Days::new(days as u64))
                .map(|t| local_to_utc(t, tz))
        }
        ('M', Some(n), false) => local
            .checked_add_months(Months::new(n as u32))
            .map(|t| local_to_utc(t, tz)),
        _ => return Err(Why::Unreadable),
    };
    t.ok_or(Why::TooFar).map(Some)
}

/// A day at the start of `s`, with a period it implies (`明早`, `tonight`) and the rest of `s`.
fn parse_day(s: &str, today: NaiveDate) -> Result<Option<DayAt<'_>>, Why> {
    let rest = |end: usize| s[end..].trim_start();
    let ymd = |y: &str, m: &str, d: &str| -> Result<NaiveDate, Why> {
        let (Some(y), Some(m), Some(d)) = (num(y), num(m), num(d)) else {
            return Err(Why::BadDate);
        };
        NaiveDate::from_ymd_opt(y as i32, m.min(99) as u32, d.min(99) as u32).ok_or(Why::BadDate)
    };
    let plus = |days: u64| Day::On(today + Days::new(days));
    if let Some(c) = ISO_DATE.captures(s) {
        let date = ymd(group(&c, 1), group(&c, 2), group(&c, 3))?;
        return Ok(Some((
            Day::On(date),
            None,
            rest(c.get(0).map_or(0, |m| m.end())),
        )));
    }
    let (day, period, end) = if let Some(c) = ZH_DATE.captures(s) {
        let m = num(group(&c, 2)).ok_or(Why::BadDate)?;
        let d = num(group(&c, 3)).ok_or(Why::BadDate)?;
        let day = match c.get(1) {
            Some(y) => Day::On(ymd(y.as_str(), &m.to_string(), &d.to_string())?),
            None => Day::Yearless(m.min(99) as u32, d.min(99) as u32),
        };
        (day, None, c.get(0).map_or(0, |m| m.end()))
    } else if let Some(c) = MONTH_DAY.captures(s) {
        let (m, d) = (num(group(&c, 1)), num(group(&c, 2)));
        let day = Day::Yearless(m.unwrap_or(0) as u32, d.unwrap_or(0) as u32);
        (day, None, c.get(0).map_or(0, |m| m.end()))
    } else if let Some(c) = EN_DAY.captures(s).or_else(|| ZH_DAY.captures(s)) {
        let (day, period) = match group(&c, 1) {
            "today" | "今天" | "今日" => (plus(0), None),
            "tonight" | "今晚" => (plus(0), Some(Period::Evening)),
            "今早" => (plus(0), Some(Period::Morning)),
            "tomorrow" | "tmrw" | "tmr" | "明天" | "明日" => (plus(1), None),
            "明早" => (plus(1), Some(Period::Morning)),
            "明晚" => (plus(1), Some(Period::Evening)),
            "next week" => (Day::On(week_day(today, 1, Weekday::Mon)), None),
            "大后天" => (plus(3), None),
            _ => (plus(2), None),
        };
        (day, period, c.get(0).map_or(0, |m| m.end()))
    } else if let Some(c) = EN_WEEKDAY.captures(s) {
        let wd = group(&c, 2)
            .parse::<Weekday>()
            .map_err(|_| Why::Unreadable)?;
        let ahead = days_until(today, wd);
        let date = match (group(&c, 1), ahead) {
            ("this", 7) => today,
            _ => today + Days::new(ahead),
        };
        (Day::On(date), None, c.get(0).map_or(0, |m| m.end()))
    } else if let Some(c) = ZH_WEEKDAY.captures(s) {
        let next_week = group(&c, 1).starts_with('下');
        let wd = match c.get(2).map(|m| m.as_str()) {
            Some(d) => "一二三四五六"
                .find(d)
                .map(|i| i / 3)
                .or_else(|| num(d).filter(|&d| d > 0).map(|d| (d - 1) as usize)),
            None if next_week => Some(0),
            None => return Ok(None),
        };
        let wd = Weekday::try_from(wd.unwrap_or(6) as u8).unwrap_or(Weekday::Sun);
        let date = match group(&c, 1) {
            "" => today + Days::new(days_until(today, wd)),
            p => week_day(today, u64::from(p.starts_with('下')), wd),
        };
        (Day::On(date), None, c.get(0).map_or(0, |m| m.end()))
    } else {
        return Ok(None);
    };
    Ok(Some((day, period, rest(end))))
}

/// Days from `today` to the next `wd` strictly after it (1 to 7).
fn days_until(today: NaiveDate, wd: Weekday) -> u64 {
    let d = (7 + wd.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    u64::from(if d == 0 { 7 } else { d })
}

/// `wd` in the Monday-to-Sunday week `weeks` after the one holding `today`.
fn week_day(today: NaiveDate, weeks: u64, wd: Weekday) -> NaiveDate {
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    monday + Days::new(weeks * 7 + u64::from(wd.num_days_from_monday()))
}

/// A time of day at the start of `s` (`9:00`, `3pm`, `下午3点半`, `noon`) and the rest of `s`;
/// `period` is one the day already implied (`明晚8点`). `None` when `s` does not start with one.
pub(super) fn parse_time(s: &str, period: Option<Period>) -> Result<Option<(Tod, &str)>, Why> {
    let (mut period, mut s) = (period, s);
    if let Some(c) = PERIOD.captures(s) {
        period = Some(match group(&c, 1) {
            "凌晨" => Period::Dawn,
            "中午" | "noon" => Period::Noon,
            "下午" | "afternoon" => Period::Afternoon,
            "傍晚" => Period::Dusk,
            "晚上" | "evening" | "night" => Period::Evening,
            _ => Period::Morning,
        });
        s = &s[c.get(0).map_or(0, |m| m.end())..];
    }
    let (h, m, sec, rest) = if let Some(c) = COLON.captures(s) {
        let end = c.get(0).map_or(0, |m| m.end());
        let n = |i| num(group(&c, i)).unwrap_or(0);
        (n(1), n(2), n(3), &s[end..])
    } else if let Some(c) = ZH_CLOCK.captures(s) {
        let h = num(group(&c, 1)).ok_or(Why::BadTime)?;
        let m = match group(&c, 2) {
            "半" => 30,
            "一刻" => 15,
            "三刻" => 45,
            "整" | "" => 0,
            m => num(m).ok_or(Why::BadTime)?,
        };
        (h, m, 0, &s[c.get(0).map_or(0, |m| m.end())..])
    } else if let Some(c) = BARE_HOUR.captures(s) {
        let h = num(group(&c, 1)).unwrap_or(0);
        (h, 0, 0, &s[c.get(1).map_or(0, |m| m.end())..])
    } else if let Some(p) = period {
        return default_tod(Some(p)).map(|tod| Some((tod, s.trim_start())));
    } else {
        return Ok(None);
    };
    let (h, m, sec) = (h.min(99) as u32, m.min(99) as u32, sec.min(99) as u32);
    if m > 59 || sec > 59 {
        return Err(Why::BadTime);
    }
    let (h, next_day, rest) = match AM_PM.captures(rest) {
        Some(c) if (1..=12).contains(&h) => {
            let h = h % 12 + if group(&c, 1) == "p" { 12 } else { 0 };
            (h, false, &rest[c.get(0).map_or(0, |m| m.end())..])
        }
        Some(_) => return Err(Why::BadTime),
        None => {
            let (h, next_day) = shift(h, period)?;
            (h, next_day, rest)
        }
    };
    let tod = Tod {
        h,
        m,
        s: sec,
        next_day,
    };
    Ok(Some((tod, rest.trim_start())))
}

/// An hour read within a period: 下午3点 is 15:00, 中午1点 13:00, 晚上12点 the midnight after.
fn shift(h: u32, period: Option<Period>) -> Result<(u32, bool), Why> {
    use Period::*;
    Ok(match period {
        _ if h > 23 => return Err(Why::BadTime),
        Some(Afternoon | Dusk) if (1..12).contains(&h) => (h + 12, false),
        Some(Noon) if (1..=2).contains(&h) => (h + 12, false),
        Some(Evening) if (5..12).contains(&h) => (h + 12, false),
        // Late evening hours belong to the night after the named day.
        Some(Evening) if h < 5 || h == 12 => (h % 12, true),
        Some(Dawn) if h == 12 => (0, false),
        Some(Dawn | Morning) if h > 12 => return Err(Why::BadTime),
        _ => (h, false),
    })
}

/// The usual hour of a period (下午 14:00), or 09:00 without one.
pub(super) fn default_tod(period: Option<Period>) -> Result<Tod, Why> {
    let h = match period {
        None | Some(Period::Morning) => 9,
        Some(Period::Noon) => 12,
        Some(Period::Afternoon) => 14,
        Some(Period::Dusk) => 18,
        Some(Period::Evening) => 20,
        Some(Period::Dawn) => return Err(Why::Unreadable),
    };
    Ok(Tod { h, ..NINE })
}

/// The instant of `tod` on `day`; a month and day without a year is the first one after `now`.
fn at(day: Day, tod: Tod, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, Why> {
    let time = NaiveTime::from_hms_opt(tod.h, tod.m, tod.s).ok_or(Why::BadTime)?;
    let instant = |date: NaiveDate| {
        let date = date + Days::new(u64::from(tod.next_day));
        local_to_utc(date.and_time(time), tz)
    };
    match day {
        Day::On(date) => Ok(instant(date)),
        Day::Yearless(m, d) => {
            let year = now.with_timezone(&tz).year();
            // Eight years always hold a 29 February.
            let dates = (year..year + 9).filter_map(|y| NaiveDate::from_ymd_opt(y, m, d));
            let mut last = None;
            for t in dates.map(instant) {
                if t > now {
                    return Ok(t);
                }
                last = Some(t);
            }
            last.ok_or(Why::BadDate)
        }
    }
}

#[cfg(test)]
mod tests;
