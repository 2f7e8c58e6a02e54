//! The approval engine as users meet it: buttons, races.

mod buttons;
mod concurrency;
mod new_subject;
mod unknown_values;
