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

/// Why a string is not a usable upgrade id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidId {
    /// Nothing at all.
    #[error("empty")]
    Empty,
    /// Longer than [`MAX_ID_LEN`].
    #[error("too long")]
    TooLong,
    /// A character other than letters, digits, `.`, `_` and `-`.
    #[error("only letters, digits, '.', '_' and '-' are allowed")]
    Character,
    /// Starts with `.`, `_` or `-`.
    #[error("must start with a letter or digit")]
    Start,
    /// Allowed characters that git refuses in a ref name (`..`, `.lock`).
    #[error("not usable in a ref name")]
    RefName,
}

/// What is wrong with `id` as an upgrade id (or id prefix), if anything.
pub fn check_id(id: &str) -> std::result::Result<(), InvalidId> {
    if id.is_empty() {
        return Err(InvalidId::Empty);
    }
    if id.len() > MAX_ID_LEN {
        return Err(InvalidId::TooLong);
    }
    if !id
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
    {
        return Err(InvalidId::Character);
    }
    if !id.as_bytes()[0].is_ascii_alphanumeric() {
        return Err(InvalidId::Start);
    }
    if id.contains("..") || id.ends_with('.') || id.ends_with(".lock") {
        return Err(InvalidId::RefName);
    }
    Ok(())
}

/// Check an id (or id prefix) typed by a user or found in a ref name: a
/// usage error (exit 2) whose source is the [`InvalidId`].
pub fn validate_id(id: &str) -> Result<()> {
    check_id(id).map_err(|why| {
        let mut err = Error::with_source(
            format!(
                "invalid upgrade id {:?}",
                crate::text::sanitize_line(id, 80)
            ),
            why,
        );
        err.kind = crate::error::Kind::Usage;
        err.hint("ids use letters, digits, '.', '_' and '-', start with a letter or digit, at most 64 characters")
    })
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
    fn an_invalid_id_says_why_as_a_typed_source() {
        use std::error::Error as _;
        for (bad, why) in [
            ("", InvalidId::Empty),
            ("a b", InvalidId::Character),
            ("-x", InvalidId::Start),
            ("x.lock", InvalidId::RefName),
        ] {
            assert_eq!(check_id(bad), Err(why));
            let err = validate_id(bad).unwrap_err();
            assert_eq!(err.kind, crate::error::Kind::Usage);
            assert_eq!(
                err.source().and_then(|s| s.downcast_ref::<InvalidId>()),
                Some(&why)
            );
            assert_eq!(
                err.to_string(),
                format!("invalid upgrade id {bad:?}: {why}")
            );
        }
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
