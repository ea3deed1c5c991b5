//! Isolated checkouts of a candidate commit, for running its tests. They live
//! in a fresh temporary directory outside the repository (so tools that search
//! parent directories, like git or cargo, never find the user's project), and
//! are removed when dropped. Uses gix's parallel checkout.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use gix::ObjectId;

use crate::error::{Context, Error, Result};

/// A checkout that is deleted when dropped.
pub struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    /// The checkout's root directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Check out the tree of `commit` into a new temporary directory.
pub fn checkout(repo: &gix::Repository, commit: ObjectId) -> Result<Checkout> {
    let dir = tempfile::Builder::new()
        .prefix("git-upgrades-checkout-")
        .tempdir()
        .context("cannot create a temporary directory for the test checkout")?;
    let tree = repo.find_commit(commit)?.tree_id()?.detach();
    let mut index = repo.index_from_tree(&tree)?;
    let mut opts =
        repo.checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)?;
    opts.destination_is_initially_empty = true;
    let objects = repo
        .objects
        .clone()
        .into_arc()
        .context("cannot share the object database with checkout threads")?;
    let interrupt = AtomicBool::new(false);
    let outcome = gix::worktree::state::checkout(
        &mut index,
        dir.path(),
        objects,
        &gix::progress::Discard,
        &gix::progress::Discard,
        &interrupt,
        opts,
    )?;
    if let Some(first) = outcome.errors.first() {
        return Err(Error::failure(format!(
            "cannot check out {} for testing: {} ({} errors)",
            first.path,
            first.error,
            outcome.errors.len()
        )));
    }
    Ok(Checkout { dir })
}
