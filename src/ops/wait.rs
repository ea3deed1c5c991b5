//! `wait`: block until an upgrade is decided, following the local refs and,
//! with a refresh (the CLI passes a pull of a remote), refreshing on an
//! interval with backoff.
//!
//! Every look is a full load (replayed and checked, `Store::load`), so what
//! ends the wait is a decision the events prove, never a record's claim. A
//! load that fails while another process rewrites refs (a `gc`, a `pull`) is
//! tried again at the next look; one that keeps failing for a minute is
//! reported.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::record::State;
use crate::store::{Store, Upgrade};

/// What ends the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// A final decision: applied, rejected, expired, failed or rolled back.
    Decided,
    /// Approved (approvals complete), or any final decision.
    Approved,
}

impl Until {
    fn reached(self, state: State) -> bool {
        !state.is_open() || (self == Until::Approved && state == State::Approved)
    }
}

/// How a wait ended.
#[derive(Debug, Clone)]
pub enum WaitOutcome {
    /// The state asked for was reached.
    Reached(Upgrade),
    /// The timeout passed first; the upgrade as last seen.
    TimedOut(Upgrade),
    /// Stopped by a signal; the upgrade as last seen.
    Interrupted(Upgrade),
}

/// Options for one wait.
pub struct WaitRequest<'a> {
    /// Upgrade id or unique prefix.
    pub id: &'a str,
    /// What ends the wait.
    pub until: Until,
    /// Give up after this long (None: never).
    pub timeout: Option<Duration>,
    /// True when the wait should stop (a signal).
    pub stop: &'a dyn Fn() -> bool,
}

/// Between local looks: refs are cheap to read.
const LOCAL_INTERVAL: Duration = Duration::from_millis(200);
/// Between pulls: from this, growing by half up to [`REMOTE_MAX`], back to
/// this whenever the upgrade changed.
const REMOTE_FIRST: Duration = Duration::from_secs(2);
const REMOTE_MAX: Duration = Duration::from_secs(30);
/// A load failing for this long is an error, not a transient rewrite.
const FAILING_FOR: Duration = Duration::from_secs(60);

/// Wait as `req` says; `refresh` (fetching from elsewhere, e.g. a pull of a
/// remote) runs between looks with backoff, and once before an id that is
/// not known here yet is given up on.
pub fn wait(
    store: &Store<'_>,
    req: &WaitRequest<'_>,
    mut refresh: Option<&mut dyn FnMut() -> Result<()>>,
) -> Result<WaitOutcome> {
    let start = Instant::now();
    let deadline = req.timeout.map(|t| start + t);
    let id = match store.resolve(req.id) {
        Ok(id) => id,
        Err(e) if e.kind == crate::error::Kind::NotFound && refresh.is_some() => {
            if let Some(r) = refresh.as_mut() {
                r()?;
            }
            store.resolve(req.id)?
        }
        Err(e) => return Err(e),
    };
    let mut last = store.load(&id)?;
    let mut tip = store.ref_tip(&crate::store::notes_ref(&id))?;
    let mut failing_since: Option<Instant> = None;
    let mut remote_every = REMOTE_FIRST;
    let mut next_pull = start + remote_every;
    loop {
        if req.until.reached(last.record.state) {
            return Ok(WaitOutcome::Reached(last));
        }
        if (req.stop)() {
            return Ok(WaitOutcome::Interrupted(last));
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Ok(WaitOutcome::TimedOut(last));
        }
        let mut pause = LOCAL_INTERVAL;
        if let Some(d) = deadline {
            pause = pause.min(d.saturating_duration_since(now));
        }
        std::thread::sleep(pause);
        if let Some(r) = refresh.as_mut() {
            if Instant::now() >= next_pull {
                // A failed fetch (the network, a busy hub) is tried again later.
                let _ = r();
                next_pull = Instant::now() + remote_every;
                remote_every = (remote_every * 3 / 2).min(REMOTE_MAX);
            }
        }
        let now_tip = store.ref_tip(&crate::store::notes_ref(&id)).ok().flatten();
        if now_tip.is_none() || now_tip == tip {
            continue;
        }
        match store.load(&id) {
            Ok(up) => {
                tip = now_tip;
                last = up;
                failing_since = None;
                remote_every = REMOTE_FIRST;
            }
            Err(e) => {
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() > FAILING_FOR {
                    return Err(Error::failure(format!(
                        "upgrade {id} cannot be read: {}",
                        e.message
                    )));
                }
            }
        }
    }
}
