//! `git-upgrades`: a human-approval queue for proposed code changes, kept
//! entirely in git refs and notes.
//!
//! For programs, the API is [`Queue`] (see [`api`] for what is stable).
//!
//! Module map (see `docs/ARCHITECTURE.md`):
//! - `cli`, `commands` and `ui`: the command line's arguments, dispatch and
//!   rendering (the only code that touches the terminal; not API);
//! - [`ops`]: the lifecycle operations (propose, update, approve/land, reject,
//!   comments and change requests); [`conversation`]: comments placed on the
//!   current revision; [`interdiff`]: what changed between revisions;
//! - [`machine`]: the pure state machine;
//! - [`store`]: refs, notes and event commits, compare-and-swap writes;
//! - [`record`]: the versioned record and event formats;
//! - [`config`]: the committed `.upgrades.toml` policy; [`detect`]: the
//!   test command a project suggests (for `init`);
//! - [`testrun`]: an upgrade's tests on the exact commit, shared by [`ops`]
//!   and the hub's gate in [`trust`];
//! - [`diff`], [`graph`], [`checkout`], [`runner`], [`worktree`], [`repo`]: git-facing helpers;
//! - [`install`]: man pages and completions under a user's prefix;
//! - [`ids`], [`time`], [`text`], [`error`]: small shared pieces.
#![warn(missing_docs)]

pub mod api;
pub mod checkout;
// Help texts name arguments as `<ID>`, which is not HTML.
#[doc(hidden)]
#[allow(rustdoc::invalid_html_tags)]
pub mod cli;
// Help texts name arguments as `<ID>`, which is not HTML.
#[doc(hidden)]
#[allow(rustdoc::invalid_html_tags)]
pub mod commands;
pub mod config;
pub mod conversation;
pub mod detect;
pub mod diff;
pub mod error;
pub mod graph;
pub mod ids;
pub mod install;
pub mod interdiff;
pub mod interrupt;
pub mod machine;
pub mod ops;
pub mod record;
pub mod refs;
pub mod replay;
pub mod repo;
pub mod runner;
pub mod store;
pub mod sync;
pub mod testrun;
pub mod text;
pub mod time;
pub mod trust;
// Help texts name arguments as `<ID>`, which is not HTML.
#[doc(hidden)]
#[allow(rustdoc::invalid_html_tags)]
pub mod ui;
pub mod worktree;

pub use api::{Event, Listing, Proposal, Queue};
pub use error::Error;
pub use ops::{ApproveOutcome, Until, WaitOutcome};
pub use store::Upgrade;
