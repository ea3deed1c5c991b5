//! The derived cache of `verify`: the last fully proven audit of a branch,
//! kept in `<common-dir>/upgrades/verify/` (private to this clone).
//!
//! Why reusing it is sound: a proven step is proven by immutable objects
//! only (the landed commit, the replayed event chain at a given commit, the
//! policy and allowed-signers files committed at the previous tip), so a
//! proof once made stays true whatever refs do later. Only audits without a
//! violation are kept (a violation may be explained by refs fetched later),
//! and a cached audit is used only for the same branch name, the same
//! `--since` and the same program version, for a tip equal to the cached one
//! (the rendered output is replayed) or descending from it (only the new
//! steps are audited). Anything that does not parse or match is a miss.
//!
//! Files, all written to a temporary name and renamed:
//! - `<name>.audit`: the [`Audit`] as JSON;
//! - `<name>.<mode>`: the output exactly as printed, after the escaping
//!   guard (`plain`, `ascii` or `json`),
//!   whose first line is the key's nonce, so an output from another run is
//!   never mistaken for this key's;
//! - `<name>.key`: the [`Key`], written last.

use std::io::Write;
use std::path::PathBuf;

use gix::ObjectId;

use crate::trust::audit::Audit;

/// What an audit was made for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Key {
    /// The program version that made it.
    pub version: String,
    /// The target branch name.
    pub target: String,
    /// The tip audited.
    pub tip: String,
    /// The `--since` commit, if any.
    pub since: Option<String>,
    /// Ties the output files to this key.
    pub nonce: String,
    /// The sizes of the output files written with it, by mode.
    pub outputs: Vec<(String, u64)>,
}

/// The cache directory of one repository.
fn dir(repo: &gix::Repository) -> PathBuf {
    crate::repo::private_dir(repo).join("verify")
}

/// A file name for a branch name (any bytes git allows in one).
fn stem(target: &str) -> String {
    // FNV-1a: stable, and the full name is checked inside the key.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in target.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn read_key(repo: &gix::Repository, target: &str) -> Option<Key> {
    let text = std::fs::read(dir(repo).join(format!("{}.key", stem(target)))).ok()?;
    let key: Key = serde_json::from_slice(&text).ok()?;
    (key.version == env!("CARGO_PKG_VERSION") && key.target == target).then_some(key)
}

/// The rendered output for exactly this tip, in `mode`, if cached.
pub fn output(
    repo: &gix::Repository,
    target: &str,
    tip: ObjectId,
    since: Option<ObjectId>,
    mode: &str,
) -> Option<Vec<u8>> {
    let key = read_key(repo, target)?;
    if key.tip.parse::<ObjectId>().ok() != Some(tip) || key.since != since.map(|s| s.to_string()) {
        return None;
    }
    let size = key.outputs.iter().find(|(m, _)| m == mode)?.1;
    let path = dir(repo).join(format!("{}.{mode}", stem(target)));
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(format!("{}\n", key.nonce).as_bytes())?;
    (body.len() as u64 == size).then(|| body.to_vec())
}

/// The cached audit of the whole history (no `--since`), to extend.
pub fn audit(repo: &gix::Repository, target: &str) -> Option<Audit> {
    let key = read_key(repo, target)?;
    if key.since.is_some() {
        return None;
    }
    let bytes = std::fs::read(dir(repo).join(format!("{}.audit", stem(target)))).ok()?;
    let audit: Audit = serde_json::from_slice(&bytes).ok()?;
    (audit.tip == key.tip && audit.target == target && audit.violations == 0).then_some(audit)
}

/// Keep `audit` (which must have no violation) and its rendered `output` in
/// `mode`. Failing to write the cache is not an error: it is only a cache.
pub fn save(
    repo: &gix::Repository,
    audit: &Audit,
    since: Option<ObjectId>,
    mode: &str,
    output: &[u8],
) {
    if audit.violations > 0 {
        return;
    }
    let _ = try_save(repo, audit, since, mode, output);
}

fn try_save(
    repo: &gix::Repository,
    audit: &Audit,
    since: Option<ObjectId>,
    mode: &str,
    output: &[u8],
) -> std::io::Result<()> {
    let dir = dir(repo);
    std::fs::create_dir_all(&dir)?;
    let stem = stem(&audit.target);
    let write = |name: String, parts: &[&[u8]]| -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        for p in parts {
            tmp.write_all(p)?;
        }
        tmp.persist(dir.join(name)).map_err(|e| e.error)?;
        Ok(())
    };
    let since = since.map(|s| s.to_string());
    // Outputs of other modes stay valid when the key names the same audit.
    let mut outputs = match read_key(repo, &audit.target) {
        Some(k) if k.tip == audit.tip && k.since == since => k.outputs,
        _ => Vec::new(),
    };
    let nonce = match read_key(repo, &audit.target) {
        Some(k) if k.tip == audit.tip && k.since == since => k.nonce,
        _ => {
            let json = serde_json::to_vec(audit)?;
            write(format!("{stem}.audit"), &[&json])?;
            format!("{:016x}{:08x}", rand_u64(), std::process::id())
        }
    };
    outputs.retain(|(m, _)| m != mode);
    outputs.push((mode.to_string(), output.len() as u64));
    write(format!("{stem}.{mode}"), &[nonce.as_bytes(), b"\n", output])?;
    let key = Key {
        version: env!("CARGO_PKG_VERSION").into(),
        target: audit.target.clone(),
        tip: audit.tip.clone(),
        since,
        nonce,
        outputs,
    };
    write(format!("{stem}.key"), &[&serde_json::to_vec(&key)?])
}

/// Unpredictable enough to tell two runs apart (not a secret).
fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// `newer` (audited from its tip down to `older.tip`) followed by `older`.
/// A walk that did not end at `older.tip` (a landing's previous tip jumped
/// over it) went on to the adoption point and is complete by itself.
pub fn extend(mut newer: Audit, older: Audit) -> Audit {
    if newer.steps.last().and_then(|s| s.previous.as_deref()) != Some(older.tip.as_str()) {
        return newer;
    }
    newer.proven += older.proven;
    newer.violations += older.violations;
    newer.steps.extend(older.steps);
    newer
}
