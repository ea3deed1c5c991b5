//! The library API: a queue in a repository, for programs (an agent written
//! in Rust, a bot, a dashboard). It prints nothing; every call returns typed
//! results or a typed [`Error`] (whose [`Error::kind`] maps to the CLI's
//! exit codes). Records are replayed and checked on every read, exactly as
//! for the command line.
//!
//! ```no_run
//! use git_upgrades::{Proposal, Queue, Until};
//! # fn main() -> git_upgrades::error::Result<()> {
//! let queue = Queue::open(".")?.acting_as("Agent", "agent@example.com");
//! let up = queue.propose(&Proposal::working_tree("Fix the flaky retry"))?;
//! let decided = queue.wait(&up.id, Until::Decided, None)?;
//! println!("{} is {}", up.id, decided.upgrade().record.state);
//! # Ok(()) }
//! ```
//!
//! Reviewers' side: [`Queue::comment`], [`Queue::request_changes`]; the
//! proposer answers with [`Queue::update`].
//!
//! Stable: the items re-exported at the crate root ([`Queue`], [`Proposal`],
//! [`Until`], [`WaitOutcome`], [`ApproveOutcome`], [`Upgrade`], [`Event`],
//! [`Error`]) and the record and event formats (`docs/FORMAT.md`). Everything
//! else in the crate may change between minor versions.

use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::ops::{self, ApproveOutcome, Progress, Reporter, Until, WaitOutcome};
use crate::store::{LoggedEvent, Store, Upgrade};

/// An event of an upgrade's log, as replayed.
pub type Event = LoggedEvent;

/// A listing: readable upgrades, and damaged ones with why.
#[derive(Debug)]
pub struct Listing {
    /// Readable upgrades, oldest proposal first.
    pub upgrades: Vec<Upgrade>,
    /// Upgrades whose refs or records cannot be read: id and error.
    pub damaged: Vec<(String, Error)>,
}

/// A queue: one repository, and who acts on it.
pub struct Queue {
    repo: gix::Repository,
    identity: Option<(String, String)>,
}

/// What to propose.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// What the change does (the first line is its title).
    pub description: String,
    /// A revision (`HEAD`, a branch, a commit id), or None for the working
    /// tree's uncommitted changes (made a commit on top of `HEAD`).
    pub revision: Option<String>,
    /// The target branch (default: the policy's or the repository's).
    pub target: Option<String>,
    /// Run the tests now (the proposal is recorded either way).
    pub run_tests: bool,
}

impl Proposal {
    /// Propose `revision` with `description`, tests run.
    pub fn revision(revision: &str, description: &str) -> Self {
        Proposal {
            description: description.into(),
            revision: Some(revision.into()),
            target: None,
            run_tests: true,
        }
    }

    /// Propose the working tree's uncommitted changes, tests run.
    pub fn working_tree(description: &str) -> Self {
        Proposal {
            description: description.into(),
            revision: None,
            target: None,
            run_tests: true,
        }
    }
}

impl WaitOutcome {
    /// The upgrade as last seen, however the wait ended.
    pub fn upgrade(&self) -> &Upgrade {
        match self {
            WaitOutcome::Reached(u) | WaitOutcome::TimedOut(u) | WaitOutcome::Interrupted(u) => u,
        }
    }
}

/// Progress is not reported through the library.
struct Quiet;

impl Reporter for Quiet {
    fn report(&mut self, _: Progress<'_>) {}
}

impl Queue {
    /// The queue of the repository at or above `path`, opened as the CLI
    /// opens it (object caches tuned; repositories whose refs the tool
    /// cannot write safely refused).
    pub fn open(path: impl AsRef<Path>) -> Result<Queue> {
        Ok(Queue {
            repo: crate::repo::open_at(path.as_ref())?,
            identity: None,
        })
    }

    /// Act as `name <email>` instead of the identity git resolves. Two
    /// queues in one process can act as two people.
    pub fn acting_as(mut self, name: &str, email: &str) -> Queue {
        self.identity = Some((name.into(), email.into()));
        self
    }

    fn store(&self) -> Store<'_> {
        let mut store = Store::new(&self.repo);
        store.identity = self.identity.clone();
        store
    }

