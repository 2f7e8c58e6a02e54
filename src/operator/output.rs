//! Standard output of the command line. Everything `bizdesk` prints for an operator goes
//! through [`line`] (the [`outln!`](crate::outln) macro) or [`write`], which return write
//! errors instead of panicking like `println!`; `main` then treats a reader that went away
//! ([`is_closed_pipe`]: `bizdesk audit verify | head -1`, `org sync FILE | true`) as the end
//! of the output, quietly and with the same exit code for every subcommand.

use crate::domain::text::display_safe;
use std::io::Write;

/// Writes one formatted line to standard output.
pub fn line(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    write(&format!("{args}\n"))
}

/// Writes text (a whole report) to standard output, stored values in it made harmless to the
/// terminal as the console does ([`display_safe`]).
pub fn write(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(display_safe(text).as_bytes())?;
    out.flush()
}

/// Whether `e` comes from writing to a pipe whose reader has gone, wherever in the chain the
/// write error sits (also inside a use case's internal error).
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::BrokenPipe;
        }
        match c.downcast_ref::<crate::service::DeskError>() {
            Some(crate::service::DeskError::Internal(inner)) => is_closed_pipe(inner),
            _ => false,
        }
    })
}

/// `println!` for the command line: writes a line to standard output and returns the
/// `std::io::Result` (a closed pipe is an error to pass up, never a panic).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::operator::output::line(format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::DeskError;

    #[test]
    fn a_closed_pipe_is_recognised_inside_a_desk_error() {
        let pipe = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_closed_pipe(&anyhow::Error::from(pipe())));
        let wrapped = DeskError::Internal(anyhow::Error::from(pipe()).context("writing"));
        assert!(is_closed_pipe(&anyhow::Error::from(wrapped)));
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!is_closed_pipe(&anyhow::Error::from(other)));
    }
}
