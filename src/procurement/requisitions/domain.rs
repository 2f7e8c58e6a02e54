//! Purchase requisitions: the procurement process's first step.

use crate::domain::money::Money;
use crate::domain::{text, Msg};
use chrono::NaiveDate;
use serde::Serialize;

/// Longest item name (characters).
pub const MAX_ITEM: usize = 200;
/// Longest specification.
pub const MAX_SPEC: usize = 500;
/// Longest reason.
pub const MAX_REASON: usize = 1000;
/// Longest category code.
pub const MAX_CATEGORY: usize = 40;

/// What a requester asks to buy, validated and with its total computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequisitionDraft {
    pub item: String,
    pub spec: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub total: Money,
    pub needed_by: Option<NaiveDate>,
    pub reason: String,
    pub category: Option<String>,
}

/// Fields as typed by the requester, before the rules are checked.
#[derive(Debug, Clone, Default)]
pub struct RequisitionInput {
    pub item: Option<String>,
    pub spec: Option<String>,
    pub quantity: Option<i64>,
    pub unit_price: Option<Money>,
    pub needed_by: Option<NaiveDate>,
    pub reason: Option<String>,
    pub category: Option<String>,
    /// The requester acknowledged a budget warning (`ack:yes`).
    pub ack: bool,
}

/// Rules a requisition must satisfy, from configuration.
#[derive(Debug, Clone)]
pub struct RequisitionRules {
    /// Allowed category codes; empty means categories are not used.
    pub categories: Vec<String>,
    /// The company's date today, so a needed-by date in the past is refused.
    pub today: NaiveDate,
}

