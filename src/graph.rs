//! Commit-graph questions every layer asks: is one commit in another's
//! history.

use gix::ObjectId;

use crate::error::{Error, Result};

/// How far `is_ancestor` follows first parents before a merge-base search.
const FIRST_PARENT_PROBE: usize = 64;

/// Generation numbers from the repository's commit-graph file (written by
/// `git gc`, `git maintenance` or `git commit-graph write`), when there is
/// one and git would use it. A commit's generation is greater than each of
/// its parents', so a commit whose generation is not below another's cannot
/// be its ancestor: the common "this head is based on an old tip" question
/// is answered without walking the target's history.
pub struct Generations(Option<gix::commitgraph::Graph>);

impl Generations {
    /// The commit-graph of `repo`, if any (none in a shallow repository,
    /// where parents are cut, or with replacement objects).
    pub fn of(repo: &gix::Repository) -> Generations {
        if repo.is_shallow().unwrap_or(true) {
            return Generations(None);
        }
        Generations(repo.commit_graph_if_enabled().ok().flatten())
    }

    /// True when the graph proves `ancestor` is not an ancestor of (nor
    /// equal to) `descendant`. False means "not known": either commit may be
    /// newer than the graph file.
    pub fn rules_out(&self, ancestor: ObjectId, descendant: ObjectId) -> bool {
        let Some(graph) = &self.0 else {
            return false;
        };
        let generation = |id: ObjectId| {
            graph
                .commit_by_id(id)
                .map(|c| c.generation())
                // 0: written by a git that did not compute generations.
                .filter(|g| *g != 0)
        };
        match (generation(ancestor), generation(descendant)) {
            (Some(a), Some(d)) => ancestor != descendant && a >= d,
            _ => false,
        }
    }
}

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
    // Not found close by: the commit-graph may say "no" at once.
    if Generations::of(repo).rules_out(ancestor, descendant) {
        return Ok(false);
    }
    let base = repo
        .merge_base(ancestor, descendant)
        .map_err(|e| Error::from_std("cannot compute the merge base", &e))?;
    Ok(base.is_some_and(|b| b.detach() == ancestor))
}

/// How many commits of a tip's history [`TipHistory`] reads (about 8 MB,
/// a fraction of a second); beyond it, walks may go deeper and fall back
/// to a merge-base search.
const HISTORY_LIMIT: usize = 100_000;
/// How many commits one walk from a head visits before falling back.
const WALK_BUDGET: usize = 20_000;

/// Answers "does this head contain `tip`?" for many heads against one tip,
/// as listing the queue asks for every open upgrade. A walk from a head
/// stops at every commit of the tip's own history, which cannot lead to the
/// tip (history has no cycles), so it visits only the upgrade's own commits;
/// a merge-base search per head would walk the target's whole history each
/// time. Cheap to clone: the history is shared.
#[derive(Clone)]
pub struct TipHistory {
    tip: ObjectId,
    /// Commits of `tip`'s history (itself included), up to [`HISTORY_LIMIT`].
    below: std::sync::Arc<std::collections::HashSet<ObjectId>>,
}

impl TipHistory {
    /// Read `tip`'s history once.
    pub fn new(repo: &gix::Repository, tip: ObjectId) -> Result<TipHistory> {
        let mut below = std::collections::HashSet::new();
        let mut todo = vec![tip];
        while let Some(c) = todo.pop() {
            if below.len() >= HISTORY_LIMIT {
                break;
            }
            if !below.insert(c) {
                continue;
            }
            todo.extend(repo.find_commit(c)?.parent_ids().map(|p| p.detach()));
        }
        Ok(TipHistory {
            tip,
            below: std::sync::Arc::new(below),
        })
    }

    /// The tip this history is of.
    pub fn tip(&self) -> ObjectId {
        self.tip
    }

    /// True if `head` is the tip or has it in its history ([`is_ancestor`]
    /// of the tip and `head`).
    pub fn is_in(&self, repo: &gix::Repository, head: ObjectId) -> Result<bool> {
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![head];
        while let Some(c) = todo.pop() {
            if c == self.tip {
                return Ok(true);
            }
            if self.below.contains(&c) || !seen.insert(c) {
                continue;
            }
            if seen.len() > WALK_BUDGET {
                return is_ancestor(repo, self.tip, head);
            }
            todo.extend(repo.find_commit(c)?.parent_ids().map(|p| p.detach()));
        }
        Ok(false)
    }
}

/// How many heads against one tip are answered by [`is_ancestor`] before
/// the tip's history is read once for all the rest: a repository with a
/// long history and a few stale upgrades should not read 100,000 commits.
const SEARCHES_BEFORE_HISTORY: usize = 2;

/// A [`TipHistory`] per tip, each read once several heads needed it: the
/// staleness of every open upgrade of a queue, at the cost of one history
/// walk per target.
#[derive(Default)]
pub struct TipHistories {
    tips: std::collections::HashMap<ObjectId, (usize, Option<TipHistory>)>,
    /// Read on first use.
    generations: Option<Generations>,
}

