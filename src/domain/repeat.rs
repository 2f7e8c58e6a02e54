//! How a user says "again and again": a repeat rule as a cron expression croner accepts, from
//! either a cron expression or a plain form (`every monday 10:00`, `每月最后一天`, `每15分钟`).
//!
//! A plain day 31 (`每月31号`, `every month on the 31st`) means the last day of every month
//! (`L`): a business user writing 每月31号 means month-end. Days 29 and 30 stay literal, and a
//! typed cron expression is kept as typed, so `0 10 31 * *` keeps cron's meaning. Steps must
//! divide the hour or the day evenly (`*/7` minutes restarts at each hour); others are refused
//! with a pointer to cron. Times come from the plain form, else from `first`, else 09:00.

pub use crate::domain::cron::check as check_cron;
use crate::domain::msg::Msg;
use crate::domain::when::{
    group, normalize, num, parse_time, patterns, shorten, weekday, Tod, Why,
};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// A repeat rule as a cron expression (5 fields, or 6 with seconds first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// The cron expression, POSIX weekdays (0 and 7 are Sunday).
    pub cron: String,
    /// true when the user typed a cron expression themselves
    pub raw_cron: bool,
}

/// Why a plain form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bad {
    Unreadable,
    Time,
    Day,
    Uneven(u64, &'static str),
}

impl From<Why> for Bad {
    fn from(why: Why) -> Bad {
        match why {
            Why::BadTime => Bad::Time,
            _ => Bad::Unreadable,
        }
    }
}

// Each plain form ends in an optional time of day, the last group.
patterns! {
    CRONISH = r"^[0-9*/,\-]+$";
    DAILY = r"^(?:every ?day|each day|daily|每天|每日|天天)(?: on)?(?: at)? ?(.*)$";
    WORKDAYS = r"^(?:(?:every|each) (?:weekday|workday|working day)|weekdays|每个?工作日|工作日)(?: at)? ?(.*)$";
    EN_WEEKLY_ON = r"^(?:every|each) (mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|r|rs|rsday|urday)?\b(?: at)? ?(.*)$";
    ZH_WEEKLY_ON = r"^每个?(?:周|星期|礼拜) ?([一二三四五六日天](?:[、,和及与]?[一二三四五六日天])*)(?: at)? ?(.*)$";
    WEEKLY = r"^(?:(?:every|each) week|weekly|每个?(?:周|星期|礼拜))(?: at)? ?(.*)$";
    MONTHLY = r"^(?:(?:every|each) month|monthly|每个?月)(?: on)?(?: the)? ?(?:(\d{1,2})(?:st|nd|rd|th)(?: day)?|(\d{1,3}|{CN}) ?[号日]|(last day|最后一天|月底|月末))?(?: at)? ?(.*)$";
    YEARLY = r"^(?:(?:every|each) year|yearly|annually|每年)(?: on)? ?(?:(\d{1,2}|{CN}) ?月 ?(\d{1,2}|{CN}) ?[号日])?(?: at)? ?(.*)$";
    STEP = r"^(?:(?:every|each) ?|每隔|每)(\d+|{CN}|半|a|an|half(?: an?)?)? ?个? ?(minutes?|mins?|m|hours?|hrs?|h|小时|钟头|分钟|分)$";
}

/// A repeat rule as a cron expression croner accepts (5 fields, or 6 with seconds first), from either a cron expression or a plain form. `first` is the first occurrence the user gave (`when:`), used to fill in a missing day or time; without it, missing times mean 09:00 and a missing day of month means the 1st.
pub fn parse_repeat(text: &str, first: Option<NaiveDateTime>) -> Result<Repeat, Msg> {
    let input = text.trim();
    let msg = |key| Msg::new(key).arg("input", shorten(input));
    let fields: Vec<&str> = input.split_whitespace().collect();
    // Plain forms never start with two numeric fields; cron expressions always do.
    if fields.len() >= 3 && fields[..2].iter().all(|f| CRONISH.is_match(f)) {
        return match check_cron(input) {
            Ok(_) => Ok(Repeat {
                cron: input.to_string(),
                raw_cron: true,
            }),
            Err(problem) => Err(problem.msg(input)),
        };
    }
    match plain(&normalize(input), first) {
        Ok(cron) => Ok(Repeat {
            cron,
            raw_cron: false,
        }),
        Err(Bad::Unreadable) => Err(msg("repeat.unreadable")),
        Err(Bad::Time) => Err(msg("repeat.bad_time")),
        Err(Bad::Day) => Err(msg("repeat.bad_day")),
        Err(Bad::Uneven(n, unit)) => Err(msg("repeat.uneven_step").arg("n", n).arg("unit", unit)),
    }
}

