//! The project policy: `.upgrades.toml`, read from the target branch's
//! committed tree (never the working tree, never the proposal), so a proposal
//! cannot change the rules it is judged by. Parsed strictly: unknown keys and
//! wrong types are errors naming the file, key and line.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::time::parse_duration;

/// The policy file's name at the root of the target branch.
pub const POLICY_FILE: &str = ".upgrades.toml";
/// The policy file is refused when larger than this.
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// The whole file, as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Default target branch.
    pub target: Option<String>,
    /// `[test]`
    #[serde(default)]
    pub test: TestSection,
    /// `[policy]`
    #[serde(default)]
    pub policy: PolicySection,
    /// `[auto_approve]`; absent means never.
    pub auto_approve: Option<AutoApproveSection>,
}

/// `[test]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TestSection {
    /// Run by `sh -c` in a checkout of the candidate.
    pub command: Option<String>,
    /// Like `30m`; default 30 minutes.
    pub timeout: Option<String>,
    /// `warm` (default), `clean` or `fresh`: what a test run may reuse.
    pub checkout: Option<String>,
}

/// `[policy]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    /// Distinct approvals needed (default 1).
    pub required_approvals: Option<u32>,
    /// May the proposer approve (default false).
    pub allow_self_approval: Option<bool>,
    /// Emails allowed to approve; empty means anyone.
    pub approvers: Option<Vec<String>>,
    /// Approvals must be signed (default false).
    pub require_signed_approvals: Option<bool>,
    /// Approvals must be signed when the change touches one of these paths.
    pub signed_paths: Option<Vec<String>>,
    /// The hub's pre-receive hook runs the test command on a pushed landing.
    pub hub_runs_tests: Option<bool>,
    /// Size limit in changed lines (default 10000).
    pub max_diff_lines: Option<u64>,
    /// Paths whose change flags a proposal (default: the policy file).
    pub protected_paths: Option<Vec<String>>,
    /// Allow `apply --urgent` (default false).
    pub allow_urgent: Option<bool>,
    /// Allow `apply --urgent --skip-tests` (default false).
    pub allow_urgent_skip_tests: Option<bool>,
    /// Path, in the target's tree, of an ssh allowed-signers file for signed approvals.
    pub allowed_signers: Option<String>,
    /// Expire proposals older than this (default 14d).
    pub expire_after: Option<String>,
    /// Prune closed upgrades older than this (default 90d).
    pub prune_after: Option<String>,
}

/// `[auto_approve]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AutoApproveSection {
    /// Minimum age before auto-approval.
    pub after: Option<String>,
    /// Maximum changed lines.
    pub max_lines: Option<u64>,
    /// Globs every changed path must match.
    pub paths: Option<Vec<String>>,
}

/// The effective policy with defaults applied and durations parsed. Every
/// `*_secs` field is at most [`crate::time::MAX_DURATION_SECS`] (100 years),
/// so it converts to `i64` and adds to an `Instant` without overflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Where the policy came from, for messages (`main:.upgrades.toml`), or None if absent.
    pub source: Option<String>,
    /// Default target from the file.
    pub target: Option<String>,
    /// The test command; None means tests are not configured.
    pub test_command: Option<String>,
    /// Test timeout in seconds.
    pub test_timeout_secs: u64,
    /// What a test run may reuse from earlier runs.
    pub test_checkout: CheckoutMode,
    /// Distinct approvals needed.
    pub required_approvals: u32,
    /// May the proposer approve.
    pub allow_self_approval: bool,
    /// Allowed approver emails (lower-cased); empty means anyone.
    pub approvers: Vec<String>,
    /// Approvals must be signed.
    pub require_signed_approvals: bool,
    /// Approvals must be signed for changes touching these globs.
    pub signed_paths: Vec<String>,
    /// The hub's hook runs the tests on a pushed landing before accepting it.
    pub hub_runs_tests: bool,
    /// Size limit in changed lines.
    pub max_diff_lines: u64,
    /// Protected paths (exact paths or globs).
    pub protected_paths: Vec<String>,
    /// Allow urgent bypass.
    pub allow_urgent: bool,
    /// Allow urgent bypass without tests.
    pub allow_urgent_skip_tests: bool,
    /// Allowed-signers file path in the target's tree.
    pub allowed_signers: Option<String>,
    /// Seconds after which proposals expire.
    pub expire_after_secs: u64,
    /// Seconds after which closed upgrades are pruned.
    pub prune_after_secs: u64,
    /// Auto-approve rule, if any.
    pub auto_approve: Option<AutoApprove>,
}

