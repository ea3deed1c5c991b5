//! The module graph has no upward arrow: the layers below the command line
//! (`store`, `ops`, `record`, `machine`, `config`, `replay`, `trust`, `sync`,
//! `checkout`, `runner`, `diff`, `repo`, `api`) never import the terminal
//! layers (`ui`, `cli`, `commands`). Checked on the source, so a new upward
//! import fails the suite where it is written.

use std::path::{Path, PathBuf};

/// Upward imports that exist and are scheduled to go, each with why it is
/// still there (none today). The test fails when one disappears too, so this
/// list stays true.
const KNOWN: &[(&str, &str)] = &[];

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
        "src/interdiff.rs",
        "src/conversation.rs",
        "src/refs.rs",
        "src/detect.rs",
        "src/detect",
        "src/install.rs",
        "src/error.rs",
        "src/lib.rs",
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

/// Every `crate::<module>` a top-level module's code names (comments
/// ignored), as edges between top-level modules.
fn module_graph(
    root: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for f in files {
        let rel = f.strip_prefix(root.join("src")).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let from = first.trim_end_matches(".rs").to_string();
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("crate::{"),
                "{}: name modules one per path, so this test sees them: {line}",
                rel.display()
            );
            for (at, _) in code.match_indices("crate::") {
                let to: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !to.is_empty() && to != from {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    graph
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let graph = module_graph(root);
    assert!(graph.len() > 20, "the source tree moved: {graph:?}");
    // Depth-first search; a back edge is a cycle, reported as its path.
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            panic!("import cycle between modules: {}", cycle.join(" -> "));
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_string());
    }
    let mut done = std::collections::BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}
