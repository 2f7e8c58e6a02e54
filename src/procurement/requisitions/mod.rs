//! Requisitions (采购申请): a department asks to buy something; the approval engine decides.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
pub mod subject;