/// `[test] checkout`: what a test run may reuse from earlier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckoutMode {
    /// The reused checkout, keeping ignored build outputs that only the
    /// commit itself or commits already in the target wrote.
    #[default]
    Warm,
    /// The reused checkout, holding nothing but the commit's tree.
    Clean,
    /// A new checkout every run.
    Fresh,
}

/// The effective auto-approve rule.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoApprove {
    /// Minimum age in seconds.
    pub after_secs: u64,
    /// Maximum changed lines.
    pub max_lines: u64,
    /// Globs every path must match.
    pub paths: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            source: None,
            target: None,
            test_command: None,
            test_timeout_secs: 30 * 60,
            test_checkout: CheckoutMode::Warm,
            required_approvals: 1,
            allow_self_approval: false,
            approvers: Vec::new(),
            require_signed_approvals: false,
            signed_paths: Vec::new(),
            hub_runs_tests: false,
            max_diff_lines: 10_000,
            protected_paths: vec![POLICY_FILE.to_string()],
            allow_urgent: false,
            allow_urgent_skip_tests: false,
            allowed_signers: None,
            expire_after_secs: 14 * 86_400,
            prune_after_secs: 90 * 86_400,
            auto_approve: None,
        }
    }
}

impl Policy {
    /// Parse the file's text; `origin` names it in errors (e.g. `main:.upgrades.toml`).
    pub fn parse(text: &str, origin: &str) -> Result<Policy> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| {
            let detail = e
                .to_string()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            Error::failure(format!("invalid policy file {origin}: {detail}"))
        })?;
        Self::from_file(file, origin, text)
    }

    fn from_file(file: PolicyFile, origin: &str, text: &str) -> Result<Policy> {
        let d = Policy::default();
        let dur = |key: &str, value: &Option<String>, default: u64| -> Result<u64> {
            match value {
                None => Ok(default),
                Some(v) => parse_duration(v).map_err(|why| {
                    Error::failure(format!(
                        "invalid policy file {origin}: key `{key}`{}: {:?} {why}",
                        line_of(text, key),
                        crate::text::escape::text_max(v, 40),
                    ))
                }),
            }
        };
        let globs = |key: &str, values: &[String]| -> Result<()> {
            for g in values {
                if let Err(why) = validate_glob(g) {
                    return Err(Error::failure(format!(
                        "invalid policy file {origin}: key `{key}`{}: glob {g:?} {why}",
                        line_of(text, key)
                    )));
                }
            }
            Ok(())
        };
        if let Some(paths) = &file.policy.protected_paths {
            globs("policy.protected_paths", paths)?;
        }
        if let Some(paths) = &file.policy.signed_paths {
            globs("policy.signed_paths", paths)?;
        }
        if let Some(paths) = file.auto_approve.as_ref().and_then(|a| a.paths.as_ref()) {
            globs("auto_approve.paths", paths)?;
        }
        if let Some(target) = &file.target {
            crate::ids::validate_branch_name(target).map_err(|e| {
                Error::failure(format!(
                    "invalid policy file {origin}: key `target`: {}",
                    e.message
                ))
            })?;
        }
        let command = file.test.command.filter(|c| !c.trim().is_empty());
        let timeout = dur("test.timeout", &file.test.timeout, d.test_timeout_secs)?;
        if timeout == 0 {
            return Err(Error::failure(format!(
                "invalid policy file {origin}: key `test.timeout`{} must be positive",
                line_of(text, "test.timeout")
            )));
        }
        let test_checkout = match file.test.checkout.as_deref() {
            None | Some("warm") => CheckoutMode::Warm,
            Some("clean") => CheckoutMode::Clean,
            Some("fresh") => CheckoutMode::Fresh,
            Some(other) => {
                return Err(Error::failure(format!(
                    "invalid policy file {origin}: key `test.checkout`{} must be \"warm\", \"clean\" or \"fresh\", not {:?}",
                    line_of(text, "test.checkout"),
                    crate::record::sanitize_line(other, 40)
                )))
            }
        };
        let p = file.policy;
        let auto_approve = match file.auto_approve {
            None => None,
            Some(a) => Some(AutoApprove {
                after_secs: dur("auto_approve.after", &a.after, 86_400)?,
                max_lines: a.max_lines.unwrap_or(50),
                paths: a.paths.unwrap_or_default(),
            }),
        };
        Ok(Policy {
            source: Some(origin.to_string()),
            target: file.target,
            test_command: command,
            test_timeout_secs: timeout,
            test_checkout,
            required_approvals: p.required_approvals.unwrap_or(d.required_approvals).max(1),
            allow_self_approval: p.allow_self_approval.unwrap_or(d.allow_self_approval),
            approvers: p
                .approvers
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.trim().to_ascii_lowercase())
                .collect(),
            require_signed_approvals: p
                .require_signed_approvals
                .unwrap_or(d.require_signed_approvals),
            signed_paths: p.signed_paths.unwrap_or_default(),
            hub_runs_tests: p.hub_runs_tests.unwrap_or(false),
            max_diff_lines: p.max_diff_lines.unwrap_or(d.max_diff_lines),
            protected_paths: p.protected_paths.unwrap_or(d.protected_paths),
            allow_urgent: p.allow_urgent.unwrap_or(d.allow_urgent),
            allow_urgent_skip_tests: p.allow_urgent_skip_tests.unwrap_or(false),
            allowed_signers: p.allowed_signers,
            expire_after_secs: dur("policy.expire_after", &p.expire_after, d.expire_after_secs)?,
            prune_after_secs: dur("policy.prune_after", &p.prune_after, d.prune_after_secs)?,
            auto_approve,
        })
    }

    /// True when approvals of a change touching `paths` must be signed.
    pub fn requires_signatures<'a>(&self, mut paths: impl Iterator<Item = &'a str>) -> bool {
        self.require_signed_approvals
            || paths.any(|p| self.signed_paths.iter().any(|g| glob_match(g, p)))
    }

    /// True if `path` is the policy file or matches a protected path.
    pub fn is_protected(&self, path: &str) -> bool {
        path == POLICY_FILE || self.protected_paths.iter().any(|p| glob_match(p, path))
    }
}

