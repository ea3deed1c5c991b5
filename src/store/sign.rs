//! Signed event commits (approvals under `require_signed_approvals`) and
//! their verification, through git's own signing set-up (`user.signingkey`,
//! `gpg.format` ssh or openpgp). gix writes unsigned commits; signing and
//! verifying go through `git commit-tree -S` and `git verify-commit`, which
//! honour every signing option git users already have configured.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use gix::bstr::ByteSlice;
use gix::ObjectId;

use crate::error::{Context, Error, Result};
use crate::repo;

/// Write `commit` as a signed commit with `git commit-tree -S`; its id.
pub fn write_signed(repo: &gix::Repository, commit: &gix::objs::Commit) -> Result<ObjectId> {
    let mut cmd = repo::git(repo);
    cmd.arg("commit-tree")
        .arg("-S")
        .arg(commit.tree.to_string());
    for p in &commit.parents {
        cmd.arg("-p").arg(p.to_string());
    }
    let date = |t: &gix::date::Time| {
        let off = t.offset;
        let sign = if off < 0 { '-' } else { '+' };
        let off = off.abs();
        format!(
            "@{} {sign}{:02}{:02}",
            t.seconds,
            off / 3600,
            (off % 3600) / 60
        )
    };
    let a = &commit.author;
    let c = &commit.committer;
    cmd.env("GIT_AUTHOR_NAME", a.name.to_str_lossy().as_ref())
        .env("GIT_AUTHOR_EMAIL", a.email.to_str_lossy().as_ref())
        .env("GIT_AUTHOR_DATE", date(&a.time))
        .env("GIT_COMMITTER_NAME", c.name.to_str_lossy().as_ref())
        .env("GIT_COMMITTER_EMAIL", c.email.to_str_lossy().as_ref())
        .env("GIT_COMMITTER_DATE", date(&c.time))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().context("cannot run git to sign the event")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(&commit.message)
            .context("cannot pass the event to git")?;
    }
    let out = child
        .wait_with_output()
        .context("cannot run git to sign the event")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(Error::denied(format!("cannot sign the approval: {first}")).hint(
            "configure git's signing: git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub",
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .map_err(|_| Error::failure("git commit-tree printed no commit id"))
}

/// What verifying one event commit's signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// No signature.
    Unsigned,
    /// A good signature by this principal (an email for ssh, the key's uid for openpgp).
    Good(String),
    /// A cryptographically good signature by a key nobody allowed: not in the
    /// allowed signers file (ssh) or not in the keyring (openpgp).
    UnknownKey {
        /// The key as git names it (`ED25519 key SHA256:…`, or an openpgp key id).
        key: String,
        /// Where the key would have to be listed.
        missing_from: &'static str,
    },
    /// Signed, but it does not verify; why.
    Bad(String),
}

impl Signature {
    /// A short human form.
    pub fn describe(&self) -> String {
        match self {
            Signature::Unsigned => "unsigned".into(),
            Signature::Good(p) => format!("good signature by {p}"),
            Signature::UnknownKey { key, missing_from } => {
                format!("signed by a key not in the {missing_from} ({key})")
            }
            Signature::Bad(why) => format!("bad signature: {why}"),
        }
    }
}

/// A signature git checked but could not tie to an allowed signer: ssh's
/// `Good "git" signature with <key>` followed by `No principal matched.`, or
/// openpgp's `NO_PUBKEY`. None for anything else.
fn unknown_key(text: &str) -> Option<Signature> {
    if text.contains("Unable to open allowed keys file") {
        return None;
    }
    if text.lines().any(|l| l.trim() == "No principal matched.") {
        let key = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Good \"git\" signature with "))?;
        return Some(Signature::UnknownKey {
            key: key.trim().to_string(),
            missing_from: "allowed signers file",
        });
    }
    let line = text.lines().find(|l| l.contains("[GNUPG:] NO_PUBKEY "))?;
    let key = line.split_whitespace().nth(2).unwrap_or("").to_string();
    Some(Signature::UnknownKey {
        key: format!("openpgp key {key}"),
        missing_from: "keyring",
    })
}

/// True when the commit carries a `gpgsig` header.
pub fn is_signed(repo: &gix::Repository, commit: ObjectId) -> Result<bool> {
    Ok(repo.find_commit(commit)?.signature()?.is_some())
}

/// Verify `commit` with `git verify-commit`, using `allowed_signers` for ssh
/// signatures when given (else git's `gpg.ssh.allowedSignersFile`).
pub fn verify(
    repo: &gix::Repository,
    commit: ObjectId,
    allowed_signers: Option<&Path>,
) -> Result<Signature> {
    if !is_signed(repo, commit)? {
        return Ok(Signature::Unsigned);
    }
    let mut cmd = repo::git(repo);
    if let Some(file) = allowed_signers {
        cmd.arg("-c")
            .arg(format!("gpg.ssh.allowedSignersFile={}", file.display()));
    }
    cmd.args(["verify-commit", "--raw"])
        .arg(commit.to_string())
        .stdin(Stdio::null());
    let out = cmd
        .output()
        .context("cannot run git to verify a signature")?;
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        if let Some(unknown) = unknown_key(&text) {
            return Ok(unknown);
        }
        // ssh prints `Good "git" signature with …` before saying why it still
        // fails; the reason is the first other line.
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with("Good \"git\" signature"))
            .unwrap_or("does not verify")
            .trim();
        return Ok(Signature::Bad(first.to_string()));
    }
    // ssh: `Good "git" signature for alice@example.com with ED25519 key SHA256:…`
    if let Some(rest) = text
        .lines()
        .find_map(|l| l.split_once("signature for ").map(|(_, r)| r.to_string()))
    {
        let principal = rest.split(" with ").next().unwrap_or("").trim().to_string();
        return Ok(Signature::Good(principal));
    }
    // openpgp: `[GNUPG:] GOODSIG <keyid> Name <email>`
    if let Some(line) = text.lines().find(|l| l.contains("GOODSIG")) {
        let uid = line.splitn(4, ' ').nth(3).unwrap_or("").trim().to_string();
        return Ok(Signature::Good(crate::repo::email_of(&uid)));
    }
    Ok(Signature::Bad(
        "git accepted the signature but named no signer".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_keys_are_not_bad_signatures() {
        // What git 2.47 prints for an ssh key missing from the allowed signers file.
        let ssh = "Good \"git\" signature with ED25519 key SHA256:KhJ4KuTkRRNiDOz\nNo principal matched.\n";
        let sig = unknown_key(ssh).unwrap();
        assert_eq!(
            sig.describe(),
            "signed by a key not in the allowed signers file (ED25519 key SHA256:KhJ4KuTkRRNiDOz)"
        );
        let gpg = "[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG 0123ABCD 1 10 00 1700000000 9 -\n[GNUPG:] NO_PUBKEY 0123ABCD\n";
        assert_eq!(
            unknown_key(gpg).unwrap().describe(),
            "signed by a key not in the keyring (openpgp key 0123ABCD)"
        );
        // A signature that does not verify stays bad.
        let bad =
            "Could not verify signature.\nSignature verification failed: incorrect signature\n";
        assert_eq!(unknown_key(bad), None);
        // No allowed signers file at all is not a "good" signature either.
        let none = "Good \"git\" signature with ED25519 key SHA256:won3\nUnable to open allowed keys file \"/x\": No such file or directory\nsig_find_principals: sshsig_find_principal: No such file or directory\nNo principal matched.\n";
        assert_eq!(unknown_key(none), None);
    }
}
