//! `/budget` (round, draft, show, submit, consolidate, return, revise, status).

use super::consolidate::{consolidate, Consolidation};
use super::drafts::{self, DraftInput, DraftView};
use super::read::{self, BudgetStory, DepartmentBudget, Status};
use super::revise::{revise, RevisionInput};
use super::rounds::{open, Opened};
use super::service::{department_facts, money, reference};
use crate::approval::service::Progress;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::{Directory, Employee};
use crate::domain::Locale;
use crate::finance::budgets::store::Budget;
use crate::finance::ledger::Figures;
use crate::service::{directory, DeskError};
use serde_json::{json, Value};

/// The `/budget` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("budget.round", |c, a, i, l| {
            Box::pin(c.budget_round(a, i, l))
        }),
        Handler::new("budget.draft", |c, a, i, l| {
            Box::pin(c.budget_draft(a, i, l))
        }),
        Handler::new("budget.submit", |c, a, i, l| {
            Box::pin(c.budget_draft(a, i, l))
        }),
        Handler::new("budget.return", |c, a, i, l| {
            Box::pin(c.budget_draft(a, i, l))
        }),
        Handler::new("budget.show", |c, a, i, l| Box::pin(c.budget_show(a, i, l))),
        Handler::new("budget.consolidate", |c, a, i, l| {
            Box::pin(c.budget_consolidate(a, i, l))
        }),
        Handler::new("budget.revise", |c, a, i, l| {
            Box::pin(c.budget_revise(a, i, l))
        }),
        Handler::new("budget.status", |c, a, i, l| {
            Box::pin(c.budget_status(a, i, l))
        }),
    ]
}

impl Chat {
    /// `/budget round open`.
    async fn budget_round(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let year = inv.int("year").ok_or_else(|| missing("year"))?;
        let due = inv.date("due").ok_or_else(|| missing("due"))?;
        let o: Opened = open(&self.desk, actor, year, due, inv.str("period")).await?;
        let dir = directory::snapshot(&self.desk).await?;
        let names = |codes: &[String]| -> Vec<String> {
            codes.iter().map(|c| dept_name(&dir, c, locale)).collect()
        };
        self.render(
            locale,
            "reply/budget_round.txt",
            json!({
                "year": o.round.year, "period": o.round.period.as_str(), "due": o.round.due_on,
                "moved_from": o.moved_from, "asked": names(&o.asked), "headless": names(&o.headless),
                "remind_on": o.remind_on.map(|d| d.to_string()),
            }),
        )
    }

    /// `/budget draft`, `/budget submit` and `/budget return`: the department's draft after.
    async fn budget_draft(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let dept = inv.str("department").ok_or_else(|| missing("department"))?;
        let (event, v) = match inv.action.as_str() {
            "budget.draft" => {
                let input = DraftInput {
                    department: dept,
                    category: inv.str("category").ok_or_else(|| missing("category"))?,
                    amount: inv.money("amount").ok_or_else(|| missing("amount"))?,
                    period: inv.str("period"),
                    note: inv.str("note"),
                };
                ("drafted", drafts::draft(desk, actor, input).await?)
            }
            "budget.submit" => ("submitted", drafts::submit(desk, actor, dept).await?),
            _ => {
                let comment = inv.str("comment").ok_or_else(|| missing("comment"))?;
                let v = drafts::return_draft(desk, actor, dept, comment, inv.int("year")).await?;
                ("returned", v)
            }
        };
        let dir = directory::snapshot(desk).await?;
        let mut ctx = draft_view(&v, &dir, &self.currency());
        ctx["event"] = json!(event);
        self.render(locale, "reply/budget_draft.txt", ctx)
    }

