//! When a user means: a forgiving parser for times typed in chat (`tomorrow 9am`, `in 2 hours`,
//! `明天下午3点`, `下周一 9:00`, `2026-12-01 10:00`), read in the company's time zone.
//!
//! Weekdays: a bare weekday (`friday`, `周五`) and English `next friday` both mean the first
//! such day strictly after today, so neither ever means "today"; `this friday` may be today;
//! `本周五`/`这周五` is the Friday of this Monday-to-Sunday week and `下周五` the Friday of the
//! next one, because 下周 literally says "next week". `next week`/`下周` alone is next Monday.
//! A day without a time means 09:00 (or the period's usual hour: 下午 14:00, 晚上 20:00).

use crate::domain::msg::Msg;
use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use regex::Captures;

/// How far ahead a time may be, in years: the one horizon of every date ([`crate::domain::horizon`]).
pub const MAX_YEARS: u32 = crate::domain::horizon::MAX_YEARS_AHEAD;

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

impl Tod {
    /// `h:m` on the same day.
    pub(super) fn hm(h: u32, m: u32) -> Tod {
        let next_day = false;
        Tod {
            h,
            m,
            s: 0,
            next_day,
        }
    }
}

/// A day, a period it implies (`明早`) and the rest of the text.
type DayAt<'a> = (Day, Option<Period>, &'a str);

/// A day the user named; a month and day without a year is resolved against the time.
#[derive(Debug, Clone, Copy)]
enum Day {
    On(NaiveDate),
    Yearless(u32, u32),
}

/// Declares lazily compiled patterns; `{CN}` in one stands for a Chinese numeral up to 99.
macro_rules! patterns {
    ($($name:ident = $pattern:literal;)*) => {$(
        static $name: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            let pattern = $pattern.replace("{CN}", $crate::domain::when::CN);
            regex::Regex::new(&pattern).expect("built-in pattern")
        });
    )*};
}
pub(super) use patterns;

patterns! {
    EN_REL = r"^(in )?(\d+|an?|half an?) ?(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|seconds?|secs?|s)( later| from now)?$";
    ZH_REL = r"^(\d+|{CN}|半) ?(个半|个)? ?(分钟|分|小时|钟头|天|日|周|星期|礼拜|月|秒钟|秒) ?(之后|以后|后)$";
    ISO_DATE = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(t| |$)";
    ZH_DATE = r"^(?:(?P<y>\d{4}) ?年 ?)?(?P<m>\d{1,2}|{CN}) ?月 ?(?P<d>\d{1,2}|{CN}) ?[日号]";
    MONTH_DAY = r"^(?P<m>\d{1,2})[-/](?P<d>\d{1,2})( |$)";
    EN_DAY = r"^(?:the )?(day after tomorrow|today|tonight|tomorrow|tmrw|tmr|next week)\b";
    ZH_DAY = r"^(大后天|后天|今天|今日|今早|今晚|明天|明日|明早|明晚)";
    EN_WEEKDAY = r"^(?:(next|this) )?(mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|r|rs|rsday|urday)?\b";
    ZH_WEEKDAY = r"^(下个?|这个?|本)? ?(?:周|星期|礼拜) ?([一二三四五六日天1-7])?";
    PERIOD = r"^(?:at |in the )?(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|morning\b|noon\b|afternoon\b|evening\b|night\b) ?";
    COLON = r"^(?:at )?(\d{1,2}):(\d{2})(?::(\d{2}))?";
    ZH_CLOCK = r"^(\d{1,2}|{CN}) ?[点點时時](?: ?(半|一刻|三刻|整|\d{1,2}|{CN}) ?分?)?";
    BARE_HOUR = r"^(?:at )?(\d{1,2}) ?([ap])\.?m\.?( |$)";
    AM_PM = r"^ ?([ap])\.?m\.?( |$)";
}

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
    let ascii = |c: char| match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    let folded = text.chars().map(ascii).collect::<String>().to_lowercase();
    // Splitting on Unicode whitespace also drops the ideographic space.
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A number in digits (saturating, so huge input stays a number) or Chinese numerals up to 99.
pub(super) fn num(s: &str) -> Option<u64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(s.bytes().fold(0u64, |n, b| {
            n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
        }));
    }
    let digit = |c| "零一二三四五六七八九〇两十".chars().position(|d| d == c);
    let digits: Option<Vec<u64>> = s
        .chars()
        .map(|c| digit(c).map(|p| [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 2, 10][p]))
        .collect();
    match digits?.as_slice() {
        [d] => Some(*d),
        [10, d @ 1..=9] => Some(10 + d),
        [t @ 1..=9, 10] => Some(t * 10),
        [t @ 1..=9, 10, d @ 1..=9] => Some(t * 10 + d),
        _ => None,
    }
}

/// `s`, cut to [`MAX_ECHO_CHARS`] characters for echoing back.
pub(super) fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A capture group's text, or "" when it did not take part.
pub(super) fn group<'a>(c: &Captures<'a>, i: usize) -> &'a str {
    c.get(i).map_or("", |m| m.as_str())
}

/// Where a whole match ends.
fn end(c: &Captures) -> usize {
    c.get(0).map_or(0, |m| m.end())
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
            // A time alone is today if still ahead, else tomorrow.
            let ahead = u64::from(at(Day::On(today), tod, now, tz)? <= now);
            at(Day::On(today + Days::new(ahead)), tod, now, tz)?
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
    } else if crate::domain::horizon::time_within(t, now) {
        Ok(t)
    } else {
        Err(Why::TooFar)
    }
}

