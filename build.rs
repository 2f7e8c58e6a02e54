// Rebuild when embedded files change (include_dir and sqlx::migrate! do not track new files).
fn main() {
    for dir in ["templates", "commands", "migrations", "config"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