    /// `/budget show`: a department's lines, or one `BUD-` approval.
    async fn budget_show(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        if let Some(r) = inv.reference("ref") {
            let s = read::story(desk, actor, r).await?;
            let mut reply = self.render(
                locale,
                "reply/budget_approval.txt",
                story_view(&s, "show", None, locale),
            )?;
            reply.reference = Some(r);
            return Ok(reply);
        }
        let b =
            read::department_budget(desk, actor, inv.str("department"), inv.int("year")).await?;
        let dir = directory::snapshot(desk).await?;
        let ctx = budget_view(&b, &dir, &self.currency());
        self.render(locale, "reply/budget_show.txt", ctx)
    }

    /// `/budget consolidate`.
    async fn budget_consolidate(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let year = inv.int("year").ok_or_else(|| missing("year"))?;
        let submit = inv.bool("submit").unwrap_or(false);
        let c = consolidate(&self.desk, actor, year, submit).await?;
        let dir = directory::snapshot(&self.desk).await?;
        let mut reply = self.render(
            locale,
            "reply/budget_consolidate.txt",
            consolidation_view(&c, &dir, &self.currency(), locale),
        )?;
        reply.reference = c.submitted.as_ref().map(|(b, _)| reference(b.id));
        Ok(reply)
    }

    /// `/budget revise`.
    async fn budget_revise(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let input = RevisionInput {
            department: inv.str("department").ok_or_else(|| missing("department"))?,
            category: inv.str("category").ok_or_else(|| missing("category"))?,
            amount: inv.money("amount").ok_or_else(|| missing("amount"))?,
            reason: inv.str("reason").unwrap_or_default(),
            period: inv.str("period"),
            year: inv.int("year"),
        };
        let (budget, progress) = revise(desk, actor, input).await?;
        let r = reference(budget.id);
        let s = read::story(desk, actor, r).await?;
        let mut reply = self.render(
            locale,
            "reply/budget_approval.txt",
            story_view(&s, "revise", Some(&progress), locale),
        )?;
        reply.reference = Some(r);
        Ok(reply)
    }

    /// `/budget status`.
    async fn budget_status(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let s = read::status(
            &self.desk,
            actor,
            inv.str("department"),
            inv.str("category"),
            inv.int("year"),
        )
        .await?;
        let dir = directory::snapshot(&self.desk).await?;
        let ctx = status_view(&s, &dir, &self.currency(), locale);
        self.render(locale, "reply/budget_status.txt", ctx)
    }
}

impl Chat {
    fn currency(&self) -> String {
        self.desk.company.currency.to_string()
    }
}

fn dept_name(dir: &Directory, code: &str, locale: Locale) -> String {
    match dir.department(code) {
        Some(d) => format!("{} {}", d.code, d.display_name(locale)),
        None => code.to_string(),
    }
}

/// A department's draft for replies.
fn draft_view(v: &DraftView, dir: &Directory, currency: &str) -> Value {
    let lines: Vec<Value> = v
        .lines
        .iter()
        .map(|l| {
            json!({
                "category": l.category, "period": l.period,
                "amount": money(l.amount_minor, &l.currency), "note": l.note,
            })
        })
        .collect();
    let mut ctx = department_facts(dir, &v.department);
    ctx["year"] = json!(v.round.year);
    ctx["due"] = json!(v.round.due_on);
    ctx["round_status"] = json!(v.round.status.as_str());
    ctx["status"] = json!(v.draft.as_ref().map_or("none", |d| d.status.as_str()));
    ctx["comment"] = json!(v.draft.as_ref().map_or("", |d| d.comment.as_str()));
    ctx["lines"] = json!(lines);
    ctx["total"] = json!(money(v.total, currency));
    ctx
}

fn budget_view(b: &DepartmentBudget, dir: &Directory, currency: &str) -> Value {
    let mut ctx = draft_view(&b.draft, dir, currency);
    let changes: Vec<Value> = b
        .changes
        .iter()
        .map(|(c, line)| {
            json!({
                "ref": reference(c.budget_id).to_string(),
                "category": line.as_ref().map(|l| l.category.clone()).unwrap_or_default(),
                "period": line.as_ref().map(|l| l.period.clone()).unwrap_or_default(),
                "old": money(c.old_minor, currency), "new": money(c.new_minor, currency),
                "reason": c.reason, "at_ms": c.changed_at,
            })
        })
        .collect();
    ctx["changes"] = json!(changes);
    ctx
}

