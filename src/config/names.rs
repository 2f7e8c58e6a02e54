//! Names of configured things for each reader: the company's and the requisition categories'.

use super::{Company, Requisitions};
use crate::domain::Locale;

impl Company {
    /// The company's name for readers of `locale`.
    pub fn name_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn if !self.name_zh.trim().is_empty() => &self.name_zh,
            _ => &self.name,
        }
    }
}

impl Requisitions {
    /// The categories with their names filled in.
    pub fn category_terms(&self) -> Vec<crate::domain::term::Term> {
        self.categories.iter().map(|c| c.term()).collect()
    }
}
