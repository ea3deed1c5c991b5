//! The module graph has no upward arrow: the layers below the command line
//! (`store`, `ops`, `record`, `machine`, `config`, `replay`, `trust`, `sync`,
//! `checkout`, `runner`, `diff`, `repo`, `api`) never import the terminal
//! layers (`ui`, `cli`, `commands`). Checked on the source, so a new upward
//! import fails the suite where it is written.

use std::path::{Path, PathBuf};

/// Upward imports that exist and are scheduled to go, each with why it is
/// still there. The test fails when one disappears too, so this list stays
/// true.
const KNOWN: &[(&str, &str)] = &[(
    "src/store/cache.rs",
    "caches `list --json` elements rendered with ui::json::UpgradeJson",
)];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn lower_layers_never_import_the_terminal_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lower = [
        "src/store",
        "src/ops",
        "src/trust",
        "src/sync",
        "src/checkout",
        "src/replay",
        "src/record.rs",
        "src/machine.rs",
        "src/config.rs",
        "src/replay.rs",
        "src/runner.rs",
        "src/diff.rs",
        "src/repo.rs",
        "src/api.rs",
        "src/time.rs",
        "src/ids.rs",
        "src/text",
        "src/worktree.rs",
        "src/interrupt.rs",
    ];
    let mut files = Vec::new();
    for l in lower {
        let p = root.join(l);
        if p.is_dir() {
            rust_files(&p, &mut files);
        } else if p.exists() {
            files.push(p);
        }
    }
    assert!(files.len() > 20, "the source tree moved: {files:?}");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let upward = text.lines().any(|l| {
            let code = l.split("//").next().unwrap_or("");
            ["crate::ui", "crate::cli", "crate::commands"]
                .iter()
                .any(|m| code.contains(m))
        });
        if upward {
            found.push(f.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        }
    }
    found.sort();
    let known: Vec<String> = KNOWN.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        found, known,
        "imports of ui/cli/commands from a lower layer"
    );
}
