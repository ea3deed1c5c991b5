//! The pager, chosen and started as git does it, for long output on a terminal.

use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

static PAGER: Mutex<Option<Child>> = Mutex::new(None);

/// The pager git would use: `GIT_PAGER`, `core.pager`, `PAGER`, else `less`.
/// `cat` or an empty value means no pager.
pub fn pager_command(repo: Option<&gix::Repository>) -> Option<String> {
    let from_env = |k: &str| std::env::var(k).ok();
    let configured = repo.and_then(|r| {
        r.config_snapshot()
            .string("core.pager")
            .map(|s| s.to_string())
    });
    let pager = from_env("GIT_PAGER")
        .or(configured)
        .or_else(|| from_env("PAGER"))
        .unwrap_or_else(|| "less".to_string());
    let trimmed = pager.trim();
    (!trimmed.is_empty() && trimmed != "cat").then(|| trimmed.to_string())
}

/// Start the pager; our stdout then goes to its stdin. Like git, the pager
/// command is the user's own configuration and runs through `sh -c`.
pub fn spawn_pager(pager: &str) -> Option<ChildStdin> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(pager).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    if std::env::var_os("LV").is_none() {
        cmd.env("LV", "-c");
    }
    let mut child = cmd.spawn().ok()?;
    let stdin = child.stdin.take()?;
    if let Ok(mut slot) = PAGER.lock() {
        *slot = Some(child);
    }
    Some(stdin)
}

/// Wait for the pager to exit (after our output is closed).
pub fn finish_pager() {
    let child = PAGER.lock().ok().and_then(|mut slot| slot.take());
    if let Some(mut child) = child {
        let _ = child.wait();
    }
}
