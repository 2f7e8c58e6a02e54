//! Satisfaction scores from the link in the resolution email.

pub mod domain;
pub mod service;
