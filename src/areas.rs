//! Every business area, gathered in one place at start-up: what each registers with the
//! shared machinery. Adding an area or a subject kind adds a line here, and nothing else
//! outside its folder.

use crate::approval::subject::Subjects;

/// The approval subject kinds of every area.
pub fn subjects() -> Subjects {
    Subjects::new(&[
        &crate::procurement::requisitions::subject::SUBJECT,
        &crate::sales::opportunities::subject::SUBJECT,
        &crate::sales::contracts::subject::SUBJECT,
    ])
}
