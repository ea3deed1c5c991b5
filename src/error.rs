//! The one error type of the crate, and the exit codes it maps to.
//!
//! Domain modules build errors with a [`Kind`] so the command layer never has
//! to guess an exit code from a message. Exit codes are a public contract
//! (documented in the man page): scripts depend on them.

use std::fmt;

/// What went wrong, coarsely; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything else: I/O, damaged data, git failures (exit 1).
    Failure,
    /// The command line or an argument is wrong (exit 2).
    Usage,
    /// A concurrent update won, or the target is no longer a fast-forward (exit 4).
    Conflict,
    /// The policy refuses the action (exit 5).
    Denied,
    /// No upgrade with that id (exit 6).
    NotFound,
    /// Our output was closed by the reader (`| head`): stop quietly (exit 0).
    BrokenPipe,
}

impl Kind {
    /// The documented process exit code for this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Failure => 1,
            Kind::Usage => 2,
            Kind::Conflict => 4,
            Kind::Denied => 5,
            Kind::NotFound => 6,
            Kind::BrokenPipe => 0,
        }
    }
}

/// Exit code when the tests of an upgrade failed (not an error: a result).
pub const EXIT_TESTS_FAILED: u8 = 3;
/// Exit code of `wait` when the timeout passed with the upgrade still open.
pub const EXIT_TIMED_OUT: u8 = 7;
/// Exit code of a command that waits, stopped by SIGINT or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Every exit code and what it means: the one table that `--help`, the man
/// pages (`commands::util`) and the README's table are made from (a test
/// compares the README with it).
pub const EXIT_CODES: &[(u8, &str)] = &[
    (0, "ok"),
    (
        1,
        "error (damaged record, git failure, no such target branch, invalid policy file)",
    ),
    (
        2,
        "usage error (bad arguments, invalid or ambiguous id, unknown revision, nothing to propose, no terminal for review)",
    ),
    (
        EXIT_TESTS_FAILED,
        "tests failed (propose still records the proposal; approve marks it failed)",
    ),
    (
        4,
        "conflict: a concurrent update won, or the target is no longer a fast-forward",
    ),
    (
        5,
        "denied by policy (size limit, self-approval, a push the hub refused; for verify: a step not proven; for wait: rejected, expired or rolled back)",
    ),
    (6, "no such upgrade"),
    (
        EXIT_TIMED_OUT,
        "wait: the timeout passed with the upgrade still open",
    ),
    (
        EXIT_INTERRUPTED,
        "wait, log --follow: stopped by SIGINT or SIGTERM",
    ),
];

/// The exit codes as `--help` shows them.
pub fn exit_codes_help() -> String {
    let mut out = String::from("Exit codes:");
    for (code, meaning) in EXIT_CODES {
        out.push_str(&format!("\n  {code:>3}  {meaning}"));
    }
    out
}

/// The exit codes as a markdown table (the README's).
pub fn exit_codes_markdown() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for (code, meaning) in EXIT_CODES {
        out.push_str(&format!("| {code} | {meaning} |\n"));
    }
    out
}

/// An error with a kind, a one-line message, its causes and hints for the user.
#[derive(Debug)]
pub struct Error {
    /// Decides the exit code.
    pub kind: Kind,
    /// One line, lower case, no trailing period, as git prints them.
    pub message: String,
    /// Lower-level causes, outermost first.
    pub causes: Vec<String>,
    /// What to do next, ideally naming a command.
    pub hints: Vec<String>,
    /// A compare-and-swap write refused because another writer moved a ref
    /// first (see [`Error::lost_race`]): reading again and retrying may work.
    lost_race: bool,
    /// The error this one was made from, kept whole for programs that use
    /// the library ([`std::error::Error::source`]); `causes` holds its text.
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
            lost_race: false,
            source: None,
        }
    }
    /// A generic failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Kind::Failure, message)
    }
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }
    /// A conflict (exit 4).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, message)
    }
    /// Refused by policy (exit 5).
    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(Kind::Denied, message)
    }
    /// No such upgrade (exit 6).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }
    /// Mark a conflict as a lost race: the store's compare-and-swap write
    /// was refused because another writer moved a ref first. Only such an
    /// error is retried from a fresh read (`ops::retrying`); a conflict the
    /// plan itself found (the target is not a fast-forward) is final.
    pub fn lost_race(mut self) -> Self {
        self.lost_race = self.kind == Kind::Conflict;
        self
    }
    /// True for a conflict marked by [`Error::lost_race`].
    pub fn is_lost_race(&self) -> bool {
        self.lost_race
    }
    /// Add a hint line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    /// Wrap this error in an outer message; the old message becomes a cause.
    pub fn context(mut self, message: impl Into<String>) -> Self {
        let inner = std::mem::replace(&mut self.message, message.into());
        self.causes.insert(0, inner);
        self
    }
    /// Build a failure from an error it takes over: its chain becomes the
    /// causes, and the error itself the [`std::error::Error::source`].
    pub fn with_source(
        message: impl Into<String>,
        err: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut out = Error::from_std(message, &err);
        out.source = Some(Box::new(err));
        out
    }
    /// Build a failure from any std error, keeping its source chain as causes.
    pub fn from_std(message: impl Into<String>, err: &(dyn std::error::Error + 'static)) -> Self {
        let mut out = Error::failure(message);
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cur {
            let text = e.to_string();
            if !text.is_empty() && out.causes.last() != Some(&text) {
                out.causes.push(text);
            }
            cur = e.source();
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for cause in &self.causes {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Attach a message to any fallible result, turning it into [`Error`].
pub trait Context<T> {
    /// On error, return a failure with `message` and the original error as cause.
    fn context(self, message: impl Into<String>) -> Result<T>;
    /// Like [`Context::context`] but computes the message lazily.
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for std::result::Result<T, E> {
    fn context(self, message: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::with_source(message, e))
    }
    fn with_context<M: Into<String>>(self, message: impl FnOnce() -> M) -> Result<T> {
        self.map_err(|e| Error::with_source(message(), e))
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        let broken_pipe = err.kind() == std::io::ErrorKind::BrokenPipe;
        let mut out = Error::with_source("i/o error", err);
        if broken_pipe {
            out.kind = Kind::BrokenPipe;
        }
        out
    }
}

impl From<gix::Error> for Error {
    fn from(err: gix::Error) -> Self {
        let kind = if err.is_conflict() {
            Kind::Conflict
        } else {
            Kind::Failure
        };
        let mut out = Error::with_source("git error", err);
        out.kind = kind;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn sources_are_kept_whole_and_their_text_shown() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = Err::<(), _>(io)
            .context("cannot read the policy")
            .unwrap_err()
            .context("cannot load upgrade u1");
        assert_eq!(
            err.to_string(),
            "cannot load upgrade u1: cannot read the policy: no such file"
        );
        let source = err.source().expect("kept");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the original error, not its text");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert!(Error::failure("plain").source().is_none());
    }

    #[test]
    fn a_broken_pipe_is_its_own_kind_and_only_conflicts_are_lost_races() {
        let pipe: Error = std::io::Error::from(std::io::ErrorKind::BrokenPipe).into();
        assert_eq!(pipe.kind, Kind::BrokenPipe);
        assert_eq!(pipe.kind.exit_code(), 0);
        assert!(!Error::failure("x").lost_race().is_lost_race());
        assert!(Error::conflict("x").lost_race().is_lost_race());
        assert!(Error::conflict("x").lost_race().context("y").is_lost_race());
    }
}
