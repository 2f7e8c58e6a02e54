//! Inquiries and complaints (咨询与投诉): logged, routed, worked and resolved within SLAs.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
