//! Messages for the user that are not errors (a stale lock removed, an
//! interrupted write completed): collected here by the layers that cannot
//! print, and printed by the command layer after the command.

use std::sync::Mutex;

static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Record a message for the user (printed by the command layer).
pub fn notice(text: String) {
    if let Ok(mut n) = NOTICES.lock() {
        n.push(text);
    }
}

/// Take the messages recorded so far.
pub fn take_notices() -> Vec<String> {
    NOTICES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}