/// The cron expression for a plain form (already normalized).
fn plain(s: &str, first: Option<NaiveDateTime>) -> Result<String, Bad> {
    if let Some(c) = DAILY.captures(s) {
        let t = time(group(&c, 1), first)?;
        return Ok(format!("{} * * *", clock(t)));
    }
    if let Some(c) = WORKDAYS.captures(s) {
        let t = time(group(&c, 1), first)?;
        // 晚上12点 on a workday is the midnight after it: Tuesday to Saturday.
        let days = if t.next_day { "2-6" } else { "1-5" };
        return Ok(format!("{} * * {days}", clock(t)));
    }
    let weekly = if let Some(c) = EN_WEEKLY_ON.captures(s) {
        let wd = weekday(group(&c, 1)).ok_or(Bad::Unreadable)?;
        Some((vec![wd.num_days_from_sunday()], group(&c, 2)))
    } else if let Some(c) = ZH_WEEKLY_ON.captures(s) {
        let days = group(&c, 1)
            .chars()
            .filter_map(|d| weekday(&d.to_string()))
            .map(|wd| wd.num_days_from_sunday())
            .collect();
        Some((days, group(&c, 2)))
    } else if let Some(c) = WEEKLY.captures(s) {
        let wd = first.map_or(1, |f| f.weekday().num_days_from_sunday());
        Some((vec![wd], group(&c, 1)))
    } else {
        None
    };
    if let Some((mut days, rest)) = weekly {
        let t = time(rest, first)?;
        let shift = u32::from(t.next_day);
        days = days.iter().map(|d| (d + shift) % 7).collect();
        days.sort_unstable();
        days.dedup();
        let list: Vec<String> = days.iter().map(u32::to_string).collect();
        return Ok(format!("{} * * {}", clock(t), list.join(",")));
    }
    if let Some(c) = MONTHLY.captures(s) {
        let day = match (c.get(1).or(c.get(2)), c.get(3)) {
            (_, Some(_)) => 31,
            (Some(d), None) => num(d.as_str()).unwrap_or(0),
            (None, None) => first.map_or(1, |f| u64::from(f.day())),
        };
        let t = time(group(&c, 4), first)?;
        if t.next_day {
            return Err(Bad::Time);
        }
        let dom = match day {
            1..=30 => day.to_string(),
            31 => "L".to_string(),
            _ => return Err(Bad::Day),
        };
        return Ok(format!("{} {dom} * *", clock(t)));
    }
    if let Some(c) = YEARLY.captures(s) {
        let (m, d) = match (c.get(1), c.get(2)) {
            (Some(m), Some(d)) => (num(m.as_str()), num(d.as_str())),
            _ => (
                Some(first.map_or(1, |f| u64::from(f.month()))),
                Some(first.map_or(1, |f| u64::from(f.day()))),
            ),
        };
        let (m, d) = (m.unwrap_or(0).min(99) as u32, d.unwrap_or(0).min(99) as u32);
        // A leap year, so 29 February is a real (if rare) yearly date.
        NaiveDate::from_ymd_opt(2000, m, d).ok_or(Bad::Day)?;
        let t = time(group(&c, 3), first)?;
        if t.next_day {
            return Err(Bad::Time);
        }
        return Ok(format!("{} {d} {m} *", clock(t)));
    }
    if s == "hourly" {
        return step(1, 'h', first);
    }
    if let Some(c) = STEP.captures(s) {
        let unit = match group(&c, 2).chars().next() {
            Some('h' | '小' | '钟') => 'h',
            _ => 'm',
        };
        let (n, unit) = match group(&c, 1) {
            "" | "a" | "an" => (1, unit),
            // Half an hour is thirty minutes; half a minute is below the smallest unit.
            h if h == "半" || h.starts_with("half") => match unit {
                'h' => (30, 'm'),
                _ => return Err(Bad::Unreadable),
            },
            n => (num(n).ok_or(Bad::Unreadable)?, unit),
        };
        return step(n, unit, first);
    }
    Err(Bad::Unreadable)
}

/// Every `n` minutes or hours, lined up with `first` so that it is one of the occurrences.
fn step(n: u64, unit: char, first: Option<NaiveDateTime>) -> Result<String, Bad> {
    let (fm, fh) = first.map_or((0, 0), |f| (u64::from(f.minute()), u64::from(f.hour())));
    let field = |start: u64, max: u64| match (n, start) {
        (1, _) => "*".to_string(),
        (_, 0) => format!("*/{n}"),
        _ => format!("{start}-{max}/{n}"),
    };
    match unit {
        _ if n == 0 => Err(Bad::Unreadable),
        'm' if n % 60 == 0 => step(n / 60, 'h', first),
        'm' if 60 % n == 0 => Ok(format!("{} * * * *", field(fm % n, 59))),
        'h' if n == 24 => Ok(format!("{fm} {fh} * * *")),
        'h' if 24 % n == 0 => Ok(format!("{fm} {} * * *", field(fh % n, 23))),
        'm' => Err(Bad::Uneven(n, "minutes")),
        _ => Err(Bad::Uneven(n, "hours")),
    }
}

/// The minute and hour fields, led by a seconds field only when the time has seconds.
fn clock(t: Tod) -> String {
    match t.s {
        0 => format!("{} {}", t.m, t.h),
        s => format!("{s} {} {}", t.m, t.h),
    }
}

/// The time of day in the rest of a plain form, else `first`'s, else 09:00.
fn time(rest: &str, first: Option<NaiveDateTime>) -> Result<Tod, Bad> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Ok(first.map_or(Tod::hm(9, 0), |f| Tod::hm(f.hour(), f.minute())));
    }
    match parse_time(rest, None)? {
        Some((tod, "")) => Ok(tod),
        _ => Err(Bad::Unreadable),
    }
}

#[cfg(test)]
mod tests;
