//! Use cases: one function per action. Each runs in ONE transaction that writes the state
//! change, its audit event and the outbox messages it causes.

pub mod audit;
pub mod digests;
pub mod directory;
pub mod jobs;
pub mod notify;
pub mod outbox;
pub mod panels;
pub mod reports;
pub mod schedules;
pub mod settings;
pub mod suggest;

use crate::approval::policy::Policies;
use crate::clock::Clock;
use crate::domain::audit::AuditEvent;
use crate::domain::directory::Employee;
use crate::domain::money::Currency;
use crate::domain::{Locale, Msg};
use crate::store::Store;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// Company facts the services need.
#[derive(Debug, Clone)]
pub struct Company {
    pub name: String,
    /// The name in Chinese (`company.name_zh`, else `name`).
    pub name_zh: String,
    pub time_zone: chrono_tz::Tz,
    pub locale: Locale,
    pub currency: Currency,
    pub categories: Vec<String>,
    /// Configured values with their names (categories, stages), for parsing and replies.
    pub terms: Arc<crate::domain::term::Vocabulary>,
    /// The stages of a sales order, in order.
    pub order_stages: Vec<crate::sales::orders::domain::Stage>,
    /// Roles that may, besides its owner, move an order, submit its contract and resolve its
    /// issues (`sales.order_roles`).
    pub order_roles: Vec<crate::domain::directory::Role>,
    /// Procurement settings (`[procurement]`): contract threshold, match tolerance, scorecard.
    pub procurement: crate::procurement::Settings,
    /// Budget settings (`[budget]`): control per stage and period, alerts, round reminders.
    pub budget: crate::finance::Settings,
    /// Whether Discord is configured (a bot token): emails point people there only then.
    pub discord: bool,
    /// Where customers reach bizdesk's web pages (links in emails), e.g. `https://desk.example.com`.
    pub public_url: String,
}

impl Company {
    /// The company's name for readers of `locale`.
    pub fn name_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.name_zh,
            Locale::En => &self.name,
        }
    }
}

/// Everything a use case needs: the store, the rules, and the clock.
#[derive(Clone)]
pub struct Desk {
    pub store: Store,
    pub company: Arc<Company>,
    pub policies: Arc<Policies>,
    /// How inquiries are routed (`config/routing.toml`).
    pub routing: Arc<crate::service_desk::inquiries::domain::Routing>,
    pub clock: Arc<dyn Clock>,
    /// The secrets from the key file (audit chain, link signing).
    pub keys: Arc<crate::store::keys::Keys>,
    /// The approval subject kinds every area registered ([`crate::registry::subjects`]).
    pub subjects: Arc<crate::approval::subject::Subjects>,
    /// The id of the request being served (a Discord interaction id), when a transport
    /// must act on it at most once; recorded inside the use case's own transaction.
    pub request_key: Option<Arc<str>>,
}

impl Desk {
    /// Whether `actor` may act on an order owned by `owner` (move it, submit its contract,
    /// resolve its issues).
    pub fn may_handle_order(
        &self,
        actor: &Employee,
        owner: crate::domain::directory::EmployeeId,
    ) -> bool {
        crate::access::orders::may_handle(actor, owner, &self.company.order_roles)
    }

    /// The roles of `sales.order_roles`, for a refusal: `sales / bcmo`.
    pub fn order_roles_text(&self) -> String {
        let names: Vec<&str> = self
            .company
            .order_roles
            .iter()
            .map(|r| r.as_str())
            .collect();
        names.join(" / ")
    }

    /// Now, from the desk's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's date in the company's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now()
            .with_timezone(&self.company.time_zone)
            .date_naive()
    }

    /// This desk, serving one request that must act at most once.
    pub fn for_request(&self, key: &str) -> Desk {
        Desk {
            request_key: Some(Arc::from(key)),
            ..self.clone()
        }
    }

    /// Begins a use case's transaction. With a request key, the key is recorded first, in the
    /// same transaction: a replayed request gets [`DeskError::Duplicate`], and the record
    /// commits (or rolls back) together with the change it guards.
    pub async fn begin(&self) -> DeskResult<crate::store::Tx> {
        let mut tx = self.store.begin().await?;
        if let Some(key) = &self.request_key {
            let now = crate::store::to_ms(self.now());
            if !crate::store::interactions::first_delivery(&mut tx, key, now).await? {
                return Err(DeskError::Duplicate);
            }
        }
        Ok(tx)
    }

    /// The locale an employee reads in.
    pub fn locale_of(&self, e: &Employee) -> Locale {
        e.locale.unwrap_or(self.company.locale)
    }
}

/// A use case's failure: the caller's mistake (shown to them) or an internal fault (logged).
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// Something the user can fix; every problem at once.
    #[error("{}", .0.iter().map(|m| m.key).collect::<Vec<_>>().join(", "))]
    User(Vec<Msg>),
    /// Anything else; the user sees a generic apology, the log gets the cause chain.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// This request was already served (a replay); nothing was done again.
    #[error("request already handled")]
    Duplicate,
}

impl From<sqlx::Error> for DeskError {
    fn from(e: sqlx::Error) -> Self {
        DeskError::Internal(e.into())
    }
}

impl From<Msg> for DeskError {
    fn from(m: Msg) -> Self {
        DeskError::User(vec![m])
    }
}

impl From<Vec<Msg>> for DeskError {
    fn from(m: Vec<Msg>) -> Self {
        DeskError::User(m)
    }
}

impl DeskError {
    /// The user messages, if this is the user's mistake.
    pub fn user_msgs(&self) -> Option<&[Msg]> {
        match self {
            DeskError::User(m) => Some(m),
            DeskError::Internal(_) | DeskError::Duplicate => None,
        }
    }
}

/// Result of a use case.
pub type DeskResult<T> = Result<T, DeskError>;

/// Builds an audit event for an actor (acting for someone else when `on_behalf_of` is set).
pub fn audit_event(
    at: DateTime<Utc>,
    actor: &str,
    on_behalf_of: Option<&str>,
    action: &str,
    subject: &str,
    summary: impl Into<String>,
) -> AuditEvent {
    AuditEvent {
        seq: 0,
        at_ms: at.timestamp_millis(),
        actor: actor.to_string(),
        on_behalf_of: on_behalf_of.map(str::to_string),
        action: action.to_string(),
        subject: subject.to_string(),
        summary: summary.into(),
    }
}
