//! `/requisition`: new, resubmit, show, list, withdraw.

use crate::approval::domain::ApprovalStatus;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::procurement::requisitions::domain::RequisitionInput;
use crate::procurement::requisitions::service as requisitions;
use crate::service::DeskError;
use serde_json::json;

/// The requisition actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("requisition.new", |c, a, i, l| {
            Box::pin(c.requisition_submit(a, i, l))
        }),
        Handler::new("requisition.resubmit", |c, a, i, l| {
            Box::pin(c.requisition_submit(a, i, l))
        }),
        Handler::new("requisition.show", |c, a, i, l| {
            Box::pin(c.requisition_show(a, i, l))
        }),
        Handler::new("requisition.list", |c, a, i, l| {
            Box::pin(c.requisition_list(a, i, l))
        }),
        Handler::new("requisition.withdraw", |c, a, i, l| {
            Box::pin(c.requisition_withdraw(a, i, l))
        }),
    ]
}

impl Chat {
    /// `/requisition new` and `/requisition resubmit`.
    async fn requisition_submit(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let resubmitted = inv.action == "requisition.resubmit";
        let out = if resubmitted {
            let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
            requisitions::resubmit(desk, actor, reference, requisition_input(inv)).await?
        } else {
            requisitions::submit(desk, actor, requisition_input(inv)).await?
        };
        let mut reply = self.render(
            locale,
            "reply/submitted.txt",
            json!({
                "ref": out.reference.to_string(), "total": out.total, "round": out.round,
                "progress": views::progress(&out.progress, locale), "resubmitted": resubmitted,
                "budget": out.budget.as_ref().map(|m| self.renderer.msg(locale, m)),
            }),
        )?;
        reply.reference = Some(out.reference);
        Ok(reply)
    }

    /// `/requisition show`.
    async fn requisition_show(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
        let story = requisitions::show(&self.desk, actor, reference).await?;
        self.render(locale, "reply/show.txt", views::story(&story, locale))
    }

    /// `/requisition list`.
    async fn requisition_list(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let status = inv.str("status").and_then(ApprovalStatus::parse);
        let rows = requisitions::list(&self.desk, actor, status).await?;
        let rows: Vec<views::ListRow> = rows
            .iter()
            .map(|(r, s)| views::ListRow::new(r, s.as_ref(), locale))
            .collect();
        self.render(
            locale,
            "reply/list.txt",
            json!({ "rows": rows, "status": status.map(|s| s.as_str()) }),
        )
    }

    /// `/requisition withdraw`.
    async fn requisition_withdraw(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
        let r = requisitions::withdraw(&self.desk, actor, reference).await?;
        self.render(
            locale,
            "reply/withdrawn.txt",
            json!({ "ref": r.to_string() }),
        )
    }
}

fn requisition_input(inv: &Invocation) -> RequisitionInput {
    RequisitionInput {
        item: inv.str("item").map(str::to_string),
        spec: inv.str("spec").map(str::to_string),
        quantity: inv.int("quantity"),
        unit_price: inv.money("unit_price"),
        needed_by: inv.date("needed_by"),
        reason: inv.str("reason").map(str::to_string),
        category: inv.str("category").map(str::to_string),
        ack: inv.bool("ack").unwrap_or(false),
    }
}
