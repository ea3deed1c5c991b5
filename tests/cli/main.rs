//! Integration tests: the real binary against real git repositories.

mod common;
mod test_api;
mod test_audit;
mod test_badge;
mod test_cache;
mod test_ci;
mod test_core;
mod test_display;
mod test_errors;
mod test_explain;
mod test_export;
mod test_first_hour;
mod test_fuzz;
mod test_generated;
mod test_hostile;
mod test_hub;
mod test_isolation;
mod test_layers;
mod test_output;
mod test_policy;
mod test_readme;
mod test_recovery;
mod test_reftable;
mod test_reliability;
mod test_review;
mod test_scale;
mod test_shell;
mod test_snapshots;
mod test_sync;
mod test_trust;
mod test_wait;
mod test_warm;

#[test]
fn test_no_forgotten_test_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".rs") {
            if stem != "main" {
                assert!(
                    main.contains(&format!("mod {stem};")),
                    "tests/cli/{name} is not in main.rs"
                );
            }
        }
    }
}
