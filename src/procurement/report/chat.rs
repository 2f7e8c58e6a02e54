//! `/report procurement`: the handler (no business rules here).

use crate::chat::actions::{Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::DeskError;

/// The procurement report's action and its handler.
pub fn actions() -> Vec<Handler> {
    vec![Handler::new(super::service::ACTION, |c, a, i, l| {
        Box::pin(c.report_procurement(a, i, l))
    })]
}

impl Chat {
    async fn report_procurement(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let days = crate::service::reports::period_days(inv.str("period"))?;
        let report = super::service::report(&self.desk, actor, days).await?;
        self.render(locale, "reply/report_procurement.txt", report)
    }
}
