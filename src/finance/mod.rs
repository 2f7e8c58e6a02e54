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

/// The job kinds finance schedules: round reminders and escalations, the monthly summary.
pub fn jobs() -> Vec<JobHandler> {
    [budgets::jobs(), report::jobs()].concat()
}
