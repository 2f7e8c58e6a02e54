//! The approval engine as users meet it: buttons, races.

mod buttons;
mod concurrency;
mod unknown_values;
