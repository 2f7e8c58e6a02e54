//! Customer service (客服): customers, inquiries and complaints, satisfaction.

pub mod customers;
pub mod forget;
pub mod inquiries;
pub mod satisfaction;
