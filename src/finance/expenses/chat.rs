//! `/expense` (claim, show, list, withdraw), and the reply to `/payment paid` of a claim.

use super::domain::{ClaimInput, ExpenseStatus};
use super::read::{self, Story};
use super::service::{self as expenses, Claimed, Paid};
use super::store::Claim;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::{Directory, Employee};
use crate::domain::Locale;
use crate::service::DeskError;
use serde_json::{json, Value};

/// The `/expense` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("expense.claim", |c, a, i, l| {
            Box::pin(c.expense_claim(a, i, l))
        }),
        Handler::new("expense.show", |c, a, i, l| {
            Box::pin(c.expense_show(a, i, l))
        }),
        Handler::new("expense.list", |c, a, i, l| {
            Box::pin(c.expense_list(a, i, l))
        }),
        Handler::new("expense.withdraw", |c, a, i, l| {
            Box::pin(c.expense_withdraw(a, i, l))
        }),
    ]
}

/// The fields every reply about a claim shows.
fn claim_view(c: &Claim, dir: &Directory, locale: Locale) -> Value {
    json!({
        "ref": c.reference().to_string(), "status": c.status.as_str(),
        "claimant": dir.by_id(c.claimant_id).map(|e| e.name.clone()),
        "department": dir.department(&c.department_code)
            .map(|d| d.display_name(locale).to_string())
            .unwrap_or_else(|| c.department_code.clone()),
        "category": c.category, "amount": c.money(c.amount_minor), "description": c.description,
        "spent_on": c.spent_on, "document": c.document_url,
        "paid": (c.paid_minor > 0).then(|| c.money(c.paid_minor)), "paid_on": c.paid_on,
        "unpaid": (c.status == ExpenseStatus::Approved && c.paid_minor > 0)
            .then(|| c.money(c.unpaid())),
        "created_ms": c.created_at, "updated_ms": c.updated_at,
    })
}

/// A claim's rounds, stages and decisions, for `/expense show`.
fn story_view(s: &Story, locale: Locale) -> Value {
    let dir = &s.dir;
    let rounds = views::rounds(&s.rounds, dir, locale);
    let mut v = claim_view(&s.claim, dir, locale);
    v["rounds"] = json!(rounds);
    v["progress"] = s
        .progress
        .as_ref()
        .map(|p| views::progress(p, locale))
        .unwrap_or(Value::Null);
    v
}

impl Chat {
    /// `/expense claim`.
    async fn expense_claim(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let input = ClaimInput {
            category: inv.str("category").map(str::to_string),
            amount: inv.money("amount"),
            description: inv.str("description").map(str::to_string),
            date: inv.date("date"),
            attachment: inv.str("attachment").map(str::to_string),
        };
        let ack = inv.bool("ack").unwrap_or(false);
        let Claimed {
            claim,
            progress,
            checked,
        } = expenses::claim(&self.desk, actor, input, ack).await?;
        let dir = crate::service::directory::snapshot(&self.desk).await?;
        let mut ctx = claim_view(&claim, &dir, locale);
        ctx["progress"] = views::progress(&progress, locale);
        ctx["budget"] = json!(crate::finance::ledger::position_msg(&self.desk, &checked)
            .map(|m| self.renderer.msg(locale, &m)));
        let acknowledged: Vec<&str> = checked
            .acknowledged
            .iter()
            .map(|c| c.period.as_str())
            .collect();
        ctx["acknowledged"] = json!(acknowledged.join(", "));
        ctx["year"] = json!(&claim.spent_on[..4]);
        let mut reply = self.render(locale, "reply/expense_claimed.txt", ctx)?;
        reply.reference = Some(claim.reference());
        Ok(reply)
    }

    /// `/expense show`.
    async fn expense_show(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
        let story = read::show(&self.desk, actor, reference).await?;
        let mut reply = self.render(locale, "reply/expense.txt", story_view(&story, locale))?;
        reply.reference = Some(reference);
        Ok(reply)
    }

    /// `/expense list`.
    async fn expense_list(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let status = inv.str("status");
        let (rows, everyone) = read::list(&self.desk, actor, status).await?;
        let dir = crate::service::directory::snapshot(&self.desk).await?;
        let rows: Vec<Value> = rows
            .iter()
            .map(|(c, p)| {
                let mut v = claim_view(c, &dir, locale);
                v["progress"] = p
                    .as_ref()
                    .map(|p| views::progress(p, locale))
                    .unwrap_or(Value::Null);
                v
            })
            .collect();
        self.render(
            locale,
            "reply/expense_list.txt",
            json!({ "rows": rows, "status": status, "everyone": everyone }),
        )
    }

    /// `/expense withdraw`.
    async fn expense_withdraw(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let reference = inv.reference("ref").ok_or_else(|| missing("ref"))?;
        let r = expenses::withdraw(&self.desk, actor, reference).await?;
        let mut reply = self.render(
            locale,
            "reply/expense_withdrawn.txt",
            json!({ "ref": r.to_string() }),
        )?;
        reply.reference = Some(r);
        Ok(reply)
    }

    /// The reply to `/payment paid` of a claim.
    pub(crate) async fn expense_paid_reply(
        &self,
        paid: &Paid,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let dir = crate::service::directory::snapshot(&self.desk).await?;
        let c = &paid.claim;
        let mut ctx = claim_view(c, &dir, locale);
        ctx["paid_now"] = json!(c.money(paid.now_minor));
        ctx["paid"] = json!(c.money(c.paid_minor));
        ctx["unpaid"] = json!(c.money(c.unpaid()));
        let mut reply = self.render(locale, "reply/expense_paid.txt", ctx)?;
        reply.reference = Some(c.reference());
        Ok(reply)
    }
}
