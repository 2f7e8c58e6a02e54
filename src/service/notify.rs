//! The notifications a change causes, as outbox messages: a chat message, and an email when
//! the recipient wants one (see [`crate::domain::delivery`]). Payloads carry facts only;
//! delivery renders them in the recipient's language.

use crate::domain::delivery::Purpose;
use crate::domain::directory::EmployeeId;
use crate::service::{Desk, DeskResult};
use crate::store::outbox::{NewMessage, CHAT, EMAIL};
use crate::store::{self, outbox, Conn};
use serde_json::{json, Value};

/// A kind of notification and the templates it is rendered from: each business area lists
/// the kinds it sends ([`crate::registry::notifications`]), and the registry test checks that
/// their templates exist in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification {
    pub kind: &'static str,
    pub sent_as: SentAs,
}

/// Which templates a kind needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentAs {
    /// `templates/chat/<locale>/notify/<kind>.txt` only.
    Chat,
    /// `templates/email/<locale>/<kind>.{subject.txt,txt,html}` only.
    Email,
    /// Both: a chat message, with an email copy for those who want one.
    ChatAndEmail,
}

impl Notification {
    /// A kind sent only in chat.
    pub const fn chat(kind: &'static str) -> Notification {
        Notification {
            kind,
            sent_as: SentAs::Chat,
        }
    }

    /// A kind sent only by email.
    pub const fn email(kind: &'static str) -> Notification {
        Notification {
            kind,
            sent_as: SentAs::Email,
        }
    }

    /// A kind sent in chat, with an email copy.
    pub const fn both(kind: &'static str) -> Notification {
        Notification {
            kind,
            sent_as: SentAs::ChatAndEmail,
        }
    }
}

/// Kinds of notification (template names under `templates/chat/<locale>/notify/` and
/// `templates/email/<locale>/`).
pub mod kind {
    /// A prompt to decide, with Approve / Reject / Request changes.
    pub const APPROVAL_PROMPT: &str = "approval_prompt";
    /// An edit of an earlier prompt: the stage or approval ended.
    pub const PROMPT_CLOSED: &str = "prompt_closed";
    /// To the requester: a stage passed and the next one started.
    pub const STAGE_PASSED: &str = "stage_passed";
    /// To the requester: the round ended (approved, rejected, changes requested).
    pub const OUTCOME: &str = "request_outcome";
    /// To a delegate: someone delegated their approvals to them.
    pub const DELEGATION: &str = "delegation_notice";
    /// To the requester, by email only: the request was received (a receipt).
    pub const RECEIVED: &str = "request_received";
    /// To an approver whose task waited past the stage's `remind_after`, with the buttons.
    pub const REMINDER: &str = "approval_reminder";
    /// To the requester and the former approvers: a stage was escalated.
    pub const ESCALATED: &str = "approval_escalated";
    /// To a follow-up's owner, with Done / Snooze buttons.
    pub const FOLLOWUP_DUE: &str = "followup_due";
    /// To a callback's owner: time to call the customer.
    pub const CALLBACK_DUE: &str = "callback_due";
    /// The morning digest: one's pending approvals and today's follow-ups.
    pub const DAILY_DIGEST: &str = "daily_digest";
    /// The weekly KPI summary, to the central office.
    pub const WEEKLY_KPI: &str = "weekly_kpi";
    /// To callback owners on a holiday: the customers to greet.
    pub const GREETINGS: &str = "holiday_greetings";
    /// To a department's members: an inquiry was routed or handed to them.
    pub const INQUIRY_HANDOFF: &str = "inquiry_handoff";
    /// To an employee: an inquiry was assigned to them.
    pub const INQUIRY_ASSIGNED: &str = "inquiry_assigned";
    /// To the central office: a complaint was logged.
    pub const COMPLAINT: &str = "complaint_logged";
    /// To finance and an order's owner: payment is due soon, or overdue.
    pub const PAYMENT_DUE: &str = "payment_due";
    /// To the central office and an order's owner: a change request or quality problem was
    /// raised; to its author and the owner: it was resolved.
    pub const ORDER_ISSUE: &str = "order_issue";
    /// To the owner (or department), its head, and for a late resolution the central office:
    /// an inquiry missed its service level.
    pub const INQUIRY_SLA: &str = "inquiry_sla";
    /// To a customer, by email: their inquiry was received.
    pub const INQUIRY_ACK: &str = "inquiry_ack";
    /// To a customer, by email: the answer to their inquiry.
    pub const INQUIRY_REPLY: &str = "inquiry_reply";
    /// To a customer, by email: their inquiry was resolved.
    pub const INQUIRY_RESOLVED: &str = "inquiry_resolved";
    /// To a customer, by email: their order moved to another stage.
    pub const ORDER_STAGE: &str = "order_stage";
    /// A supplier's certificate expires soon (to its owner and the central office).
    pub const SUPPLIER_CERT_EXPIRING: &str = "supplier_cert_expiring";
    /// A supplier was suspended for an expired required certificate.
    pub const SUPPLIER_SUSPENDED: &str = "supplier_suspended";
    /// A supplier was disqualified (to its owner).
    pub const SUPPLIER_DISQUALIFIED: &str = "supplier_disqualified";
    /// The periodic evaluation: suppliers with orders in the period, to rate.
    pub const SUPPLIER_EVALUATION: &str = "supplier_evaluation";
    /// To procurement: a requisition was approved, theirs to buy.
    pub const REQUISITION_TO_BUY: &str = "requisition_to_buy";
    /// To a PO's supplier, by email: the purchase order (printable).
    pub const PO_SENT: &str = "po_sent";
    /// To a PO's supplier, by email in the PO's thread: the PO is cancelled.
    pub const PO_CANCELLED: &str = "po_cancelled";
    /// To a PO's requester: where it stands (one DM, edited as it moves).
    pub const PO_PROGRESS: &str = "po_progress";
    /// To the central office, the requester and their head: prepare the inspection.
    pub const PO_INSPECTION_DUE: &str = "po_inspection_due";
    /// The operator's test email (`bizdesk send-test-email`).
    pub const TEST_EMAIL: &str = "test_email";
    /// To an employee who asked at the web desk: a link that signs them in (15 minutes, once).
    pub const SIGNIN_LINK: &str = "signin_link";
}

