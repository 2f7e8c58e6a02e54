//! Approve-from-email link tokens: which task, for which approver, until when — signed with
//! HMAC-SHA256 so nobody can make or alter one. No I/O, and here rather than in the web layer
//! because two layers use it: the email outbox signs, the web desk's link page verifies.
//!
//! A token reads `TASK.EMPLOYEE.EXPIRES_MS.SIGNATURE` (digits and hex: safe in a URL path).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a link stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub task_id: i64,
    pub employee_id: i64,
    /// When the link stops working (ms since the epoch).
    pub expires_ms: i64,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not made by us (altered, truncated, garbage).
    Forged,
    /// Ours, but too old.
    Expired,
}

/// The key web links are signed with, derived from the key file's link-signing key (so the
/// key file stays as it is); the web desk and the email renderer use it.
pub fn key(link_signing_key: &[u8]) -> Vec<u8> {
    let mut m = mac(link_signing_key);
    m.update(b"bizdesk web links v1");
    m.finalize().into_bytes().to_vec()
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length")
}

fn body(link: &Link) -> String {
    format!("{}.{}.{}", link.task_id, link.employee_id, link.expires_ms)
}

fn signature(key: &[u8], purpose: &[u8], text: &str) -> String {
    let mut m = mac(key);
    m.update(purpose);
    m.update(text.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// The token for `link`.
pub fn sign(key: &[u8], link: &Link) -> String {
    let body = body(link);
    let sig = signature(key, b"approve-link:", &body);
    format!("{body}.{sig}")
}

/// The link a token stands for, if we made it and it has not expired at `now_ms`.
pub fn verify(key: &[u8], token: &str, now_ms: i64) -> Result<Link, LinkError> {
    let mut parts = token.split('.');
    let (Some(t), Some(e), Some(x), Some(sig), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(LinkError::Forged);
    };
    let number = |s: &str| -> Result<i64, LinkError> {
        if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LinkError::Forged);
        }
        s.parse().map_err(|_| LinkError::Forged)
    };
    let link = Link {
        task_id: number(t)?,
        employee_id: number(e)?,
        expires_ms: number(x)?,
    };
    let expected = signature(key, b"approve-link:", &body(&link));
    if !crate::domain::text::constant_time_eq(sig.as_bytes(), expected.as_bytes()) {
        return Err(LinkError::Forged);
    }
    if now_ms >= link.expires_ms {
        return Err(LinkError::Expired);
    }
    Ok(link)
}

/// The hidden token of a link's confirmation form: only a page we rendered for this link
/// carries it, so another site cannot post the form.
pub fn form_token(key: &[u8], token: &str) -> String {
    signature(key, b"approve-form:", token)
}

/// Whether `given` is the form token of `token`.
pub fn form_token_ok(key: &[u8], token: &str, given: &str) -> bool {
    crate::domain::text::constant_time_eq(given.as_bytes(), form_token(key, token).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const LINK: Link = Link {
        task_id: 42,
        employee_id: 7,
        expires_ms: 1_000_000,
    };

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let t = sign(KEY, &LINK);
        assert_eq!(verify(KEY, &t, 999_999), Ok(LINK));
        assert_eq!(verify(KEY, &t, 1_000_000), Err(LinkError::Expired));
    }

    #[test]
    fn forged_truncated_and_altered_links_are_refused() {
        let t = sign(KEY, &LINK);
        assert_eq!(verify(b"another key", &t, 0), Err(LinkError::Forged));
        assert_eq!(verify(KEY, &t[..t.len() - 1], 0), Err(LinkError::Forged));
        assert_eq!(verify(KEY, "42.7.1000000", 0), Err(LinkError::Forged));
        assert_eq!(verify(KEY, "", 0), Err(LinkError::Forged));
        assert_eq!(verify(KEY, &format!("{t}.1"), 0), Err(LinkError::Forged));
        // Another task, another approver or a later expiry with the same signature.
        let sig = t.rsplit('.').next().unwrap();
        for body in [
            "43.7.1000000",
            "42.8.1000000",
            "42.7.9000000",
            "+42.7.1000000",
        ] {
            assert_eq!(
                verify(KEY, &format!("{body}.{sig}"), 0),
                Err(LinkError::Forged),
                "{body}"
            );
        }
        // An expired link that was altered is forged, not expired.
        assert_eq!(
            verify(KEY, &format!("42.7.1.{sig}"), 5_000_000),
            Err(LinkError::Forged)
        );
    }

    #[test]
    fn the_form_token_belongs_to_its_link() {
        let t = sign(KEY, &LINK);
        let other = sign(
            KEY,
            &Link {
                task_id: 43,
                ..LINK
            },
        );
        let f = form_token(KEY, &t);
        assert!(form_token_ok(KEY, &t, &f));
        assert!(!form_token_ok(KEY, &other, &f));
        assert!(!form_token_ok(KEY, &t, ""));
    }
}
