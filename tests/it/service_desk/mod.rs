//! Customers, inquiries, satisfaction.

mod customers;
mod inquiries;
mod satisfaction;
mod unknown_values;
