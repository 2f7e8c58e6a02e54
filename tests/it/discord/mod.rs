//! The real serenity client against the wire-level fake Discord.

mod e2e;
mod fake_selftest;
mod po_dm;
mod resilience;
#[path = "../fake_discord/selftest_support.rs"]
mod selftest_support;
