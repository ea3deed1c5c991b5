//! `git-upgrades`: a human-approval queue for proposed code changes, kept
//! entirely in git refs and notes.
//!
//! Module map (see `docs/ARCHITECTURE.md`):
//! - [`cli`] and [`commands`]: arguments, dispatch, rendering (the only
//!   code, with [`ui`], that touches the terminal);
//! - [`ops`]: the lifecycle operations (propose, approve/land, reject);
//! - [`machine`]: the pure state machine;
//! - [`store`]: refs, notes and event commits, compare-and-swap writes;
//! - [`record`]: the versioned record and event formats;
//! - [`config`]: the committed `.upgrades.toml` policy;
//! - [`diff`], [`checkout`], [`runner`], [`worktree`], [`repo`]: git-facing helpers;
//! - [`ids`], [`time`], [`text`], [`error`]: small shared pieces.
#![warn(missing_docs)]

pub mod checkout;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diff;
pub mod error;
pub mod ids;
pub mod machine;
pub mod ops;
pub mod record;
pub mod replay;
pub mod repo;
pub mod runner;
pub mod store;
pub mod sync;
pub mod text;
pub mod time;
pub mod trust;
pub mod ui;
pub mod worktree;
