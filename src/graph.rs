//! Commit-graph questions every layer asks: is one commit in another's
//! history.

use gix::ObjectId;

use crate::error::{Error, Result};

/// How far `is_ancestor` follows first parents before a merge-base search.
const FIRST_PARENT_PROBE: usize = 64;

/// True if `ancestor` is `descendant` or one of its ancestors.
pub fn is_ancestor(
    repo: &gix::Repository,
    ancestor: ObjectId,
    descendant: ObjectId,
) -> Result<bool> {
    if ancestor == descendant {
        return Ok(true);
    }
    // Landings are short: look down the first-parent line a little before a
    // merge-base search, which walks the whole history of a deep branch.
    let mut at = descendant;
    for _ in 0..FIRST_PARENT_PROBE {
        match repo.find_commit(at)?.parent_ids().next() {
            Some(p) if p.detach() == ancestor => return Ok(true),
            Some(p) => at = p.detach(),
            None => break,
        }
    }
    let base = repo
        .merge_base(ancestor, descendant)
        .map_err(|e| Error::from_std("cannot compute the merge base", &e))?;
    Ok(base.is_some_and(|b| b.detach() == ancestor))
}
