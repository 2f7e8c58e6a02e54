//! The finance settings (`[budget]` in `bizdesk.toml`), checked at load: how budgets are
//! controlled at each stage and period, who hears when a line fills up, and when heads are
//! reminded to draft.

use crate::domain::words::words;
use serde::Deserialize;

words!(
    /// What a check does when a document would take a budget line past its allocation.
    Control {
        /// Refuse it, with the figures.
        Stop = "stop",
        /// Let it through once its author acknowledges (`ack:yes` or the button).
        Warn = "warn",
        /// Do not check.
        Off = "off",
    }
);

words!(
    /// Where in a document's life the budget is checked.
    Stage {
        /// A requisition submitted or resubmitted.
        Requisition = "requisition",
        /// A purchase order raised (only what it adds over its requisition).
        PurchaseOrder = "purchase_order",
        /// A supplier payment requested (only what it adds over its PO).
        Payment = "payment",
        /// An expense claim submitted.
        Expense = "expense",
    }
);

words!(
    /// The period a check compares against: the year's line, its quarter's or its month's
    /// share (a line phased more coarsely is spread evenly over the finer periods).
    Level {
        Year = "year",
        Quarter = "quarter",
        Month = "month",
    }
);

/// `[budget]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// A requisition without a category is charged to this category.
    pub default_category: String,
    /// A line's department head and finance hear once when what is used passes each of these
    /// percentages of its allocation.
    pub alert_percents: Vec<u32>,
    /// Days before a round's due date that heads who have not submitted are reminded.
    pub remind_days_before: u32,
    /// Per period level, per stage: stop, warn or off.
    pub control: ControlTable,
}

/// `[budget.control]`: one row per period level.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlTable {
    pub year: StageControls,
    pub quarter: StageControls,
    pub month: StageControls,
}

/// The control of each stage at one period level.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageControls {
    #[serde(deserialize_with = "de_control")]
    pub requisition: Control,
    #[serde(deserialize_with = "de_control")]
    pub purchase_order: Control,
    #[serde(deserialize_with = "de_control")]
    pub payment: Control,
    #[serde(deserialize_with = "de_control")]
    pub expense: Control,
}

fn de_control<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Control, D::Error> {
    let s = String::deserialize(d)?;
    Control::parse(&s).ok_or_else(|| {
        serde::de::Error::custom(format!("`{s}` is not a control: write stop, warn or off"))
    })
}

impl StageControls {
    /// The control of `stage`.
    pub fn of(&self, stage: Stage) -> Control {
        match stage {
            Stage::Requisition => self.requisition,
            Stage::PurchaseOrder => self.purchase_order,
            Stage::Payment => self.payment,
            Stage::Expense => self.expense,
        }
    }
}

impl Settings {
    /// The control of `stage` at period `level`.
    pub fn control(&self, level: Level, stage: Stage) -> Control {
        match level {
            Level::Year => self.control.year.of(stage),
            Level::Quarter => self.control.quarter.of(stage),
            Level::Month => self.control.month.of(stage),
        }
    }

    /// Every problem of these settings, each as (key, what to do); empty when usable.
    /// `categories` are the requisition categories (budget lines use the same list).
    pub fn problems(&self, categories: &[String]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !categories.is_empty() && !categories.contains(&self.default_category) {
            out.push((
                "budget.default_category".into(),
                format!(
                    "`{}` is not a requisition category: write one of {}",
                    self.default_category,
                    categories.join(", ")
                ),
            ));
        }
        if self.alert_percents.iter().any(|p| *p == 0 || *p > 1000) {
            out.push((
                "budget.alert_percents".into(),
                "percentages from 1 to 1000, e.g. [80, 100]".into(),
            ));
        }
        if self.remind_days_before > 60 {
            out.push(("budget.remind_days_before".into(), "at most 60 days".into()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        let c: crate::config::Config = toml::from_str(crate::config::DEFAULTS).unwrap();
        c.budget
    }

    #[test]
    fn the_defaults_stop_the_year_and_warn_the_month() {
        let s = defaults();
        let cats: Vec<String> = ["it", "other"].map(String::from).to_vec();
        assert!(s.problems(&cats).is_empty(), "{:?}", s.problems(&cats));
        for stage in [
            Stage::Requisition,
            Stage::PurchaseOrder,
            Stage::Payment,
            Stage::Expense,
        ] {
            assert_eq!(s.control(Level::Year, stage), Control::Stop);
            assert_eq!(s.control(Level::Quarter, stage), Control::Off);
            assert_eq!(s.control(Level::Month, stage), Control::Warn);
        }
    }

    #[test]
    fn bad_settings_name_their_keys() {
        let mut s = defaults();
        s.default_category = "toys".into();
        s.alert_percents = vec![0];
        s.remind_days_before = 99;
        let keys: Vec<String> = s
            .problems(&["it".to_string()])
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "budget.default_category",
                "budget.alert_percents",
                "budget.remind_days_before"
            ]
        );
    }

    #[test]
    fn a_bad_control_word_is_refused_at_load() {
        let text = crate::config::DEFAULTS.replace(
            "year = { requisition = \"stop\"",
            "year = { requisition = \"halt\"",
        );
        let e = toml::from_str::<crate::config::Config>(&text).unwrap_err();
        assert!(e.to_string().contains("write stop, warn or off"), "{e}");
    }
}
