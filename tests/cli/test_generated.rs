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
    check("man", git_upgrades::cli::generate::man_pages().unwrap());
}

#[test]
fn completions_are_fresh() {
    check("completions", git_upgrades::cli::generate::completions());
}

/// The README's exit-code table is `error::EXIT_CODES`
/// (`UPDATE_README=1` rewrites it).
#[test]
fn the_readme_exit_codes_are_the_programs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let marker = "<!-- exit codes: generated from error::EXIT_CODES, checked by a test -->\n";
    let start = text
        .find(marker)
        .expect("the README marks its exit-code table")
        + marker.len();
    let end = start + text[start..].find("\n\n").unwrap_or(text.len() - start) + 1;
    let want = git_upgrades::error::exit_codes_markdown();
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &text[..start], want, &text[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &text[start..end],
        want,
        "README's exit codes; UPDATE_README=1 rewrites them"
    );
}
