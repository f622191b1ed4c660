//! Stories: near-duplicates, story clustering and one record per real-world event.
//!
//! Pure computation over article profiles ([`profile::Profile`], computed once from an
//! analysis); the store persists profiles, assignments and the clusterers' state, and runs
//! them in input order as one serialized step, so the result is deterministic.

pub mod canonical;
pub mod dedup;
pub mod framing;
pub mod profile;
pub mod story;

pub use canonical::{Canonical, Family, Mention, Merger, Summary};
pub use dedup::NearDuplicates;
pub use profile::{Profile, day_number, day_string, signature};
pub use story::{Assignment, Clusterer, Config, Story};
