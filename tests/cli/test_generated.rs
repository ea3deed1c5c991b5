//! The committed man pages and completions match the clap definitions.

use std::path::Path;

fn check(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    for (name, want) in files {
        let have = std::fs::read(root.join(&name)).unwrap_or_default();
        assert!(
            have == want,
            "{dir}/{name} is stale; regenerate with `cargo run -- util man man && cargo run -- util completions completions`"
        );
    }
}

#[test]
fn man_pages_are_fresh() {
    check("man", git_upgrades::commands::util::man_pages().unwrap());
}

#[test]
fn completions_are_fresh() {
    check("completions", git_upgrades::commands::util::completions());
}