    /// Propose a change; the upgrade as recorded (with its test result when
    /// tests ran; failing tests are a result, not an error).
    pub fn propose(&self, p: &Proposal) -> Result<Upgrade> {
        let req = ops::ProposeRequest {
            rev: p.revision.clone(),
            description: p.description.clone(),
            id: None,
            target: p.target.clone(),
            run_tests: p.run_tests,
            from_worktree: p.revision.is_none(),
        };
        ops::propose(&self.store(), &req, &mut Quiet)
    }

    /// Every readable upgrade, open and closed, oldest proposal first, and
    /// the ids of damaged ones with why.
    pub fn list(&self) -> Result<Listing> {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for item in self.store().list_full()? {
            match item {
                Ok((up, _)) => good.push(up),
                Err(e) => bad.push(e),
            }
        }
        good.sort_by(|a, b| (&a.record.proposed_at, &a.id).cmp(&(&b.record.proposed_at, &b.id)));
        Ok(Listing {
            upgrades: good,
            damaged: bad,
        })
    }

    /// One upgrade, by id or unique prefix.
    pub fn show(&self, id: &str) -> Result<Upgrade> {
        self.store().find(id)
    }

    /// Its event log, oldest first.
    pub fn events(&self, id: &str) -> Result<Vec<Event>> {
        let store = self.store();
        let up = store.find(id)?;
        store.events(&up)
    }

    /// Approve (and land once approvals are complete, running the tests).
    pub fn approve(&self, id: &str, comment: Option<&str>) -> Result<ApproveOutcome> {
        let req = ops::ApproveRequest {
            id: id.into(),
            comment: comment.map(Into::into),
            apply: true,
            sign: false,
        };
        ops::approve(&self.store(), &req, &mut Quiet)
    }

    /// A new revision of an open upgrade (only its proposer may): `revision`
    /// as the new head, or the working tree's changes when None; tests run.
    pub fn update(
        &self,
        id: &str,
        revision: Option<&str>,
        note: Option<&str>,
    ) -> Result<ops::UpdateOutcome> {
        let req = ops::UpdateRequest {
            id: id.into(),
            rev: revision.map(Into::into),
            note: note.map(Into::into),
            from_worktree: revision.is_none(),
            run_tests: true,
        };
        ops::update(&self.store(), &req, &mut Quiet)
    }

    /// A comment: on the upgrade, or on `file` (and `line`) of its current
    /// revision.
    pub fn comment(
        &self,
        id: &str,
        text: &str,
        file: Option<&str>,
        line: Option<u64>,
    ) -> Result<ops::Commented> {
        let req = ops::CommentRequest {
            id: id.into(),
            text: text.into(),
            file: file.map(Into::into),
            line,
            ..Default::default()
        };
        ops::comment(&self.store(), &req)
    }

    /// A blocking request for changes, until this identity approves a later
    /// revision or withdraws it.
    pub fn request_changes(&self, id: &str, text: &str) -> Result<Upgrade> {
        ops::request_changes(&self.store(), id, text)
    }

    /// Reject, with a reason.
    pub fn reject(&self, id: &str, reason: Option<&str>) -> Result<Upgrade> {
        ops::reject(
            &self.store(),
            &ops::RejectRequest {
                id: id.into(),
                reason: reason.map(Into::into),
            },
        )
    }

    /// Block until the upgrade reaches `until` or `timeout` passes.
    pub fn wait(&self, id: &str, until: Until, timeout: Option<Duration>) -> Result<WaitOutcome> {
        let req = ops::WaitRequest {
            id,
            until,
            timeout,
            stop: &|| false,
        };
        ops::wait(&self.store(), &req, None)
    }

    /// The events appended to `id`'s log after the ones already seen,
    /// waiting up to `timeout` for at least one (empty when none came).
    pub fn next_events(&self, id: &str, seen: usize, timeout: Duration) -> Result<Vec<Event>> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let events = self.events(id)?;
            if events.len() > seen {
                return Ok(events.into_iter().skip(seen).collect());
            }
            if std::time::Instant::now() >= deadline {
                return Ok(Vec::new());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Warnings the operations collected (an interrupted write completed, a
    /// stale checkout removed), taken: the CLI prints them after a command.
    pub fn take_notices(&self) -> Vec<String> {
        crate::store::lock::take_notices()
    }
}
