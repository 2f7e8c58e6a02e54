//! Template contexts: what each reply shows, flattened into plain serializable values.

use crate::approval::domain::{ApprovalStatus, StageStatus};
use crate::approval::inbox::InboxItem;
use crate::approval::service::Progress;
use crate::approval::story::RoundStory;
use crate::domain::directory::Directory;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::procurement::requisitions::service::Story;
use crate::procurement::requisitions::store::Requisition;
use serde::Serialize;
use serde_json::{json, Value};

/// Human age of something that started at `since_ms`, e.g. `2d 3h`, `45m`.
pub fn age(now_ms: i64, since_ms: i64, locale: Locale) -> String {
    let mins = ((now_ms - since_ms).max(0)) / 60_000;
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    let zh = locale == Locale::ZhCn;
    let unit = |n: i64, en: &str, cn: &str| {
        if zh {
            format!("{n}{cn}")
        } else {
            format!("{n}{en}")
        }
    };
    if d > 0 {
        format!(
            "{}{}{}",
            unit(d, "d", "天"),
            if zh { "" } else { " " },
            unit(h, "h", "小时")
        )
    } else if h > 0 {
        format!(
            "{}{}{}",
            unit(h, "h", "小时"),
            if zh { "" } else { " " },
            unit(m, "m", "分钟")
        )
    } else {
        unit(m, "m", "分钟")
    }
}

/// A stage name in a locale.
pub fn stage_name(en: &str, zh: &str, locale: Locale) -> String {
    if locale == Locale::ZhCn && !zh.is_empty() {
        zh.to_string()
    } else {
        en.to_string()
    }
}

/// The progress of a round, for replies.
pub fn progress(p: &Progress, locale: Locale) -> Value {
    match p {
        Progress::AtStage {
            stage,
            stage_zh,
            approvers,
        } => json!({
            "finished": false, "stage": stage_name(stage, stage_zh, locale), "approvers": approvers.join(", "),
            "status": "pending",
        }),
        Progress::Finished(s) => {
            json!({ "finished": true, "status": s.as_str(), "stage": "", "approvers": "" })
        }
    }
}

/// One row of `/requisition list`.
#[derive(Serialize)]
pub struct ListRow {
    pub r#ref: String,
    pub item: String,
    pub quantity: i64,
    pub total: String,
    pub status: String,
    /// The current stage of a pending one, in the reader's language.
    pub stage: Option<String>,
    pub created_ms: i64,
}

impl ListRow {
    pub fn new(r: &Requisition, stage: Option<&(String, String)>, locale: Locale) -> Self {
        ListRow {
            r#ref: r.reference.to_string(),
            item: r.draft.item.clone(),
            quantity: r.draft.quantity,
            total: r.draft.total.to_string(),
            status: r.status.as_str().to_string(),
            stage: stage.map(|(en, zh)| stage_name(en, zh, locale)),
            created_ms: r.created_at_ms,
        }
    }
}

/// One row of `/inbox`.
pub fn inbox_row(i: &InboxItem, now_ms: i64, locale: Locale) -> Value {
    json!({
        "ref": i.reference, "stage": stage_name(&i.stage, &i.stage_zh, locale), "requester": i.requester,
        "age": age(now_ms, i.waiting_since_ms, locale), "on_behalf_of": i.on_behalf_of,
        "subject": i.subject,
    })
}

/// The whole story of a requisition, for `/requisition show`.
pub fn story(s: &Story, locale: Locale) -> Value {
    let dir = &s.dir;
    let r = &s.requisition;
    let rounds = rounds(&s.rounds, dir, locale);
    let d = &r.draft;
    json!({
        "ref": r.reference.to_string(), "status": r.status.as_str(), "requester": s.requester.name,
        "department": dir.department(&r.department).map(|d| d.display_name(locale).to_string()).unwrap_or_else(|| r.department.clone()),
        "item": d.item, "spec": d.spec, "quantity": d.quantity, "unit_price": d.unit_price.to_string(),
        "total": d.total.to_string(), "needed_by": d.needed_by.map(|n| n.to_string()), "reason": d.reason,
        "category": d.category, "created_ms": r.created_at_ms, "round": r.round, "rounds": rounds,
        "withdrawn": r.status == ApprovalStatus::Withdrawn, "updated_ms": r.updated_at_ms,
        "undelivered": s.undelivered.iter().map(|(who, why)| json!({ "name": who, "reason": why })).collect::<Vec<_>>(),
    })
}

/// An approval story's rounds for a reply: each round's status, what its messages showed, its
/// stages with their decisions (who, for whom, when, why) and who a waiting stage will ask.
pub fn rounds(rounds: &[RoundStory], dir: &Directory, locale: Locale) -> Vec<Value> {
    let name = |id: Option<i64>| -> Option<String> {
        id.and_then(|i| dir.by_id(i))
            .map(|e: &Employee| e.name.clone())
    };
    rounds
        .iter()
        .map(|round| {
            let stages: Vec<Value> = round
                .stages
                .iter()
                .map(|(st, tasks)| {
                    let tasks: Vec<Value> = tasks
                        .iter()
                        .map(|t| json!({
                            "assignee": name(Some(t.assignee_id)).unwrap_or_default(),
                            "status": t.status, "by": name(t.decided_by), "on_behalf_of": name(t.on_behalf_of),
                            "comment": t.comment, "at_ms": t.decided_at,
                        }))
                        .collect();
                    let waiting: Vec<String> = if st.status == StageStatus::Waiting {
                        st.approver_ids().into_iter().filter_map(|i| name(Some(i))).collect()
                    } else {
                        vec![]
                    };
                    json!({
                        "n": st.idx + 1, "name": stage_name(&st.name, &st.name_zh, locale), "status": st.status,
                        "mode": st.mode.as_str(), "required": st.required, "tasks": tasks, "waiting": waiting.join(", "),
                    })
                })
                .collect();
            json!({
                "round": round.approval.round, "status": round.approval.status, "started_ms": round.approval.created_at,
                "closed_ms": round.approval.closed_at, "subject": round.subject, "stages": stages,
            })
        })
        .collect()
}