/// `in 3 days`, `2 hours later`, `3天后`, `半小时后`, `一个半小时后`: hours and minutes are exact
/// durations; days, weeks and months keep the wall-clock time across DST changes.
fn relative(s: &str, now: DateTime<Utc>, tz: Tz) -> Result<Option<DateTime<Utc>>, Why> {
    let en = EN_REL
        .captures(s)
        .filter(|c| c.get(1).or(c.get(4)).is_some());
    let (amount, extra, unit) = if let Some(c) = en {
        (group(&c, 2), "", group(&c, 3))
    } else if let Some(c) = ZH_REL.captures(s) {
        (group(&c, 1), group(&c, 2), group(&c, 3))
    } else {
        return Ok(None);
    };
    // Counted in halves, for 半小时 and 一个半小时.
    let halves = match amount {
        "半" | "half a" | "half an" => 1,
        "a" | "an" => 2,
        n => (num(n).ok_or(Why::Unreadable)?)
            .saturating_mul(2)
            .saturating_add(u64::from(extra == "个半")),
    };
    // Past this, every unit is beyond MAX_YEARS; the cap keeps the arithmetic in range.
    if halves > u64::from(MAX_YEARS) * 366 * 24 * 60 * 2 {
        return Err(Why::TooFar);
    }
    let (halves, whole, half) = (halves as i64, (halves / 2) as i64, halves % 2 == 1);
    let unit = match unit {
        "分钟" | "分" => 'm',
        "小时" | "钟头" => 'h',
        "天" | "日" => 'd',
        "周" | "星期" | "礼拜" => 'w',
        "秒钟" | "秒" => 's',
        u if u.starts_with("mo") || u == "月" => 'M',
        u => u.chars().next().unwrap_or('s'),
    };
    let exact = |minutes: i64| now.checked_add_signed(TimeDelta::minutes(minutes));
    let local = now.with_timezone(&tz).naive_local();
    let wall = |t: Option<NaiveDateTime>| t.map(|t| local_to_utc(t, tz));
    let t = match (unit, half) {
        ('s', _) | ('m', true) => return Err(Why::Seconds),
        ('m', false) => exact(whole),
        ('h', _) => exact(halves * 30),
        ('d', true) => exact(halves * 12 * 60),
        ('d', false) => wall(local.checked_add_days(Days::new(whole as u64))),
        ('w', false) => wall(local.checked_add_days(Days::new(whole as u64 * 7))),
        ('M', false) => wall(local.checked_add_months(Months::new(whole as u32))),
        _ => return Err(Why::Unreadable),
    };
    t.ok_or(Why::TooFar).map(Some)
}

/// A day at the start of `s`, with a period it implies (`明早`, `tonight`) and the rest of `s`.
fn parse_day(s: &str, today: NaiveDate) -> Result<Option<DayAt<'_>>, Why> {
    let plus = |days: u64| Day::On(today + Days::new(days));
    let dated = ISO_DATE.captures(s).or_else(|| ZH_DATE.captures(s));
    let ((day, period), used) = if let Some(c) = dated.or_else(|| MONTH_DAY.captures(s)) {
        // Unreadable parts become 0, which no date has.
        let part = |name| c.name(name).and_then(|g| num(g.as_str())).unwrap_or(0);
        let (m, d) = (part("m").min(99) as u32, part("d").min(99) as u32);
        let day = match c.name("y") {
            Some(_) => NaiveDate::from_ymd_opt(part("y").min(9999) as i32, m, d)
                .map(Day::On)
                .ok_or(Why::BadDate)?,
            None => Day::Yearless(m, d),
        };
        ((day, None), end(&c))
    } else if let Some(c) = EN_DAY.captures(s).or_else(|| ZH_DAY.captures(s)) {
        let day = match group(&c, 1) {
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
        (day, end(&c))
    } else if let Some(c) = EN_WEEKDAY.captures(s).or_else(|| ZH_WEEKDAY.captures(s)) {
        let (prefix, wd) = (group(&c, 1), weekday(group(&c, 2)));
        let wd = match wd {
            Some(wd) => wd,
            None if prefix.starts_with('下') => Weekday::Mon,
            None => return Ok(None),
        };
        let ahead = days_until(today, wd);
        let date = match prefix {
            "" | "next" => today + Days::new(ahead),
            "this" => today + Days::new(ahead % 7),
            p => week_day(today, u64::from(p.starts_with('下')), wd),
        };
        ((Day::On(date), None), end(&c))
    } else {
        return Ok(None);
    };
    Ok(Some((day, period, s[used..].trim_start())))
}

/// A weekday by English name or abbreviation, or by Chinese 一…六, 日/天, or 1…7.
pub(super) fn weekday(d: &str) -> Option<Weekday> {
    if let Ok(wd) = d.parse() {
        return Some(wd);
    }
    let i = match (d, "一二三四五六日".find(d)) {
        ("", _) => return None,
        ("天", _) => 6,
        (_, Some(i)) => i / 3,
        _ => d.parse::<usize>().ok()?.checked_sub(1)?,
    };
    Weekday::try_from(u8::try_from(i).ok()?).ok()
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
        s = &s[end(&c)..];
    }
    let (h, m, sec, rest) = if let Some(c) = COLON.captures(s) {
        let end = end(&c);
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
        (h, m, 0, &s[end(&c)..])
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
            (h, false, &rest[end(&c)..])
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
    Ok(Tod::hm(h, 0))
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
            // Nine years always hold a 29 February, even around 2100.
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
