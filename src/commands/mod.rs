//! The command definition shared by every transport.
//!
//! Each top-level command is one TOML file under `commands/` (see [`spec`]); the files are
//! embedded in the binary, validated against Discord's registration rules, and used both to
//! register Discord slash commands and to parse console lines ([`parse`]). Both transports end
//! up with the same [`Invocation`]: an action name plus typed, validated option values, or a
//! list of [`Msg`](crate::domain::Msg) problems to show the user.

mod convert;
mod localize;
pub mod parse;
pub mod spec;
pub(crate) mod suggest;
mod tokenize;
mod validate;

pub use parse::{bind, parse_line, Invocation, ParseContext, RawValue, Value};
pub use spec::{
    Catalog, ChoiceSpec, CommandSpec, OptionFormat, OptionSpec, OptionType, SubcommandSpec,
};
