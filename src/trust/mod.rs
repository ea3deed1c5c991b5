//! The trust engine: every decision — may this be approved, do approvals
//! suffice, may it land, is it applied, what does it change — taken from
//! facts a forger cannot fake without keys or the target itself, never from
//! what a record says (docs/TRUST.md):
//!
//! - the event chain replayed through the state machine ([`crate::replay`]);
//! - approval *events*, judged against the target's committed policy, with
//!   signatures verified where it requires them ([`approvals`]);
//! - what changes, recomputed from the base and head trees ([`change`]);
//! - landings proven by the target branch's own history ([`landing`]).
//!
//! Local commands, `pull` and (later) auditing all use this one module.

pub mod approvals;
pub mod audit;
pub mod change;
pub mod gate;
pub mod landing;

pub use crate::replay::POLICY_ACTOR;
pub use approvals::{
    allowed_signers, display_label, may_approve, must_sign, tally, Blocking, Judged, Proof, Tally,
};
pub use change::{recompute, Change};