impl TipHistories {
    /// True when landing `head` on a target at `tip` would not be a
    /// fast-forward (as `ops::needs_rebase`): a head recorded on the tip
    /// itself (`base`) is answered without reading any history.
    pub fn needs_rebase(
        &mut self,
        repo: &gix::Repository,
        tip: ObjectId,
        base: &str,
        head: &str,
    ) -> bool {
        if base.parse::<ObjectId>().ok() == Some(tip) {
            return false;
        }
        let Ok(head) = head.parse::<ObjectId>() else {
            return false;
        };
        if self
            .generations
            .get_or_insert_with(|| Generations::of(repo))
            .rules_out(tip, head)
        {
            return true;
        }
        let (searches, history) = self.tips.entry(tip).or_default();
        if history.is_none() && *searches >= SEARCHES_BEFORE_HISTORY {
            *history = TipHistory::new(repo, tip).ok();
        }
        *searches += 1;
        let contained = match history {
            Some(h) => h.is_in(repo, head),
            None => is_ancestor(repo, tip, head),
        };
        !contained.unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit with `parents` in `repo` (an empty tree; `n` makes it unique).
    fn commit(repo: &gix::Repository, n: u32, parents: &[ObjectId]) -> ObjectId {
        let tree = repo
            .write_object(gix::objs::Tree::empty())
            .unwrap()
            .detach();
        let sig = gix::actor::Signature {
            name: "T".into(),
            email: "t@x".into(),
            time: gix::date::Time {
                seconds: 1_700_000_000 + i64::from(n),
                offset: 0,
            },
        };
        repo.write_object(gix::objs::Commit {
            tree,
            parents: parents.iter().copied().collect(),
            author: sig.clone(),
            committer: sig,
            encoding: None,
            message: format!("c{n}\n").into(),
            extra_headers: vec![],
        })
        .unwrap()
        .detach()
    }

    #[test]
    fn tip_history_answers_as_is_ancestor_does() {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init_bare(dir.path()).unwrap();
        // root - a - b - c - d (the target), and around it: a branch from a,
        // one from d, a merge of the target into a branch, an unrelated root.
        let root = commit(&repo, 0, &[]);
        let a = commit(&repo, 1, &[root]);
        let b = commit(&repo, 2, &[a]);
        let c = commit(&repo, 3, &[b]);
        let d = commit(&repo, 4, &[c]);
        let old = commit(&repo, 5, &[a]);
        let old2 = commit(&repo, 6, &[old]);
        let fresh = commit(&repo, 7, &[d]);
        let merged = commit(&repo, 8, &[old2, d]);
        let merged_old = commit(&repo, 9, &[old2, b]);
        let other_root = commit(&repo, 10, &[]);
        let every = [
            root, a, b, c, d, old, old2, fresh, merged, merged_old, other_root,
        ];
        let mut histories = TipHistories::default();
        for tip in every {
            for head in every {
                assert_eq!(
                    histories.needs_rebase(&repo, tip, "", &head.to_string()),
                    !is_ancestor(&repo, tip, head).unwrap()
                );
            }
            let history = TipHistory::new(&repo, tip).unwrap();
            for head in every {
                assert_eq!(
                    history.is_in(&repo, head).unwrap(),
                    is_ancestor(&repo, tip, head).unwrap(),
                    "tip c{} head c{}",
                    every.iter().position(|x| *x == tip).unwrap(),
                    every.iter().position(|x| *x == head).unwrap(),
                );
            }
        }
    }

    #[test]
    fn a_commit_graph_rules_out_without_changing_any_answer() {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init_bare(dir.path()).unwrap();
        // A long target line, a head based on its start, a branch off its tip.
        let root = commit(&repo, 0, &[]);
        let mut line = vec![root];
        for n in 1..40 {
            line.push(commit(&repo, n, &[line[line.len() - 1]]));
        }
        let tip = line[39];
        let stale = commit(&repo, 100, &[line[2]]);
        let fresh = commit(&repo, 101, &[tip]);
        let merged = commit(&repo, 102, &[stale, tip]);
        let every: Vec<ObjectId> = [root, line[2], line[20], tip, stale, fresh, merged].into();
        let answers = |repo: &gix::Repository| -> Vec<bool> {
            let mut out = Vec::new();
            for a in &every {
                for d in &every {
                    out.push(is_ancestor(repo, *a, *d).unwrap());
                }
            }
            out
        };
        let walked = answers(&repo);
        assert!(
            !Generations::of(&repo).rules_out(tip, stale),
            "no graph yet"
        );
        // Every commit but `merged` goes into the graph, as after a `git gc`
        // that ran before the last commit.
        let ids: String = every
            .iter()
            .chain(&line)
            .filter(|c| **c != merged)
            .map(|c| format!("{c}\n"))
            .collect();
        let mut git = std::process::Command::new("git")
            .args(["--git-dir", dir.path().to_str().unwrap()])
            .args(["commit-graph", "write", "--stdin-commits"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        git.stdin.take().unwrap().write_all(ids.as_bytes()).unwrap();
        assert!(git.wait().unwrap().success());
        let repo = gix::open(dir.path()).unwrap();
        let generations = Generations::of(&repo);
        assert!(generations.rules_out(tip, stale));
        assert!(generations.rules_out(fresh, tip));
        assert!(!generations.rules_out(line[2], stale));
        assert!(
            !generations.rules_out(tip, merged),
            "merged is not in the graph"
        );
        assert_eq!(answers(&repo), walked);
        let mut histories = TipHistories::default();
        assert!(histories.needs_rebase(&repo, tip, "", &stale.to_string()));
        assert!(!histories.needs_rebase(&repo, tip, "", &merged.to_string()));
    }
}
