//! Property tests of every parser of persisted or hostile state: records,
//! events and policy files never panic, whatever the bytes.

use git_upgrades::config::Policy;
use git_upgrades::record::{Event, Record};
use proptest::prelude::*;

fn cases() -> u32 {
    if std::env::var_os("GIT_UPGRADES_STRESS").is_some() {
        20_000
    } else {
        1_000
    }
}

const VALID: &str = r#"upgrade u1 (proposed): d

{
  "format": 1,
  "id": "u1",
  "state": "proposed",
  "description": "d",
  "target": "main",
  "base": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "head": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  "proposed_by": "A <a@x>",
  "proposed_at": "2026-01-01T00:00:00Z",
  "files": [{"path": "a", "status": "added", "added": 1, "removed": 0}],
  "stats": {"files": 1, "added": 1, "removed": 0},
  "diff_preview": "",
  "tests": null,
  "approvals": [],
  "updated_at": "2026-01-01T00:00:00Z",
  "seq": 1
}
"#;

/// A record with every optional part: tests, approvals (one carried over a
/// rebase), a landing, the urgent bypass and a closure.
const COMPLETE: &str = r#"upgrade u1 (applied): d

{
  "format": 1,
  "id": "u1",
  "state": "applied",
  "description": "d\tescaped \u001b[31m",
  "target": "main",
  "base": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "head": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  "source": "HEAD",
  "proposed_by": "A <a@x>",
  "proposed_at": "2026-01-01T00:00:00Z",
  "files": [{"path": "a\nb", "status": "added", "added": 1, "removed": 0, "binary": false}],
  "stats": {"files": 1, "added": 1, "removed": 0},
  "diff_preview": "+x\n",
  "policy_change": true,
  "tests": {"status": "passed", "passed": true, "exit_code": 0, "duration_ms": 12, "command": "make test", "output": "ok\u0007", "commit": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "at": "2026-01-01T00:00:00Z"},
  "approvals": [{"by": "B <b@x>", "at": "2026-01-01T00:00:00Z", "head": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "comment": "lgtm", "carried_from": "cccccccccccccccccccccccccccccccccccccccc"}],
  "closed": {"by": "C <c@x>", "at": "2026-01-01T00:00:00Z", "reason": "r"},
  "landing": {"by": "B <b@x>", "at": "2026-01-01T00:00:00Z", "previous_target": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "new_target": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
  "urgent": {"by": "B <b@x>", "at": "2026-01-01T00:00:00Z", "reason": "down", "tests_skipped": false},
  "updated_at": "2026-01-01T00:00:00Z",
  "seq": 5
}
"#;

fn mutate(base: &str, edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for (pos, byte) in edits {
        if !bytes.is_empty() {
            let at = pos % bytes.len();
            bytes[at] = *byte;
        }
    }
    if let Some(c) = cut {
        bytes.truncate(c % (bytes.len() + 1));
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn records_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Record::from_note(&bytes, "u1");
    }

    #[test]
    fn mutated_records_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8), cut in proptest::option::of(any::<usize>())) {
        let bytes = mutate(VALID, &edits, cut);
        if let Ok(r) = Record::from_note(&bytes, "u1") {
            // Whatever parses also validates and round-trips.
            prop_assert_eq!(Record::from_json(&r.to_json(), "u1").unwrap(), r);
        }
    }

    #[test]
    fn mutated_complete_records_never_panic_or_print_control_characters(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8), cut in proptest::option::of(any::<usize>())) {
        let bytes = mutate(COMPLETE, &edits, cut);
        if let Ok(r) = Record::from_note(&bytes, "u1") {
            prop_assert_eq!(Record::from_json(&r.to_json(), "u1").unwrap(), r.clone());
            // The display block `git log --notes` prints is a few plain text lines.
            let summary = git_upgrades::store::note::display_block(&r, &[]);
            prop_assert!(summary.lines().count() <= 10, "{}", summary);
            prop_assert!(!summary.chars().any(|c| c.is_control() && c != '\n'), "{:?}", summary);
            // Every string of it, printed through the one escaping path, is clean.
            let mut strings = vec![r.description.clone(), r.proposed_by.clone(), r.target.clone()];
            strings.extend(r.files.iter().map(|f| git_upgrades::ui::escape::path(&f.path).into_owned()));
            strings.extend(r.approvals.iter().map(|a| a.by.clone()));
            strings.extend(r.tests.iter().map(|t| t.output.clone()));
            for text in strings {
                let shown = git_upgrades::ui::escape::text(&text);
                prop_assert!(!shown.chars().any(char::is_control), "{:?}", shown);
            }
        }
    }

    #[test]
    fn events_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Event::from_message(&bytes);
    }

    #[test]
    fn policies_never_panic(text in "[a-z_\\[\\]=\" 0-9.\n*/{}-]{0,200}") {
        let _ = Policy::parse(&text, "main:.upgrades.toml");
    }

    #[test]
    fn mutated_policies_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6)) {
        let base = "target = \"main\"\n[test]\ncommand = \"make test\"\ntimeout = \"30m\"\n[policy]\nrequired_approvals = 2\nexpire_after = \"14d\"\nprotected_paths = [\"a/**\"]\n[auto_approve]\nafter = \"1h\"\npaths = [\"docs/**\"]\n";
        let bytes = mutate(base, &edits, None);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = Policy::parse(text, "main:.upgrades.toml");
        }
    }
}

#[test]
fn report_fuzz_executions() {
    let line = format!("fuzz: {} cases for each of 6 parser properties", cases());
    println!("{line}");
    crate::common::report(&line);
}
