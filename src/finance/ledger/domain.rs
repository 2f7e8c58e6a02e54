//! The ledger's rules that need no I/O: where a document's amount stands given its state, the
//! figures of a line, and what `budget.control` says about a document adding to it.

use crate::approval::domain::ApprovalStatus;
use crate::finance::expenses::domain::ExpenseStatus;
use crate::finance::settings::{Control, Level, Settings, Stage};
use chrono::{Datelike, NaiveDate};

/// Where one document's amount stands: at most one column is non-zero for a requisition, a
/// PO's unpaid part is committed, a payment is spent; a claim may be partly paid (committed
/// and spent then add up to its amount).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Split {
    pub requested: i64,
    pub committed: i64,
    pub spent: i64,
}

impl Split {
    /// The document's whole amount as the ledger holds it.
    pub fn total(&self) -> i64 {
        self.requested + self.committed + self.spent
    }

    /// `self - other`, column by column: the move from `other` to `self`.
    pub fn minus(&self, other: &Split) -> Split {
        Split {
            requested: self.requested - other.requested,
            committed: self.committed - other.committed,
            spent: self.spent - other.spent,
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Split::default()
    }
}

/// A requisition: its total while in approval, the value not yet on a live PO once approved
/// (`unordered` = quantity not ordered × unit price), nothing otherwise (rejected, withdrawn,
/// returned for changes: a resubmission is checked and counted again).
pub fn requisition(status: ApprovalStatus, total: i64, unordered: i64) -> Split {
    match status {
        ApprovalStatus::Pending => Split {
            requested: total,
            ..Split::default()
        },
        ApprovalStatus::Approved => Split {
            committed: unordered.max(0),
            ..Split::default()
        },
        ApprovalStatus::Rejected | ApprovalStatus::ChangesRequested | ApprovalStatus::Withdrawn => {
            Split::default()
        }
    }
}

/// A purchase order: what is not paid yet, while it is live (in review, approved, sent,
/// confirmed or received); nothing once rejected or cancelled.
pub fn purchase_order(live: bool, total: i64, paid: i64) -> Split {
    Split {
        committed: if live { (total - paid).max(0) } else { 0 },
        ..Split::default()
    }
}

/// A supplier payment: what was paid.
pub fn payment(paid: i64) -> Split {
    Split {
        spent: paid.max(0),
        ..Split::default()
    }
}

/// An expense claim: its amount in approval; once approved what is unpaid is committed and
/// what is paid spent; nothing when rejected, withdrawn or returned for changes.
pub fn expense(status: ExpenseStatus, amount: i64, paid: i64) -> Split {
    match status {
        ExpenseStatus::Pending => Split {
            requested: amount,
            ..Split::default()
        },
        ExpenseStatus::Approved | ExpenseStatus::Paid => Split {
            requested: 0,
            committed: (amount - paid).max(0),
            spent: paid.max(0),
        },
        ExpenseStatus::Rejected | ExpenseStatus::ChangesRequested | ExpenseStatus::Withdrawn => {
            Split::default()
        }
    }
}

/// A line's four figures (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub allocated: i64,
    pub requested: i64,
    pub committed: i64,
    pub spent: i64,
}

impl Figures {
    /// What documents hold against the line.
    pub fn used(&self) -> i64 {
        self.requested + self.committed + self.spent
    }

    /// What is left (negative when over).
    pub fn available(&self) -> i64 {
        self.allocated - self.used()
    }

    /// Spent against allocated: positive when over.
    pub fn variance(&self) -> i64 {
        self.spent - self.allocated
    }

    /// What is used, in percent of what is allocated (`None` without an allocation).
    pub fn percent_used(&self) -> Option<i64> {
        (self.allocated > 0).then(|| self.used().saturating_mul(100) / self.allocated)
    }

    pub fn add_split(&mut self, s: &Split) {
        self.requested = self.requested.saturating_add(s.requested);
        self.committed = self.committed.saturating_add(s.committed);
        self.spent = self.spent.saturating_add(s.spent);
    }
}

