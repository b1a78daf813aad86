//! The index handle: opening (on disk or in memory) and writing. One `IndexWriter` behind a
//! mutex; a reader reloaded by hand after each commit, so a write that returned is searchable.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::SearchError;
use crate::schema::{Fields, schema};
use crate::tokenizer::{TOKENIZER, analyzer};
use crate::types::Doc;

/// Memory the writer may use before flushing a segment (split among its threads).
const WRITER_BUDGET_BYTES: usize = 50_000_000;

/// At most this many indexing threads (each needs 15 MB of the budget).
const MAX_WRITER_THREADS: usize = 2;

/// File in the index directory naming the schema and analyzer version it was written with.
const VERSION_FILE: &str = "chuangye-search.version";

/// Bumped whenever the schema, the analyzer or the dictionaries change what is indexed.
const VERSION: &str = "1";

/// tantivy's metadata file, present once an index exists in a directory.
const META_FILE: &str = "meta.json";

/// A full-text index of published items. `Send + Sync`: share one in an `Arc`; searches run
/// concurrently, writes are serialised.
pub struct Index {
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    _index: tantivy::Index,
}

impl Index {
    /// Opens the index in `dir`, creating the directory and an empty index if needed. Holds
    /// the directory's writer lock until dropped: one `Index` per directory.
    ///
    /// Fails with [`SearchError::Incompatible`] if `dir` holds an index written by another
    /// version of this crate (delete it and reindex).
    pub fn open(dir: &Path) -> Result<Index, SearchError> {
        std::fs::create_dir_all(dir)?;
        check_version(dir)?;
        let (schema, fields) = schema();
        let index = tantivy::Index::open_or_create(MmapDirectory::open(dir)?, schema).map_err(
            |e| match e {
                TantivyError::SchemaError(reason) => incompatible(dir, reason),
                e => e.into(),
            },
        )?;
        std::fs::write(dir.join(VERSION_FILE), VERSION)?;
        Self::with(index, fields)
    }

    /// A new empty index in memory (tests, small tools).
    pub fn in_memory() -> Result<Index, SearchError> {
        let (schema, fields) = schema();
        Self::with(tantivy::Index::create_in_ram(schema), fields)
    }

    /// Registers the analyzer and starts the writer and the reader.
    fn with(index: tantivy::Index, fields: Fields) -> Result<Index, SearchError> {
        index.tokenizers().register(TOKENIZER, analyzer());
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_WRITER_THREADS);
        let writer = index.writer_with_num_threads(threads, WRITER_BUDGET_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            fields,
            reader,
            writer: Mutex::new(writer),
            _index: index,
        })
    }

    /// Adds the documents, replacing any with the same id (the last of duplicates in `docs`
    /// wins), and commits: they are searchable when this returns.
    pub fn upsert(&self, docs: &[Doc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        self.write(|w, f| {
            for doc in docs {
                w.delete_term(Term::from_field_text(f.id, &doc.id));
                w.add_document(f.document(doc))?;
            }
            Ok(())
        })
    }

    /// Removes the documents with these ids (unknown ids are ignored) and commits.
    pub fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.write(|w, f| {
            for id in ids {
                w.delete_term(Term::from_field_text(f.id, id));
            }
            Ok(())
        })
    }

    /// Removes every document and commits (before a full reindex).
    pub fn clear(&self) -> Result<(), SearchError> {
        self.write(|w, _| w.delete_all_documents().map(drop))
    }

    /// Number of documents searchable now.
    pub fn len(&self) -> Result<u64, SearchError> {
        Ok(self.reader.searcher().num_docs())
    }

    /// Whether no document is searchable now.
    pub fn is_empty(&self) -> Result<bool, SearchError> {
        Ok(self.len()? == 0)
    }

    /// Runs `ops` on the writer, commits and reloads the reader; rolls back on error.
    fn write(
        &self,
        ops: impl FnOnce(&IndexWriter<TantivyDocument>, &Fields) -> tantivy::Result<()>,
    ) -> Result<(), SearchError> {
        let mut writer = self.writer()?;
        let done = ops(&writer, &self.fields).and_then(|()| writer.commit().map(drop));
        if let Err(e) = done {
            // The error to report is the first one; a failed rollback changes nothing more.
            let _ = writer.rollback();
            return Err(e.into());
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The writer; if a previous write panicked, its uncommitted operations are rolled back.
    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter<TantivyDocument>>, SearchError> {
        match self.writer.lock() {
            Ok(w) => Ok(w),
            Err(poisoned) => {
                let mut w = poisoned.into_inner();
                w.rollback()?;
                self.writer.clear_poison();
                Ok(w)
            }
        }
    }
}

/// An index already in `dir` must carry this crate's [`VERSION`].
fn check_version(dir: &Path) -> Result<(), SearchError> {
    if !dir.join(META_FILE).exists() {
        return Ok(());
    }
    match std::fs::read_to_string(dir.join(VERSION_FILE)) {
        Ok(v) if v.trim() == VERSION => Ok(()),
        Ok(v) => Err(incompatible(
            dir,
            format!("version {} ≠ {VERSION}", v.trim()),
        )),
        Err(_) => Err(incompatible(dir, format!("no {VERSION_FILE}"))),
    }
}

/// The error for an index this version cannot use.
fn incompatible(dir: &Path, reason: String) -> SearchError {
    SearchError::Incompatible {
        dir: dir.display().to_string(),
        reason,
    }
}
