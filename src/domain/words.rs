//! `words!`: an enum of stored words (a status, a kind) with its one spelling each, so every
//! table's closed set of values reads and writes the same way.

/// Declares `pub enum $name` whose variants are stored as the given words, with `ALL`,
/// `as_str`, a lenient `parse` (for what people type: surrounding spaces allowed), an exact
/// `TryFrom<&str>` (for stored values, see `store::decode`), `Display` (padded, for aligned
/// listings) and `Serialize` as the word.
macro_rules! words {
    (
        $(#[$doc:meta])*
        $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored (and typed) word.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parses the typed word (surrounding spaces allowed).
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s.trim())
            }
        }
        /// The stored word, exactly.
        impl TryFrom<&str> for $name {
            type Error = ();
            fn try_from(s: &str) -> Result<$name, ()> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(())
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use words;
