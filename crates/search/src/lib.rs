//! chuangye-search: the public portal's Chinese full-text index — derived, no database. The
//! caller feeds it the published items ([`Doc`]) and asks it [`Query`]s.
//!
//! # Words
//! Titles, bodies and queries go through one analyzer: [`fold`] (Traditional → Simplified,
//! OpenCC `t2s`; full-width ASCII → half-width), jieba segmentation with a small user dictionary
//! of policy terms (创业担保贷款, 三包五帮, …) in search mode (each word, and its 2- and
//! 3-character words), lower case; punctuation and a few function characters (的, 了, 和, …)
//! are dropped. So 創業擔保貸款 finds 创业担保贷款 (and the reverse), and 担保贷款 finds it too.
//! Every dictionary is compiled into the binary: nothing is read at run time.
//!
//! # Searching
//! Each query word is required, in the title (3×) or the body, whole or by all of its parts;
//! if nothing has every word, any word will do and [`Results::relaxed`] says so. Query text is
//! never parsed as syntax. Blank text lists newest first (for list pages). Filters: kinds,
//! region subtree (see [`Query::region_prefix`]), publication range. Hits carry an escaped
//! title and a ~120-character snippet with `<mark>`ed words.
//!
//! ```
//! use chuangye_search::{Doc, Index, Query};
//! let index = Index::in_memory().unwrap();
//! index.upsert(&[Doc {
//!     id: "policy:1".into(), kind: "policy".into(), region_code: "411002001001".into(),
//!     title: "创业担保贷款实施办法".into(), body: "符合条件的返乡农民工可申请。".into(),
//!     published_at: 1_700_000_000, url: "/portal/policy/1".into(),
//! }]).unwrap();
//! let r = index.search(&Query { text: "創業擔保貸款".into(), ..Query::default() }).unwrap();
//! assert_eq!(r.hits[0].title_html, "<mark>创业担保贷款</mark>实施办法");
//! ```
//!
//! # On disk
//! [`Index::open`] keeps tantivy's files (`meta.json`, segment files, `.managed.json`, lock
//! files) and `chuangye-search.version` in the directory it is given. The index is derived:
//! if opening fails with [`SearchError::Incompatible`], delete the directory and reindex.

mod analyzer;
pub mod bench;
mod error;
mod fold;
mod highlight;
mod index;
mod query;
mod region;
mod schema;
mod search;
mod tokenizer;
mod types;

pub use error::SearchError;
pub use fold::{fold, to_traditional};
pub use index::Index;
pub use search::{MAX_LIMIT, MAX_OFFSET};
pub use types::{Doc, Hit, Query, Results};