/// A `BUD-` approval with its story, for `/budget show ref:` and `/budget revise`.
fn story_view(s: &BudgetStory, event: &str, progress: Option<&Progress>, locale: Locale) -> Value {
    let b: &Budget = &s.budget;
    let dir = &s.dir;
    let name = |id: Option<i64>| id.and_then(|i| dir.by_id(i)).map(|e| e.name.clone());
    let rounds = views::rounds(&s.approvals, dir, locale);
    let departments: Vec<Value> = s
        .departments
        .iter()
        .map(|(code, total)| {
            json!({ "department": dept_name(dir, code, locale), "total": money(*total, &b.currency) })
        })
        .collect();
    let code = b.department_code.clone().unwrap_or_default();
    json!({
        "event": event, "ref": reference(b.id).to_string(), "kind": b.kind.as_str(),
        "status": b.status.as_str(), "year": s.round.year, "round_status": s.round.status.as_str(),
        "total": money(b.amount_minor, &b.currency), "requester": name(Some(b.requested_by)),
        "department": if code.is_empty() { String::new() } else { dept_name(dir, &code, locale) },
        "category": b.category, "period": b.period,
        "old": b.old_minor.map(|m| money(m, &b.currency)), "reason": b.reason,
        "created_ms": b.created_at, "departments": departments, "rounds": rounds,
        "progress": progress.map(|p| views::progress(p, locale)),
    })
}

fn consolidation_view(c: &Consolidation, dir: &Directory, currency: &str, locale: Locale) -> Value {
    let departments: Vec<Value> = c
        .departments
        .iter()
        .map(|d| {
            json!({
                "department": dept_name(dir, &d.department, locale), "status": d.status.as_str(),
                "comment": d.comment, "lines": d.lines, "total": money(d.total, currency),
                "last_year": money(d.last_year, currency),
            })
        })
        .collect();
    let categories: Vec<Value> = c
        .categories
        .iter()
        .map(|r| {
            json!({
                "category": r.category, "total": money(r.total, currency),
                "last_year": money(r.last_year, currency),
            })
        })
        .collect();
    json!({
        "year": c.round.year, "last": c.round.year - 1, "round_status": c.round.status.as_str(),
        "due": c.round.due_on, "departments": departments, "categories": categories,
        "total": money(c.total, currency), "last_year": money(c.last_year, currency),
        "ref": c.submitted.as_ref().map(|(b, _)| reference(b.id).to_string()),
        "progress": c.submitted.as_ref().map(|(_, p)| views::progress(p, locale)),
    })
}

fn figures_view(f: &Figures, currency: &str) -> Value {
    json!({
        "allocated": money(f.allocated, currency), "requested": money(f.requested, currency),
        "committed": money(f.committed, currency), "spent": money(f.spent, currency),
        "available": money(f.available(), currency), "over": f.available() < 0,
        "percent": f.percent_used(),
    })
}

fn status_view(s: &Status, dir: &Directory, currency: &str, locale: Locale) -> Value {
    let rows: Vec<Value> = s
        .rows
        .iter()
        .map(|(d, c, f)| {
            let mut v = figures_view(f, currency);
            v["department"] = json!(dept_name(dir, d, locale));
            v["category"] = json!(c);
            // Every department's rows name their department; one department's do not.
            v["label"] = json!(if s.department.is_none() {
                format!("{} · ", dept_name(dir, d, locale))
            } else {
                String::new()
            });
            v
        })
        .collect();
    json!({
        "year": s.year, "department": s.department.as_deref().map(|d| dept_name(dir, d, locale)),
        "category": s.category, "in_force": s.in_force, "rows": rows,
        "totals": figures_view(&s.totals, currency),
    })
}
