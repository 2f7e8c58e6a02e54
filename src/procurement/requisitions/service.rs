//! Requisitions: submit, show, list, withdraw, resubmit.

use crate::approval::domain::ApprovalStatus;
use crate::approval::policy::SubjectFacts;
use crate::approval::service::{self as approvals, Progress, RoundSpec};
use crate::approval::store as rows;
use crate::approval::story;
use crate::approval::subject::Subject;
use crate::domain::directory::{Directory, Employee};
use crate::domain::reference::{RefKind, Reference};
use crate::domain::Msg;
use crate::finance::ledger::{self, Charge, Checked, Doc};
use crate::finance::settings::Stage;
use crate::procurement::requisitions::domain::{
    RequisitionDraft, RequisitionInput, RequisitionRules,
};
use crate::procurement::requisitions::store::{self as reqs, Requisition};
use crate::service::{audit_event, notify, Desk, DeskResult};
use crate::store::{self, audit, Conn};
use chrono::NaiveDate;

/// The subject kind name used by policies and approval rows.
pub const KIND: &str = "requisition";

fn rules(desk: &Desk) -> RequisitionRules {
    RequisitionRules {
        categories: desk.company.categories.clone(),
        today: desk.today(),
    }
}

/// The reply to a submission or resubmission.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub reference: Reference,
    pub total: String,
    pub round: i64,
    pub progress: Progress,
    /// Where its budget line stands before and after it (`None`: no budget in force).
    pub budget: Option<Msg>,
}