impl RequisitionDraft {
    /// Validates input into a draft, reporting every problem at once.
    pub fn build(input: RequisitionInput, rules: &RequisitionRules) -> Result<Self, Vec<Msg>> {
        let mut problems = Vec::new();
        let item = input.item.unwrap_or_default().trim().to_string();
        if item.is_empty() {
            problems.push(Msg::new("requisition.item_required"));
        }
        let spec = input.spec.unwrap_or_default().trim().to_string();
        let reason = input.reason.unwrap_or_default().trim().to_string();
        for (field, text, max) in [
            ("item", &item, MAX_ITEM),
            ("spec", &spec, MAX_SPEC),
            ("reason", &reason, MAX_REASON),
        ] {
            if let Err(m) = text::at_most(field, text, max) {
                problems.push(m);
            }
        }
        let quantity = input.quantity.unwrap_or(0);
        if quantity < 1 {
            problems.push(Msg::new("requisition.quantity_positive"));
        }
        let unit_price = input.unit_price;
        match unit_price {
            None => problems.push(Msg::new("requisition.price_required")),
            Some(p) if p.minor <= 0 => problems.push(Msg::new("requisition.price_positive")),
            _ => {}
        }
        if let Some(d) = input.needed_by {
            if d < rules.today {
                problems.push(Msg::new("requisition.needed_by_past").arg("date", d));
            }
        }
        let category = input
            .category
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty());
        if let Some(c) = &category {
            if let Err(m) = text::at_most("category", c, MAX_CATEGORY) {
                problems.push(m);
            } else if !rules.categories.is_empty() && !rules.categories.contains(c) {
                problems.push(
                    Msg::new("requisition.unknown_category")
                        .arg("category", c)
                        .arg("choices", rules.categories.join(", ")),
                );
            }
        }
        let total = unit_price.and_then(|p| p.checked_mul(quantity));
        if let (Some(_), None) = (unit_price, total) {
            problems.push(Msg::new("requisition.total_too_large"));
        }
        if let Some(t) = total {
            if t.minor > crate::domain::money::MAX_MINOR {
                problems.push(Msg::new("requisition.total_too_large"));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let (Some(unit_price), Some(total)) = (unit_price, total) else {
            return Err(vec![Msg::new("requisition.price_required")]);
        };
        Ok(RequisitionDraft {
            item,
            spec,
            quantity,
            unit_price,
            total,
            needed_by: input.needed_by,
            reason,
            category,
        })
    }

    /// Applies a resubmission's field changes over this draft, then validates the result.
    pub fn amended(
        &self,
        changes: RequisitionInput,
        rules: &RequisitionRules,
    ) -> Result<Self, Vec<Msg>> {
        let input = RequisitionInput {
            item: changes.item.or_else(|| Some(self.item.clone())),
            spec: changes.spec.or_else(|| Some(self.spec.clone())),
            quantity: changes.quantity.or(Some(self.quantity)),
            unit_price: changes.unit_price.or(Some(self.unit_price)),
            needed_by: changes.needed_by.or(self.needed_by),
            reason: changes.reason.or_else(|| Some(self.reason.clone())),
            category: changes.category.or_else(|| self.category.clone()),
            ack: changes.ack,
        };
        // An unchanged needed-by date that has since passed must not block the resubmission.
        let rules = RequisitionRules {
            today: match (changes.needed_by, self.needed_by) {
                (None, Some(old)) => old.min(rules.today),
                _ => rules.today,
            },
            ..rules.clone()
        };
        Self::build(input, &rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn rules() -> RequisitionRules {
        RequisitionRules {
            categories: vec!["it".into(), "office".into()],
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        }
    }

    fn cny(major: i64) -> Money {
        Money::new(major * 100, Currency::CNY)
    }

    #[test]
    fn computes_total_and_normalises() {
        let d = RequisitionDraft::build(
            RequisitionInput {
                item: Some(" ThinkPad X1 ".into()),
                quantity: Some(2),
                unit_price: Some(cny(40_000)),
                category: Some("IT".into()),
                ..Default::default()
            },
            &rules(),
        )
        .unwrap();
        assert_eq!(d.total, cny(80_000));
        assert_eq!(d.item, "ThinkPad X1");
        assert_eq!(d.category.as_deref(), Some("it"));
    }

    #[test]
    fn reports_every_problem() {
        let err = RequisitionDraft::build(
            RequisitionInput {
                quantity: Some(0),
                unit_price: Some(cny(0)),
                category: Some("toys".into()),
                needed_by: NaiveDate::from_ymd_opt(2020, 1, 1),
                ..Default::default()
            },
            &rules(),
        )
        .unwrap_err();
        let keys: Vec<_> = err.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                "requisition.item_required",
                "requisition.quantity_positive",
                "requisition.price_positive",
                "requisition.needed_by_past",
                "requisition.unknown_category"
            ]
        );
    }

    #[test]
    fn lengths_are_refused_without_the_parser() {
        let long = |n: usize| Some("x".repeat(n));
        let input = |item, spec, reason, category| RequisitionInput {
            item,
            spec,
            reason,
            category,
            quantity: Some(1),
            unit_price: Some(cny(10)),
            ..Default::default()
        };
        let at_limit = input(long(200), long(500), long(1000), None);
        assert!(RequisitionDraft::build(at_limit, &rules()).is_ok());
        let over = input(long(201), long(501), long(1001), long(41));
        let err = RequisitionDraft::build(over, &rules()).unwrap_err();
        let fields: Vec<_> = err
            .iter()
            .map(|m| (m.key, m.get("option").unwrap_or_default()))
            .collect();
        assert_eq!(
            fields,
            [
                ("option.too_long", "item"),
                ("option.too_long", "spec"),
                ("option.too_long", "reason"),
                ("option.too_long", "category"),
            ]
        );
    }

    #[test]
    fn overflowing_totals_are_refused() {
        let err = RequisitionDraft::build(
            RequisitionInput {
                item: Some("x".into()),
                quantity: Some(1_000_000),
                unit_price: Some(Money::new(crate::domain::money::MAX_MINOR, Currency::CNY)),
                ..Default::default()
            },
            &rules(),
        )
        .unwrap_err();
        assert_eq!(err[0].key, "requisition.total_too_large");
    }
}
