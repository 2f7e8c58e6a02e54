//! The procurement settings (`[procurement]` in `bizdesk.toml`), checked at load: amounts in
//! whole units of the company currency, days, roles and the scorecard's weights and thresholds.

use crate::domain::directory::Role;
use serde::Deserialize;

/// `[procurement]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// A PO of at least this amount (whole units) needs a filed contract before it is sent.
    pub contract_threshold: u64,
    /// Days before a PO's delivery date that its inspection is prepared (reminders).
    pub inspection_reminder_days: u32,
    /// Days before a certificate expires that its supplier's owner and the central office hear.
    pub cert_reminder_days: u32,
    /// Certificate kinds whose expiry suspends a supplier until renewed.
    pub required_certificates: Vec<String>,
    /// Roles that may override a payment's three-way mismatch (with a reason).
    pub override_roles: Vec<String>,
    /// How far an invoice may differ from what was accepted and still match.
    pub match_tolerance: Tolerance,
    /// How a supplier's score is weighed and what standing it gives.
    pub scorecard: Scorecard,
}

/// The three-way match's tolerance: an invoice matches when it differs from the expected
/// amount by no more than `percent` of it AND no more than `amount` (whole units).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    pub percent: f64,
    pub amount: u64,
}

/// The weights of a score's parts (a part without data in a period is left out and the rest
/// re-weighted) and the standing thresholds on the 0–100 score.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub quality: u32,
    pub delivery: u32,
    pub price: u32,
    pub service: u32,
    pub on_time: u32,
    pub acceptance: u32,
    pub excellent: u32,
    pub good: u32,
    pub poor: u32,
}

impl Settings {
    /// Every problem of these settings, each as (key, what to do); empty when usable.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.contract_threshold > (i64::MAX / 100) as u64 {
            bad(&mut out, "contract_threshold", "amount too large".into());
        }
        if self.inspection_reminder_days > 60 {
            bad(
                &mut out,
                "inspection_reminder_days",
                "at most 60 days".into(),
            );
        }
        if self.cert_reminder_days > 365 {
            bad(&mut out, "cert_reminder_days", "at most 365 days".into());
        }
        for k in &self.required_certificates {
            if cert_kind(k).is_none() {
                bad(
                    &mut out,
                    "required_certificates",
                    format!("`{k}` is not a certificate kind (letters, digits and `_`, up to 40)"),
                );
            }
        }
        for r in &self.override_roles {
            if Role::parse(r).is_none() {
                bad(&mut out, "override_roles", format!("`{r}` is not a role"));
            }
        }
        let t = &self.match_tolerance;
        if !(0.0..=100.0).contains(&t.percent) || !t.percent.is_finite() {
            bad(
                &mut out,
                "match_tolerance.percent",
                "a percentage from 0 to 100".into(),
            );
        }
        if t.amount > (i64::MAX / 100) as u64 {
            bad(
                &mut out,
                "match_tolerance.amount",
                "amount too large".into(),
            );
        }
        let s = &self.scorecard;
        let weights = [
            s.quality,
            s.delivery,
            s.price,
            s.service,
            s.on_time,
            s.acceptance,
        ];
        if weights.iter().all(|w| *w == 0) || weights.iter().any(|w| *w > 1000) {
            bad(
                &mut out,
                "scorecard",
                "weights from 0 to 1000, at least one above 0".into(),
            );
        }
        if !(s.excellent <= 100 && s.good <= s.excellent && s.poor <= s.good) {
            bad(
                &mut out,
                "scorecard",
                "thresholds must satisfy poor ≤ good ≤ excellent ≤ 100".into(),
            );
        }
        out
    }

    /// `override_roles` as roles (unknown names were refused at load).
    pub fn override_roles(&self) -> Vec<Role> {
        self.override_roles
            .iter()
            .filter_map(|r| Role::parse(r))
            .collect()
    }

    /// The contract threshold in minor units.
    pub fn contract_threshold_minor(&self) -> i64 {
        i64::try_from(self.contract_threshold)
            .unwrap_or(i64::MAX / 100)
            .saturating_mul(100)
    }

    /// The absolute match tolerance in minor units.
    pub fn tolerance_minor(&self) -> i64 {
        i64::try_from(self.match_tolerance.amount)
            .unwrap_or(i64::MAX / 100)
            .saturating_mul(100)
    }
}

/// Adds the problem of `procurement.<key>`.
fn bad(out: &mut Vec<(String, String)>, key: &str, message: String) {
    out.push((format!("procurement.{key}"), message));
}

/// A certificate kind as typed (`ISO 9001` → `iso_9001`, `营业执照`), if it is one: letters
/// of any script, digits and `_` (at least one letter or digit), 1 to 40 characters, after
/// trimming, lowercasing and turning spaces and `-` into `_`.
pub fn cert_kind(input: &str) -> Option<String> {
    let k: String = input
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    let ok = !k.is_empty()
        && k.chars().count() <= 40
        && k.chars().all(|c| c.is_alphanumeric() || c == '_')
        && k.chars().any(char::is_alphanumeric);
    ok.then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        let c: crate::config::Config = toml::from_str(crate::config::DEFAULTS).unwrap();
        c.procurement
    }

    #[test]
    fn the_defaults_are_usable() {
        let s = defaults();
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        assert_eq!(s.contract_threshold_minor(), 10_000_000);
    }

    #[test]
    fn bad_settings_name_their_keys() {
        let mut s = defaults();
        s.override_roles = vec!["wizard".into()];
        s.required_certificates = vec!["ISO 9001!".into()];
        s.match_tolerance.percent = -1.0;
        s.scorecard.poor = 90;
        let p: Vec<String> = s
            .problems()
            .into_iter()
            .map(|(k, m)| format!("{k}: {m}"))
            .collect();
        let p = p.join("\n");
        for key in [
            "override_roles",
            "required_certificates",
            "match_tolerance.percent",
            "thresholds",
        ] {
            assert!(p.contains(key), "{key} not in {p}");
        }
    }

    #[test]
    fn certificate_kinds_are_normalised() {
        assert_eq!(cert_kind(" ISO 9001 ").as_deref(), Some("iso_9001"));
        assert_eq!(
            cert_kind("business-license").as_deref(),
            Some("business_license")
        );
        assert_eq!(cert_kind(""), None);
        // Chinese names are kinds too (营业执照: a business licence).
        assert_eq!(cert_kind(" 营业执照 ").as_deref(), Some("营业执照"));
        assert_eq!(cert_kind("___"), None);
        assert_eq!(cert_kind("ISO 9001!"), None);
    }
}
