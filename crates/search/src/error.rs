//! The crate's error type: what can go wrong opening, writing or reading the index.

/// An error from the search index.
#[derive(thiserror::Error, Debug)]
pub enum SearchError {
    /// Creating the index directory or a temporary directory failed.
    #[error("search index i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The index directory could not be opened.
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// The directory holds an index written by an incompatible version of this crate (another
    /// schema or analyzer): delete the directory and reindex.
    #[error("search index at {dir} is incompatible ({reason}): delete it and reindex")]
    Incompatible {
        /// The index directory.
        dir: String,
        /// What did not match.
        reason: String,
    },
    /// Any error from tantivy (including "the index is locked by another writer").
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
