//! Satisfaction links: a signed, expiring token naming one resolved inquiry. The link in the
//! resolution email carries it; the web page checks it before showing or recording a score.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a satisfaction link works.
pub const VALID_DAYS: i64 = 30;

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not one we signed (altered, truncated, or made up).
    Forged,
    /// Ours, but past its expiry.
    Expired,
}

fn mac(key: &[u8], body: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(body.as_bytes());
    hex::encode(&m.finalize().into_bytes()[..16])
}

/// A token for inquiry `id`, valid until `expires_ms`: `ID-EXPIRES-MAC` (URL-safe).
pub fn sign(key: &[u8], id: i64, expires_ms: i64) -> String {
    let body = format!("{id}-{expires_ms}");
    format!("{body}-{}", mac(key, &body))
}

/// The inquiry a token names, if we signed it and it has not expired at `now_ms`.
pub fn verify(key: &[u8], token: &str, now_ms: i64) -> Result<i64, TokenError> {
    verify_expiring_by(key, token, now_ms, i64::MAX)
}

/// [`verify`], also refusing as forged a token that expires after `latest_expiry_ms`: for a
/// retired key that may still vouch for links it signed, but must not for new ones made with
/// a copy of it.
pub fn verify_expiring_by(
    key: &[u8],
    token: &str,
    now_ms: i64,
    latest_expiry_ms: i64,
) -> Result<i64, TokenError> {
    let mut parts = token.trim().splitn(3, '-');
    let (Some(id), Some(expires), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Forged);
    };
    let (Ok(id), Ok(expires_ms)) = (id.parse::<i64>(), expires.parse::<i64>()) else {
        return Err(TokenError::Forged);
    };
    let want = mac(key, &format!("{id}-{expires_ms}"));
    let same = crate::domain::text::constant_time_eq(want.as_bytes(), sig.as_bytes());
    if !same || expires_ms > latest_expiry_ms {
        return Err(TokenError::Forged);
    }
    if now_ms > expires_ms {
        return Err(TokenError::Expired);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let t = sign(b"secret", 42, 1_000);
        assert_eq!(verify(b"secret", &t, 999), Ok(42));
        assert_eq!(verify(b"secret", &t, 1_001), Err(TokenError::Expired));
        assert_eq!(verify(b"other", &t, 999), Err(TokenError::Forged));
        let changed = t.replacen("42-", "43-", 1);
        assert_eq!(verify(b"secret", &changed, 999), Err(TokenError::Forged));
        let later = t.replacen("-1000-", "-9000-", 1);
        assert_eq!(verify(b"secret", &later, 999), Err(TokenError::Forged));
        assert_eq!(verify_expiring_by(b"secret", &t, 999, 1_000), Ok(42));
        assert_eq!(
            verify_expiring_by(b"secret", &t, 999, 999),
            Err(TokenError::Forged)
        );
    }

    proptest! {
        #[test]
        fn anything_else_is_refused_without_panicking(s in "\\PC{0,80}") {
            prop_assert!(verify(b"k", &s, 0).is_err());
        }
    }
}
