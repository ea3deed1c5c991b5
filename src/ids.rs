//! Upgrade ids and branch names: validation and generation.
//!
//! Every string that becomes part of a ref name passes through here, so that
//! nothing can write outside the tool's namespaces (`..`, `/`, `.lock`, control
//! characters and the like are refused).

use crate::error::{Error, Result};

/// Longest id we accept.
pub const MAX_ID_LEN: usize = 64;
/// Length of generated ids (hex digits); prefixes work like commit hashes.
pub const GENERATED_ID_LEN: usize = 8;

/// Check an id (or id prefix) typed by a user or found in a ref name.
pub fn validate_id(id: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::usage(format!("invalid upgrade id {:?}: {why}", crate::text::sanitize_line(id, 80)))
            .hint("ids use letters, digits, '.', '_' and '-', start with a letter or digit, at most 64 characters"))
    };
    if id.is_empty() {
        return bad("empty");
    }
    if id.len() > MAX_ID_LEN {
        return bad("too long");
    }
    if !id
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    {
        return bad("only letters, digits, '.', '_' and '-' are allowed");
    }
    if !id.as_bytes()[0].is_ascii_alphanumeric() {
        return bad("must start with a letter or digit");
    }
    if id.contains("..") || id.ends_with('.') || id.ends_with(".lock") {
        return bad("not usable in a ref name");
    }
    Ok(())
}

/// Check a branch name (without `refs/heads/`) the way `git check-ref-format --branch` would,
/// a little more strictly.
pub fn validate_branch_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::usage(format!(
            "invalid branch name {:?}: {why}",
            crate::text::sanitize_line(name, 80)
        )))
    };
    if name.is_empty() || name.len() > 255 {
        return bad("empty or too long");
    }
    if name.starts_with('-') || name.starts_with('/') || name.ends_with('/') || name.ends_with('.')
    {
        return bad("bad first or last character");
    }
    if name == "HEAD"
        || name == "@"
        || name.contains("..")
        || name.contains("//")
        || name.contains("@{")
    {
        return bad("not a valid ref name");
    }
    for component in name.split('/') {
        if component.starts_with('.') || component.ends_with(".lock") {
            return bad("a component starts with '.' or ends with '.lock'");
        }
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
    {
        return bad("contains a character git forbids in ref names");
    }
    Ok(())
}

/// A fresh random id: [`GENERATED_ID_LEN`] lowercase hex digits.
///
/// Randomness comes from the std hasher's per-process random keys mixed with
/// the time and pid; collisions are caught by the create-only ref update.
pub fn generate_id(seed: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write(seed.as_bytes());
    hasher.write_u32(std::process::id());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(d.as_nanos());
    }
    let mut id = format!("{:016x}", hasher.finish());
    // A purely numeric id reads like a count; keep ids looking like hashes.
    if id[..GENERATED_ID_LEN].bytes().all(|c| c.is_ascii_digit()) {
        id.replace_range(0..1, "a");
    }
    id.truncate(GENERATED_ID_LEN);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["abc123", "fix-1", "A.b_c", "0"] {
            assert!(validate_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-x",
            ".x",
            "a..b",
            "a/b",
            "x.lock",
            "a b",
            "a\nb",
            "ä",
            "x.",
            &"a".repeat(65),
            "../../heads/main",
        ] {
            assert!(validate_id(bad).is_err(), "{bad:?}");
        }
        let id = generate_id("seed");
        assert_eq!(id.len(), GENERATED_ID_LEN);
        assert!(validate_id(&id).is_ok());
    }

    #[test]
    fn branch_names() {
        for ok in ["main", "feature/x", "release-1.0"] {
            assert!(validate_branch_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "-x", "a..b", "a b", "x.lock", "a/.b", "HEAD", "a:b", "a\x07", "/a", "a/",
        ] {
            assert!(validate_branch_name(bad).is_err(), "{bad:?}");
        }
    }
}
