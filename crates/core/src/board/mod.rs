//! The portal's job board (用工信息 and 劳务信息): job postings and labour supply entered by
//! staff or submitted by employers and workers through the portal, reviewed, published until
//! the day they are valid until, filtered by trade, region, pay and words, with suggested
//! matches between postings and supply by trade and nearby region. Contacts are shown to the
//! public only as the poster chose (in full, masked, or not at all: the region's service point
//! instead); numbers are stored encrypted. A public submission's sender follows it with a
//! lookup code ([`lookup`]). The review, return and withdrawal of entries are
//! shared with business ideas ([`crate::idea`]).
//!
//! Owns: `job_posting`, `labour_supply`, `region.hotline` (set through
//! [`crate::org::hotline`]). Uses: db, org, audit, crypto,
//! validate, portal (rules of who publishes directly, the search index).

pub mod demo;
pub mod lookup;
pub mod model;
pub mod public;
pub mod repo;
pub mod service;

pub use model::{Entry, EntryInput, Kind};

/// After a write commits: the search index takes the record in if the public may see it now,
/// out otherwise (the per-process follower catches up if this fails).
pub async fn after_commit(core: &crate::Core, kind: Kind, id: &str) {
    let source = crate::portal::Source::of_board(kind);
    crate::portal::index::after_commit(core, source, id).await;
}
