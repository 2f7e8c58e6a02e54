//! Who receives which notification by email. Pure rules; the store keeps the settings.
//!
//! Two purposes: prompts to decide (approvers) and updates about one's own requests. Each has
//! up to two settings: the employee's own (`/settings email`) and the company's (`org.toml`);
//! the employee's wins. Unset, updates go by email, and prompts go by email only to people
//! without Discord (who could not see a prompt otherwise).

/// Why a notification is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A request to decide something.
    Prompt,
    /// News about the recipient's own request.
    Update,
}

/// One level of settings; `None` means "not said".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmailPrefs {
    pub prompts: Option<bool>,
    pub updates: Option<bool>,
}

impl EmailPrefs {
    fn get(&self, p: Purpose) -> Option<bool> {
        match p {
            Purpose::Prompt => self.prompts,
            Purpose::Update => self.updates,
        }
    }
}

/// Whether a notification for `purpose` also goes by email.
pub fn wants_email(purpose: Purpose, has_discord: bool, own: EmailPrefs, org: EmailPrefs) -> bool {
    own.get(purpose)
        .or(org.get(purpose))
        .unwrap_or(match purpose {
            Purpose::Prompt => !has_discord,
            Purpose::Update => true,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNSET: EmailPrefs = EmailPrefs {
        prompts: None,
        updates: None,
    };

    #[test]
    fn defaults_follow_discord_for_prompts_and_send_updates() {
        assert!(!wants_email(Purpose::Prompt, true, UNSET, UNSET));
        assert!(wants_email(Purpose::Prompt, false, UNSET, UNSET));
        assert!(wants_email(Purpose::Update, true, UNSET, UNSET));
    }

    #[test]
    fn own_setting_beats_company_setting() {
        let org = EmailPrefs {
            prompts: Some(true),
            updates: Some(false),
        };
        assert!(wants_email(Purpose::Prompt, true, UNSET, org));
        assert!(!wants_email(Purpose::Update, true, UNSET, org));
        let own = EmailPrefs {
            prompts: Some(false),
            updates: Some(true),
        };
        assert!(!wants_email(Purpose::Prompt, false, own, org));
        assert!(wants_email(Purpose::Update, true, own, org));
    }
}
