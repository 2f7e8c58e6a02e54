//! Satisfaction scores: the resolution email links to a page (served by bizdesk's web server)
//! that shows the choice on GET and records it on POST — so mail scanners that open links
//! cannot vote — once per inquiry, through a signed link that expires.

use crate::domain::{text, Locale};
use crate::service::{audit_event, Desk, DeskResult};
use crate::service_desk::customers::store as customers;
use crate::service_desk::inquiries::service::reference;
use crate::service_desk::inquiries::store as inquiries;
use crate::service_desk::inquiries::store::Inquiry;
use crate::service_desk::satisfaction::domain::{
    sign, verify, verify_expiring_by, TokenError, VALID_DAYS,
};
use crate::store::{self, audit, Conn};

/// The satisfaction page's address for an inquiry (valid for [`VALID_DAYS`]), signed with the
/// key from the key file.
pub(crate) fn link(desk: &Desk, inquiry_id: i64) -> String {
    let expires = store::to_ms(desk.now()) + VALID_DAYS * 86_400_000;
    let token = sign(&desk.keys.satisfaction, inquiry_id, expires);
    format!(
        "{}/satisfaction/{token}",
        desk.company.public_url.trim_end_matches('/')
    )
}

/// Checks a token with the current key, then with the key the database held before key files
/// (only for links it could have signed before it was retired).
fn check(desk: &Desk, token: &str) -> Result<i64, TokenError> {
    let now = store::to_ms(desk.now());
    match (
        verify(&desk.keys.satisfaction, token, now),
        &desk.keys.satisfaction_previous,
    ) {
        (Err(TokenError::Forged), Some((old, until))) => {
            verify_expiring_by(old, token, now, *until)
        }
        (result, _) => result,
    }
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Pick a score (one may be preselected from the email's link).
    Choose {
        reference: String,
        subject: String,
        score: Option<i64>,
        /// Shown again because the form came back without a score from 1 to 5.
        missing_score: bool,
    },
    /// Recorded now.
    Thanks { reference: String, score: i64 },
    /// Recorded before; nothing changed.
    Already { reference: String, score: i64 },
    /// Not a link we made.
    Invalid,
    /// Too old.
    Expired,
}

/// The inquiry a token names and its customer's language, or the page that refuses it.
async fn inquiry_for(
    conn: &mut Conn,
    desk: &Desk,
    token: &str,
) -> DeskResult<Result<(Inquiry, Option<Locale>), Page>> {
    let id = match check(desk, token) {
        Ok(id) => id,
        Err(TokenError::Forged) => return Ok(Err(Page::Invalid)),
        Err(TokenError::Expired) => return Ok(Err(Page::Expired)),
    };
    let Some(i) = inquiries::get(&mut *conn, id).await? else {
        return Ok(Err(Page::Invalid));
    };
    // A customer who asked to be forgotten: their links stop working.
    if crate::service_desk::forget::store::is_forgotten(&mut *conn, i.customer_id).await? {
        return Ok(Err(Page::Invalid));
    }
    let locale = customers::get(conn, i.customer_id)
        .await?
        .and_then(|c| c.locale);
    Ok(Ok((i, locale)))
}

/// The page for a token, and the language to show it in (the customer's; `None` when the
/// token names no customer with a language, and the transport chooses).
pub async fn open(
    desk: &Desk,
    token: &str,
    score: Option<i64>,
) -> DeskResult<(Page, Option<Locale>)> {
    let mut conn = desk.store.pool().acquire().await?;
    let (i, locale) = match inquiry_for(&mut conn, desk, token).await? {
        Ok(found) => found,
        Err(page) => return Ok((page, None)),
    };
    let reference = reference(i.id).to_string();
    let page = match i.satisfaction {
        Some(score) => Page::Already { reference, score },
        None => Page::Choose {
            reference,
            subject: i.subject,
            score: score.filter(|s| (1..=5).contains(s)),
            missing_score: false,
        },
    };
    Ok((page, locale))
}

/// Records a score (1–5) and an optional comment, once; the page to show next.
pub async fn record(
    desk: &Desk,
    token: &str,
    score: i64,
    comment: Option<&str>,
) -> DeskResult<(Page, Option<Locale>)> {
    let mut tx = desk.begin().await?;
    let (i, locale) = match inquiry_for(&mut tx, desk, token).await? {
        Ok(found) => found,
        Err(page) => return Ok((page, None)),
    };
    let reference = reference(i.id).to_string();
    if let Some(score) = i.satisfaction {
        return Ok((Page::Already { reference, score }, locale));
    }
    if !(1..=5).contains(&score) {
        let page = Page::Choose {
            reference,
            subject: i.subject,
            score: None,
            missing_score: true,
        };
        return Ok((page, locale));
    }
    let comment: Option<String> = comment
        .map(|c| text::clean(c.trim()).chars().take(2000).collect::<String>())
        .filter(|c| !c.is_empty());
    let now = store::to_ms(desk.now());
    if !inquiries::record_satisfaction(&mut tx, i.id, score, comment.as_deref(), now).await? {
        // Another click recorded it first (PostgreSQL: between our read and our write).
        let score = inquiries::satisfaction(&mut tx, i.id)
            .await?
            .unwrap_or(score);
        return Ok((Page::Already { reference, score }, locale));
    }
    // The comment is the customer's own words: it stays with the inquiry, not in the trail.
    let summary = match &comment {
        Some(_) => format!("satisfaction {score}/5, with a comment"),
        None => format!("satisfaction {score}/5"),
    };
    let event = audit_event(
        desk.now(),
        "customer",
        None,
        "inquiry.satisfaction",
        &reference,
        summary,
    );
    audit::append(&mut tx, &desk.keys.audit, event).await?;
    tx.commit().await?;
    Ok((Page::Thanks { reference, score }, locale))
}
