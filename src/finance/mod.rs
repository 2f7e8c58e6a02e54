//! Finance (财务): department budgets drafted in rounds, consolidated by finance and approved by
//! management (`budgets`); one ledger of what documents hold against each line, checked at
//! every stage (`ledger`); expense claims (`expenses`); budget-versus-actual analysis, the
//! monthly finance summary and the exports for the accounting system (`report`).

pub mod budgets;
pub mod expenses;
pub mod ledger;
pub mod panels;
pub mod report;
pub mod settings;

pub use settings::Settings;

use crate::scheduler::handlers::JobHandler;
use crate::service::Desk;

/// An amount in the company's currency, formatted like every other (`36,000.00 CNY`).
pub fn company_money(desk: &Desk, minor: i64) -> String {
    crate::domain::money::Money::new(minor, desk.company.currency).to_string()
}

/// The job kinds finance schedules: round reminders and escalations, the monthly summary.
pub fn jobs() -> Vec<JobHandler> {
    [budgets::jobs(), report::jobs()].concat()
}
