//! Reading expense claims: who may, a claim's whole story, and lists.

use super::domain::ExpenseStatus;
use super::service::{load, not_found};
use super::store::{self as rows, Claim};
use crate::approval::delegations::store::delegators_of;
use crate::approval::service::{self as approvals, Progress};
use crate::approval::story::{self, RoundStory};
use crate::domain::directory::{Directory, Employee};
use crate::domain::reference::Reference;
use crate::domain::Msg;
use crate::service::{Desk, DeskResult};
use crate::store::{self, Conn};

/// Whether `actor` may read claim `c`: its claimant, anyone with a task on it (or standing in
/// today for someone who has one), its department's head, and finance, auditors and the
/// central office (`access::expenses::may_read`).
pub async fn may_read(
    conn: &mut Conn,
    desk: &Desk,
    actor: &Employee,
    c: &Claim,
) -> DeskResult<bool> {
    if crate::access::expenses::may_read(actor, c.claimant_id, false, false) {
        return Ok(true);
    }
    let dir = store::directory::load(&mut *conn).await?;
    let head = dir
        .head_of(&c.department_code)
        .is_some_and(|h| h.id == actor.id);
    let from = delegators_of(&mut *conn, actor.id, desk.today()).await?;
    let involved = story::rounds(&mut *conn, &super::subject::SUBJECT, c.id)
        .await?
        .iter()
        .any(|r| r.involves(actor.id, &from));
    Ok(crate::access::expenses::may_read(
        actor,
        c.claimant_id,
        involved,
        head,
    ))
}

/// A claim's whole story: its fields and every round with its stages and decisions.
#[derive(Debug, Clone)]
pub struct Story {
    pub claim: Claim,
    /// The directory as of reading, to name everyone in the story.
    pub dir: Directory,
    pub claimant: Employee,
    pub rounds: Vec<RoundStory>,
    /// Where its latest round stands.
    pub progress: Option<Progress>,
}

/// The story of a claim, for `/expense show` (and the web page of its reference); reads as
/// "not found" to those who may not read it.
pub async fn show(desk: &Desk, actor: &Employee, reference: Reference) -> DeskResult<Story> {
    crate::access::require(actor, "expense.show")?;
    let mut conn = desk.store.pool().acquire().await?;
    let claim = load(&mut conn, reference).await?;
    if !may_read(&mut conn, desk, actor, &claim).await? {
        // Exactly like a claim that does not exist: numbers cannot be probed.
        return Err(not_found(reference).into());
    }
    let dir = store::directory::load(&mut conn).await?;
    let rounds = story::rounds(&mut conn, &super::subject::SUBJECT, claim.id).await?;
    let progress = approvals::standing(&mut conn, &super::subject::SUBJECT, claim.id, &dir).await?;
    let claimant = dir
        .by_id(claim.claimant_id)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("claimant {} missing from directory", claim.claimant_id))?;
    Ok(Story {
        claim,
        dir,
        claimant,
        rounds,
        progress,
    })
}

/// The actor's own claims, or everyone's for finance, auditors and the central office;
/// newest first, at most 50, optionally of one status; each pending one with where its
/// round stands.
pub async fn list(
    desk: &Desk,
    actor: &Employee,
    status: Option<&str>,
) -> DeskResult<(Vec<(Claim, Option<Progress>)>, bool)> {
    crate::access::require(actor, "expense.list")?;
    let status = status
        .map(|s| {
            ExpenseStatus::parse(s).ok_or_else(|| {
                let all: Vec<&str> = ExpenseStatus::ALL.iter().map(|s| s.as_str()).collect();
                Msg::new("expense.bad_status")
                    .arg("value", s)
                    .arg("statuses", all.join(", "))
            })
        })
        .transpose()?;
    let everyone = crate::access::expenses::may_read_all(actor);
    let mut conn = desk.store.pool().acquire().await?;
    let dir = store::directory::load(&mut conn).await?;
    let claimant = (!everyone).then_some(actor.id);
    let mut out = Vec::new();
    for c in rows::list(&mut conn, claimant, status, 50).await? {
        let progress = if c.status == ExpenseStatus::Pending {
            approvals::standing(&mut conn, &super::subject::SUBJECT, c.id, &dir).await?
        } else {
            None
        };
        out.push((c, progress));
    }
    Ok((out, everyone))
}
