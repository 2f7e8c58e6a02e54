//! Collection (回款): installments due on an order and reminders until paid.

pub mod service;