/// " (line N)" for the line that sets a dotted key (`section.key`): the first
/// line setting `key` after the `[section]` header, else the first anywhere.
fn line_of(text: &str, dotted_key: &str) -> String {
    let (section, key) = dotted_key.rsplit_once('.').unwrap_or(("", dotted_key));
    let sets_key = |l: &str| {
        l.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    let header = format!("[{section}]");
    let start = if section.is_empty() {
        None
    } else {
        text.lines()
            .position(|l| l.split('#').next().unwrap_or("").trim() == header)
    };
    start
        .and_then(|s| {
            text.lines()
                .enumerate()
                .skip(s + 1)
                .take_while(|(_, l)| !l.trim_start().starts_with('['))
                .find(|(_, l)| sets_key(l))
                .map(|(n, _)| n)
        })
        .or_else(|| text.lines().position(sets_key))
        .map(|n| format!(" (line {})", n + 1))
        .unwrap_or_default()
}

/// Globs we accept: non-empty, relative, git's wildmatch syntax (`*`, `**`,
/// `?`, `[...]`, `\` escapes, a leading `/` to anchor, a trailing `/` for
/// everything under a directory), but not `{a,b}` (git has no braces: it
/// would match literally and protect nothing) nor a leading `!` (a list of
/// rules has no exceptions).
pub fn validate_glob(glob: &str) -> std::result::Result<(), &'static str> {
    if glob.trim().is_empty() {
        return Err("is empty");
    }
    if glob.contains(['{', '}', '\0']) {
        return Err("uses {} braces, which git's patterns do not have (list each pattern)");
    }
    if glob.starts_with('!') {
        return Err("starts with !, but a path rule has no exceptions");
    }
    if glob.split('/').any(|c| c == "..") {
        return Err("contains `..`");
    }
    if gix_glob::Pattern::from_bytes_without_negation(glob.as_bytes()).is_none() {
        return Err("is not a valid pattern");
    }
    Ok(())
}