/// The notification kinds no single area owns: the digests.
pub const SHARED: &[Notification] = &[
    Notification::chat(kind::DAILY_DIGEST),
    Notification::chat(kind::WEEKLY_KPI),
    Notification::chat(kind::GREETINGS),
    Notification::email(kind::TEST_EMAIL),
    Notification::email(kind::SIGNIN_LINK),
];

/// Why a kind is sent, for the recipient's email settings; `None`: never by email.
pub(crate) fn purpose(kind: &str) -> Option<Purpose> {
    match kind {
        kind::APPROVAL_PROMPT | kind::REMINDER | kind::FOLLOWUP_DUE | kind::CALLBACK_DUE => {
            Some(Purpose::Prompt)
        }
        kind::STAGE_PASSED
        | kind::OUTCOME
        | kind::DELEGATION
        | kind::RECEIVED
        | kind::ESCALATED => Some(Purpose::Update),
        _ => None,
    }
}

/// Writes a notification: its chat message, and its email when the recipient wants one, in
/// the caller's transaction. Returns the chat message's id.
pub async fn send(conn: &mut Conn, m: &NewMessage, now_ms: i64) -> sqlx::Result<i64> {
    let id = outbox::enqueue(&mut *conn, m, now_ms).await?;
    email_copy(conn, m, now_ms).await?;
    Ok(id)
}

/// Writes only the email of a notification, if the recipient wants one.
pub async fn email_copy(conn: &mut Conn, m: &NewMessage, now_ms: i64) -> sqlx::Result<()> {
    let (Some(to), Some(purpose)) = (m.recipient, purpose(m.kind)) else {
        return Ok(());
    };
    if let Some(address) = store::delivery::email_target(&mut *conn, to, purpose).await? {
        let email = NewMessage {
            channel: EMAIL,
            address: Some(address),
            edits: None,
            ..m.clone()
        };
        outbox::enqueue(conn, &email, now_ms).await?;
    }
    Ok(())
}

/// The receipt for a submitted (or resubmitted) request; email only.
pub fn received(to: EmployeeId, subject_ref: &str, round: i64, subject: &Value) -> NewMessage {
    NewMessage {
        channel: EMAIL,
        recipient: Some(to),
        address: None,
        kind: kind::RECEIVED,
        subject_ref: Some(subject_ref.to_string()),
        payload: json!({
            "ref": subject_ref, "round": round, "subject": subject,
        }),
        edits: None,
    }
}

