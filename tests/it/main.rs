//! The whole suite as one test binary, so serenity, sqlx and lettre are linked once.
//! A module per business area; the shared harness (`common`, the fake Discord, the SMTP
//! sink) at the top.

mod common;
mod discord_support;
mod fake_discord;
mod smtp_sink;

mod approval;
mod collaboration;
mod desk;
mod discord;
mod finance;
mod procurement;
mod sales;
mod service_desk;
mod web;