/// Whether repository-relative `path` (a file) matches `pattern` with git's
/// own semantics, as `.gitignore` reads it (gix-glob, `*` not crossing `/`):
/// a pattern without `/` matches the file name in any directory, a leading
/// `/` anchors at the root, `**` crosses directories, and a trailing `/`
/// (a directory) matches every file under it. Case-sensitive, as git is by
/// default: a security rule must not depend on the file system.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = match pattern.strip_suffix('/') {
        Some(dir) if !dir.is_empty() => format!("{dir}/**"),
        _ => pattern.to_string(),
    };
    let Some(p) = gix_glob::Pattern::from_bytes_without_negation(pattern.as_bytes()) else {
        return false;
    };
    let basename = path.rfind('/').map(|i| i + 1);
    p.matches_repo_relative_path(
        path.into(),
        basename,
        Some(false),
        gix_glob::pattern::Case::Sensitive,
        gix_glob::wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
    )
}

/// The policy as committed on `tip` of the target branch (defaults if absent).
pub fn policy_at(repo: &gix::Repository, branch: &str, tip: gix::ObjectId) -> Result<Policy> {
    let tree = repo.find_commit(tip)?.tree()?;
    let Some(entry) = tree.find_entry(POLICY_FILE) else {
        return Ok(Policy::default());
    };
    let origin = format!("{branch}:{POLICY_FILE}");
    let object = entry.object()?;
    if object.data.len() > MAX_POLICY_BYTES {
        return Err(Error::failure(format!("policy file {origin} is too large")));
    }
    let text = std::str::from_utf8(&object.data)
        .map_err(|_| Error::failure(format!("invalid policy file {origin}: not UTF-8")))?;
    Policy::parse(text, &origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let text = r#"
target = "main"
[test]
command = "cargo test --locked"
timeout = "30m"
[policy]
required_approvals = 2
allow_self_approval = false
approvers = ["Alice@Example.com"]
require_signed_approvals = false
max_diff_lines = 10000
protected_paths = [".upgrades.toml"]
allow_urgent = false
expire_after = "14d"
prune_after = "90d"
[auto_approve]
after = "24h"
max_lines = 50
paths = ["docs/**", "*.md"]
"#;
        let p = Policy::parse(text, "main:.upgrades.toml").unwrap();
        assert_eq!(p.test_command.as_deref(), Some("cargo test --locked"));
        assert_eq!(p.required_approvals, 2);
        assert_eq!(p.approvers, vec!["alice@example.com"]);
        assert_eq!(p.auto_approve.unwrap().after_secs, 86_400);
    }

    #[test]
    fn errors_name_file_key_and_line() {
        let err = Policy::parse("[test]\ncomand = \"x\"\n", "main:.upgrades.toml").unwrap_err();
        assert!(err.message.contains("main:.upgrades.toml"), "{err}");
        assert!(err.message.contains("line 2"), "{err}");
        assert!(err.message.contains("comand"), "{err}");
        let err = Policy::parse("[policy]\nrequired_approvals = \"two\"\n", "f").unwrap_err();
        assert!(err.message.contains("line 2"), "{err}");
        let err = Policy::parse("[test]\ntimeout = \"soon\"\n", "f").unwrap_err();
        assert!(err.message.contains("test.timeout"), "{err}");
    }

    #[test]
    fn durations_beyond_the_maximum_are_errors_naming_key_and_line() {
        for (section, key) in [
            ("test", "timeout"),
            ("policy", "expire_after"),
            ("policy", "prune_after"),
            ("auto_approve", "after"),
        ] {
            for value in ["10000000000000000000s", "9223372036854775807", "36501d"] {
                let text = format!("# policy\n[{section}]\n{key} = \"{value}\"\n");
                let err = Policy::parse(&text, "main:.upgrades.toml").unwrap_err();
                assert!(err.message.contains(&format!("`{section}.{key}`")), "{err}");
                assert!(err.message.contains("(line 3)"), "{err}");
                assert!(err.message.contains("100 years"), "{err}");
            }
            let text = format!("[{section}]\n{key} = \"36500d\"\n");
            let p = Policy::parse(&text, "f").unwrap();
            let secs = match (section, key) {
                ("test", _) => p.test_timeout_secs,
                (_, "expire_after") => p.expire_after_secs,
                (_, "prune_after") => p.prune_after_secs,
                _ => p.auto_approve.unwrap().after_secs,
            };
            assert_eq!(secs, crate::time::MAX_DURATION_SECS);
        }
    }

    #[test]
    fn line_numbers_follow_the_section() {
        let text = "[auto_approve]\nafter = \"1h\"\n[test]\ntimeout = \"0\"\n";
        let err = Policy::parse(text, "f").unwrap_err();
        assert!(err.message.contains("(line 4)"), "{err}");
        let text = "[test]\ntimeout = \"1h\"\n[policy]\nexpire_after = \"x\"\n";
        let err = Policy::parse(text, "f").unwrap_err();
        assert!(err.message.contains("(line 4)"), "{err}");
    }

    #[test]
    fn globs() {
        assert!(glob_match("docs/**", "docs/a/b.md"));
        assert!(glob_match("*.md", "deep/README.md"));
        assert!(!glob_match("docs/*", "docs/a/b.md"));
        assert!(glob_match("src/**/*.rs", "src/a/b/c.rs"));
        assert!(glob_match("src/**/*.rs", "src/c.rs"));
        assert!(!glob_match("*.md", "README.txt"));
        assert!(glob_match(".upgrades.toml", ".upgrades.toml"));
    }

    #[test]
    fn globs_follow_git_semantics() {
        // `**` at the start, middle and end.
        assert!(glob_match("**/secret.key", "secret.key"));
        assert!(glob_match("**/secret.key", "a/b/secret.key"));
        assert!(glob_match("a/**/z", "a/z"));
        assert!(glob_match("a/**/z", "a/b/c/z"));
        assert!(glob_match(".github/**", ".github/workflows/ci.yml"));
        // A leading `/` anchors at the root; without a `/`, any directory.
        assert!(glob_match("/Makefile", "Makefile"));
        assert!(!glob_match("/Makefile", "sub/Makefile"));
        assert!(glob_match("Makefile", "sub/Makefile"));
        // A pattern with a `/` inside is anchored too.
        assert!(glob_match("src/main.rs", "src/main.rs"));
        assert!(!glob_match("src/main.rs", "vendor/src/main.rs"));
        // A directory pattern covers every file under it.
        assert!(glob_match("deploy/", "deploy/prod.yml"));
        assert!(glob_match("deploy/", "deploy/a/b.yml"));
        assert!(!glob_match("deploy/", "deployment.yml"));
        // Character classes and escapes, as git has them.
        assert!(glob_match("file[0-9].txt", "dir/file7.txt"));
        assert!(!glob_match("file[0-9].txt", "filex.txt"));
        assert!(glob_match("a\\*b", "a*b"));
        assert!(!glob_match("a\\*b", "axb"));
        // Case-sensitive, whatever the file system.
        assert!(!glob_match("*.MD", "README.md"));
        assert!(!glob_match("Secrets/", "secrets/key"));
        // What git's patterns do not have is refused where policies are read.
        assert!(validate_glob("{a,b}/x").is_err());
        assert!(validate_glob("!keep.txt").is_err());
        assert!(validate_glob("[abc]/x").is_ok());
        assert!(validate_glob("../x").is_err());
    }
}