/// Submits a new requisition and starts its approval.
pub async fn submit(
    desk: &Desk,
    actor: &Employee,
    input: RequisitionInput,
) -> DeskResult<Submitted> {
    let ack = input.ack;
    let draft = RequisitionDraft::build(input, &rules(desk))?;
    let now = desk.now();
    let mut tx = desk.begin().await?;
    let dir = store::directory::load(&mut tx).await?;
    let on = desk.today();
    let checked = budget_check(&mut tx, desk, &actor.department, &draft, on, ack).await?;
    let id = reqs::insert(
        &mut tx,
        actor.id,
        &actor.department,
        &draft,
        store::to_ms(now),
    )
    .await?;
    let out = open_round(
        &mut tx,
        desk,
        actor,
        &dir,
        (id, &actor.department, 1),
        &draft,
        &checked,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Checks a requisition's total against its department's budget line (`budget.control` at
/// the requisition stage), charged on `on`; nothing is checked for another currency.
async fn budget_check(
    conn: &mut Conn,
    desk: &Desk,
    department: &str,
    draft: &RequisitionDraft,
    on: NaiveDate,
    ack: bool,
) -> DeskResult<Checked> {
    if draft.total.currency != desk.company.currency {
        return Ok(Checked::default());
    }
    let charge = Charge {
        stage: Stage::Requisition,
        department,
        category: draft.category.as_deref(),
        on,
        adds: draft.total.minor,
        ack,
    };
    ledger::check(conn, desk, &charge).await
}

/// Loads a requisition or says it does not exist.
async fn load(conn: &mut Conn, reference: Reference) -> DeskResult<Requisition> {
    if reference.kind != RefKind::Requisition {
        return Err(Msg::new("reference.wrong_kind")
            .arg("input", reference)
            .arg("expected", RefKind::Requisition.example())
            .into());
    }
    reqs::get(conn, reference.number).await?.ok_or_else(|| {
        Msg::new("requisition.not_found")
            .arg("ref", reference)
            .into()
    })
}

/// The refusal for someone who is not the requester: "only the requester" to those who may
/// read it (by role or as the department's head), and "not found" to everyone else, so the
/// refusal tells nobody else that the reference exists.
async fn not_requester(
    conn: &mut Conn,
    actor: &Employee,
    r: &Requisition,
    reference: Reference,
) -> DeskResult<Msg> {
    let dir = store::directory::load(&mut *conn).await?;
    let head = dir.head_of(&r.department).is_some_and(|h| h.id == actor.id);
    let key = if crate::access::requisitions::may_read(actor, r.requester, false, head) {
        "requisition.only_requester"
    } else {
        "requisition.not_found"
    };
    Ok(Msg::new(key).arg("ref", reference))
}

/// Withdraws a pending (or returned) requisition; only its requester may.
pub async fn withdraw(
    desk: &Desk,
    actor: &Employee,
    reference: Reference,
) -> DeskResult<Reference> {
    let now = desk.now();
    let now_ms = store::to_ms(now);
    let mut tx = desk.begin().await?;
    let r = load(&mut tx, reference).await?;
    if r.requester != actor.id {
        return Err(not_requester(&mut tx, actor, &r, reference).await?.into());
    }
    match r.status {
        ApprovalStatus::Pending => {
            let kind = super::subject::SUBJECT.kind();
            if !story::withdraw(&mut tx, kind, r.id, &actor.name, now_ms).await? {
                return Err(not_withdrawable(&mut tx, reference).await?.into());
            }
        }
        ApprovalStatus::ChangesRequested => {}
        s => {
            return Err(Msg::new("requisition.not_withdrawable")
                .arg("ref", reference)
                .arg("status", s.as_str())
                .into());
        }
    }
    // Only if nothing changed since we read it (a resubmission racing this on PostgreSQL).
    if !reqs::withdraw_if(&mut tx, r.id, r.status, r.round, now_ms).await? {
        return Err(not_withdrawable(&mut tx, reference).await?.into());
    }
    ledger::sync(&mut tx, desk, Doc::Requisition(r.id), now_ms).await?;
    audit::append(
        &mut tx,
        &desk.keys.audit,
        audit_event(
            now,
            &actor.handle,
            None,
            "requisition.withdraw",
            &reference.to_string(),
            format!("withdrawn in round {}", r.round),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(reference)
}

/// "Cannot withdraw", with the status as it is now (not as first read).
async fn not_withdrawable(conn: &mut Conn, reference: Reference) -> DeskResult<Msg> {
    let status = reqs::get(conn, reference.number).await?.map(|r| r.status);
    Ok(Msg::new("requisition.not_withdrawable")
        .arg("ref", reference)
        .arg("status", status.unwrap_or(ApprovalStatus::Pending).as_str()))
}

/// Resubmits a requisition that was returned for changes, with field changes, as a new round.
pub async fn resubmit(
    desk: &Desk,
    actor: &Employee,
    reference: Reference,
    changes: RequisitionInput,
) -> DeskResult<Submitted> {
    let now = desk.now();
    let mut tx = desk.begin().await?;
    let r = load(&mut tx, reference).await?;
    if r.requester != actor.id {
        return Err(not_requester(&mut tx, actor, &r, reference).await?.into());
    }
    if r.status != ApprovalStatus::ChangesRequested {
        return Err(Msg::new("requisition.not_resubmittable")
            .arg("ref", reference)
            .arg("status", r.status.as_str())
            .into());
    }
    let ack = changes.ack;
    let draft = r.draft.amended(changes, &rules(desk))?;
    let on = ledger::requisition_date(&mut tx, desk, r.id).await?;
    let checked = budget_check(&mut tx, desk, &r.department, &draft, on, ack).await?;
    if !reqs::resubmit(&mut tx, r.id, r.round, &draft, store::to_ms(now)).await? {
        return Err(Msg::new("requisition.not_resubmittable")
            .arg("ref", reference)
            .arg("status", "changed")
            .into());
    }
    let dir = store::directory::load(&mut tx).await?;
    let round = r.round + 1;
    let out = open_round(
        &mut tx,
        desk,
        actor,
        &dir,
        (r.id, &r.department, round),
        &draft,
        &checked,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Opens approval round `round` of requisition `id` of `department` and records the
/// submission in the audit trail, inside the caller's transaction; its budget position moves
/// to requested and its prompts show the line.
async fn open_round(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    dir: &Directory,
    (id, department, round): (i64, &str, i64),
    draft: &RequisitionDraft,
    checked: &Checked,
) -> DeskResult<Submitted> {
    let reference = Reference {
        kind: RefKind::Requisition,
        number: id,
    };
    let spec = RoundSpec {
        subject: &super::subject::SUBJECT,
        subject_id: id,
        reference,
        round,
        facts: SubjectFacts {
            requester: actor.id,
            department: department.to_string(),
            amount_minor: draft.total.minor,
            category: draft.category.clone(),
        },
        summary: {
            let mut s = super::subject::summary(draft);
            s.facts.extend(ledger::position_facts(desk, checked));
            s
        },
    };
    // The receipt comes first, so every later email about it threads under it.
    let receipt = notify::received(
        actor.id,
        &reference.to_string(),
        round,
        &approvals::shown(spec.subject, &spec.summary),
    );
    notify::email_copy(&mut *conn, &receipt, store::to_ms(desk.now())).await?;
    let progress = approvals::open_round(&mut *conn, desk, &spec, actor, dir).await?;
    let (action, summary) = match round {
        1 => (
            "requisition.submit",
            format!("{} × {} = {}", draft.item, draft.quantity, draft.total),
        ),
        n => (
            "requisition.resubmit",
            format!(
                "round {n}: {} × {} = {}",
                draft.item, draft.quantity, draft.total
            ),
        ),
    };
    let event = audit_event(
        desk.now(),
        &actor.handle,
        None,
        action,
        &reference.to_string(),
        summary,
    );
    // The ledger moves before the audit append: the audit chain's head is locked from the
    // append to the commit (one writer at a time on PostgreSQL), so nothing else goes after it.
    let now_ms = store::to_ms(desk.now());
    ledger::sync(&mut *conn, desk, Doc::Requisition(id), now_ms).await?;
    audit::append(&mut *conn, &desk.keys.audit, event).await?;
    ledger::acknowledge(conn, desk, actor, &reference.to_string(), checked).await?;
    Ok(Submitted {
        reference,
        total: draft.total.to_string(),
        round,
        progress,
        budget: ledger::position_msg(desk, checked),
    })
}

/// A requisition's whole story: its fields and every round with its stages and decisions.
#[derive(Debug, Clone)]
pub struct Story {
    pub requisition: Requisition,
    /// The directory as of reading, to name everyone in the story.
    pub dir: Directory,
    /// Notifications about it that could not be delivered: (recipient's name, reason).
    pub undelivered: Vec<(String, String)>,
    pub requester: Employee,
    pub rounds: Vec<RoundStory>,
}

pub use crate::approval::story::RoundStory;

/// The full story of a requisition, for `/requisition show`.
pub async fn show(desk: &Desk, actor: &Employee, reference: Reference) -> DeskResult<Story> {
    let mut conn = desk.store.pool().acquire().await?;
    let r = load(&mut conn, reference).await?;
    let dir = store::directory::load(&mut conn).await?;
    let rounds = story::rounds(&mut conn, &super::subject::SUBJECT, r.id).await?;
    let head = dir.head_of(&r.department).is_some_and(|h| h.id == actor.id);
    let from =
        crate::approval::delegations::store::delegators_of(&mut conn, actor.id, desk.today())
            .await?;
    let involved = rounds.iter().any(|rs| rs.involves(actor.id, &from));
    if !crate::access::requisitions::may_read(actor, r.requester, involved, head) {
        // Reads exactly like a requisition that does not exist: numbers cannot be probed.
        return Err(Msg::new("requisition.not_found")
            .arg("ref", reference)
            .into());
    }
    let requester = dir
        .by_id(r.requester)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("requester {} missing from directory", r.requester))?;
    let undelivered = crate::store::outbox::undelivered(&mut conn, &reference.to_string())
        .await?
        .into_iter()
        .map(|(who, why)| {
            let name = who
                .and_then(|id| dir.by_id(id))
                .map(|e| e.name.clone())
                .unwrap_or_default();
            (name, why.unwrap_or_default())
        })
        .collect();
    Ok(Story {
        undelivered,
        dir,
        requisition: r,
        requester,
        rounds,
    })
}

/// The actor's own requisitions, newest first, each pending one with its current stage
/// (English and Chinese names).
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    status: Option<ApprovalStatus>,
) -> DeskResult<Vec<(Requisition, Option<(String, String)>)>> {
    let mut conn = desk.store.pool().acquire().await?;
    let mut out = Vec::new();
    for r in reqs::list_for(&mut conn, actor.id, status, 50).await? {
        let mut stage = None;
        if r.status == ApprovalStatus::Pending {
            if let Some(a) = rows::latest_for(&mut conn, KIND, r.id).await? {
                let stages = rows::stages(&mut conn, a.id).await?;
                stage = stages
                    .into_iter()
                    .find(|s| Some(s.idx) == a.current_stage)
                    .map(|s| (s.name, s.name_zh));
            }
        }
        out.push((r, stage));
    }
    Ok(out)
}