/// What an approval prompt shows. `subject` is the round's snapshot (item, totals...).
pub struct Prompt<'a> {
    pub subject_ref: &'a str,
    pub task_id: i64,
    pub stage: &'a str,
    pub stage_zh: &'a str,
    pub requester: &'a str,
    pub subject: &'a Value,
    /// Set when an escalation brought the task here: whose it was.
    pub escalated_from: Option<&'a str>,
}

/// A prompt for one task, to its approver or (with `on_behalf_of`) to their delegate.
pub fn prompt(to: EmployeeId, p: &Prompt<'_>, on_behalf_of: Option<&str>) -> NewMessage {
    NewMessage {
        channel: CHAT,
        recipient: Some(to),
        address: None,
        kind: kind::APPROVAL_PROMPT,
        subject_ref: Some(p.subject_ref.to_string()),
        payload: json!({
            "ref": p.subject_ref, "task_id": p.task_id, "stage": p.stage, "stage_zh": p.stage_zh,
            "requester": p.requester, "subject": p.subject, "on_behalf_of": on_behalf_of,
            "escalated_from": p.escalated_from,
        }),
        edits: None,
    }
}

/// Closes a prompt: shows the outcome and removes the buttons.
pub fn prompt_closed(
    to: EmployeeId,
    prompt_id: i64,
    subject_ref: &str,
    outcome: &str,
    by: Option<&str>,
    at_ms: i64,
) -> NewMessage {
    NewMessage {
        channel: CHAT,
        recipient: Some(to),
        address: None,
        kind: kind::PROMPT_CLOSED,
        subject_ref: Some(subject_ref.to_string()),
        payload: json!({ "ref": subject_ref, "outcome": outcome, "by": by, "at_ms": at_ms }),
        edits: Some(prompt_id),
    }
}

/// Tells the requester a stage passed and who has it now.
pub fn stage_passed(
    to: EmployeeId,
    subject_ref: &str,
    stage: (&str, &str),
    by: &str,
    next: (&str, &str),
    next_approvers: &[String],
) -> NewMessage {
    NewMessage {
        channel: CHAT,
        recipient: Some(to),
        address: None,
        kind: kind::STAGE_PASSED,
        subject_ref: Some(subject_ref.to_string()),
        payload: json!({
            "ref": subject_ref, "stage": stage.0, "stage_zh": stage.1, "by": by,
            "next": next.0, "next_zh": next.1, "next_approvers": next_approvers,
        }),
        edits: None,
    }
}

/// Tells the requester how the round ended.
pub fn outcome(
    to: EmployeeId,
    subject_ref: &str,
    outcome: &str,
    by: Option<&str>,
    comment: Option<&str>,
    subject: &Value,
) -> NewMessage {
    NewMessage {
        channel: CHAT,
        recipient: Some(to),
        address: None,
        kind: kind::OUTCOME,
        subject_ref: Some(subject_ref.to_string()),
        payload: json!({
            "ref": subject_ref, "outcome": outcome, "by": by, "comment": comment, "subject": subject,
        }),
        edits: None,
    }
}

/// Tells a delegate they may decide someone's tasks.
pub fn delegation(to: EmployeeId, from_name: &str, starts_on: &str, ends_on: &str) -> NewMessage {
    NewMessage {
        channel: CHAT,
        recipient: Some(to),
        address: None,
        kind: kind::DELEGATION,
        subject_ref: None,
        payload: json!({ "from": from_name, "starts_on": starts_on, "ends_on": ends_on }),
        edits: None,
    }
}

/// A chat notification of `kind` to one employee, about `subject_ref` when there is one.
pub fn message(
    to: EmployeeId,
    kind: &'static str,
    subject_ref: Option<&str>,
    payload: Value,
) -> NewMessage {
    NewMessage {
        channel: CHAT,
        recipient: Some(to),
        address: None,
        kind,
        subject_ref: subject_ref.map(str::to_string),
        payload,
        edits: None,
    }
}

/// Claims an employee's pending chat notifications for delivery through `via` (e.g. the
/// console): each is marked sent as it is claimed, so two readers never show one twice.
pub async fn claim_chat(
    desk: &Desk,
    recipient: EmployeeId,
    via: &str,
) -> DeskResult<Vec<outbox::Message>> {
    let mut tx = desk.store.begin().await?;
    let now = store::to_ms(desk.now());
    let mut claimed = Vec::new();
    for m in outbox::pending_for(&mut tx, CHAT, recipient, now).await? {
        if outbox::mark_sent(&mut tx, m.id, via, now).await? {
            claimed.push(m);
        }
    }
    tx.commit().await?;
    Ok(claimed)
}
