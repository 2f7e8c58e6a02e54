//! Order issues: change requests and quality problems raised on a sales order.

pub mod service;