/// The period of a date at a level: `2027`, `2027-Q1`, `2027-03`.
pub fn period_of(level: Level, on: NaiveDate) -> String {
    match level {
        Level::Year => on.year().to_string(),
        Level::Quarter => format!("{}-Q{}", on.year(), on.month0() / 3 + 1),
        Level::Month => format!("{}-{:02}", on.year(), on.month()),
    }
}

/// The months (1–12) a line's period covers: `2027` all, `2027-Q2` 4–6, `2027-05` 5.
pub fn months_of(period: &str) -> Vec<u32> {
    match period.split_once('-') {
        None => (1..=12).collect(),
        Some((_, q)) if q.starts_with('Q') => match q[1..].parse::<u32>() {
            Ok(n @ 1..=4) => (n * 3 - 2..=n * 3).collect(),
            _ => Vec::new(),
        },
        Some((_, m)) => match m.parse::<u32>() {
            Ok(n @ 1..=12) => vec![n],
            _ => Vec::new(),
        },
    }
}

/// What a line allocates to `months` (a yearly line counts 1/12 per month, a quarterly one 1/3;
/// the minor units that do not divide go one each to the first months of the line's span).
pub fn allocated_in(lines: &[(String, i64)], months: &[u32]) -> i64 {
    let mut sum = 0i64;
    for (period, amount) in lines {
        let span = months_of(period);
        if span.is_empty() {
            continue;
        }
        let n = span.len() as i64;
        let (share, rest) = (amount / n, amount % n);
        for (i, m) in span.iter().enumerate() {
            if months.contains(m) {
                sum += share + i64::from((i as i64) < rest);
            }
        }
    }
    sum
}

/// One period a check compared against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub level: Level,
    /// `2027`, `2027-Q1`, `2027-03`.
    pub period: String,
    pub control: Control,
    pub allocated: i64,
    /// What documents hold against it before this one.
    pub used: i64,
    /// What this document adds.
    pub adds: i64,
}

impl Compared {
    pub fn available(&self) -> i64 {
        self.allocated - self.used
    }

    pub fn after(&self) -> i64 {
        self.available() - self.adds
    }

    /// Whether this document takes the period past its allocation.
    pub fn overruns(&self) -> bool {
        self.adds > 0 && self.after() < 0
    }
}

/// What `budget.control` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Within every checked period (or nothing checked).
    Pass,
    /// Over where the control warns: goes ahead once acknowledged.
    Warn(Vec<Compared>),
    /// Over where the control stops: refused.
    Stop(Compared),
}

/// The periods a document charged on `on` is compared against at `stage`: each level whose
/// control is not off, with its allocation (`lines`: the line's periods and amounts) and what
/// the documents charged to it hold (`used_by_month[m-1]`).
pub fn compare(
    settings: &Settings,
    stage: Stage,
    on: NaiveDate,
    lines: &[(String, i64)],
    used_by_month: &[i64; 12],
    adds: i64,
) -> Vec<Compared> {
    let mut out = Vec::new();
    for level in [Level::Year, Level::Quarter, Level::Month] {
        let control = settings.control(level, stage);
        if control == Control::Off {
            continue;
        }
        let period = period_of(level, on);
        let months = months_of(&period);
        let used = months.iter().map(|m| used_by_month[*m as usize - 1]).sum();
        out.push(Compared {
            level,
            allocated: allocated_in(lines, &months),
            period,
            control,
            used,
            adds,
        });
    }
    out
}

/// The verdict over compared periods: the first stop that overruns, else every warning that
/// does, else pass.
pub fn verdict(compared: &[Compared]) -> Verdict {
    if let Some(c) = compared
        .iter()
        .find(|c| c.control == Control::Stop && c.overruns())
    {
        return Verdict::Stop(c.clone());
    }
    let warns: Vec<Compared> = compared
        .iter()
        .filter(|c| c.control == Control::Warn && c.overruns())
        .cloned()
        .collect();
    if warns.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Warn(warns)
    }
}

/// The alert levels (percent of `allocated`) that `used` has reached.
pub fn reached(percents: &[u32], allocated: i64, used: i64) -> Vec<u32> {
    if allocated <= 0 {
        return Vec::new();
    }
    percents
        .iter()
        .copied()
        .filter(|p| used >= allocated.saturating_mul(i64::from(*p)) / 100)
        .collect()
}

#[cfg(test)]
mod tests;
