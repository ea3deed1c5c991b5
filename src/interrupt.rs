//! SIGINT and SIGTERM as a request to stop, for the commands that wait
//! (`log --follow`, `wait`): they finish cleanly instead of dying mid-write.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Set by the signal handler that `signal_hook::flag` installs.
fn flag() -> &'static Arc<AtomicBool> {
    static REQUESTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    REQUESTED.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// Turn SIGINT and SIGTERM into a stop request (see [`requested`]).
pub fn install() {
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Fails only for signals that cannot be caught, which these are not;
        // without the handler the signal keeps its default: the process ends.
        let _ = signal_hook::flag::register(signal, Arc::clone(flag()));
    }
}

/// True once a stop was requested.
pub fn requested() -> bool {
    flag().load(Ordering::SeqCst)
}
