//! The index schema: which fields exist, how each is indexed, and how a [`Doc`] becomes a
//! tantivy document and back.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};

use crate::region::level_prefixes;
use crate::tokenizer::TOKENIZER;
use crate::types::Doc;

/// Name of the fast field results are ordered by when listing.
pub(crate) const PUBLISHED_AT: &str = "published_at";

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Unique key (raw term, stored).
    pub id: Field,
    /// Kind (raw term, stored).
    pub kind: Field,
    /// The full region code (raw term for digit-prefix ranges, stored).
    pub region_code: Field,
    /// The region code's level prefixes (raw terms, one per level).
    pub region: Field,
    /// Title (analyzed for the title boost, stored).
    pub title: Field,
    /// Body (stored only; searched through `text`).
    pub body: Field,
    /// Title and body, analyzed (not stored): the field every word must be in.
    pub text: Field,
    /// Publication time (fast for ordering and ranges, stored).
    pub published_at: Field,
    /// Url (stored only).
    pub url: Field,
}

/// Builds the schema and names its fields.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        region_code: b.add_text_field("region_code", STRING | STORED),
        region: b.add_text_field("region", STRING),
        title: b.add_text_field("title", analyzed.clone().set_stored()),
        body: b.add_text_field("body", STORED),
        text: b.add_text_field("text", analyzed),
        published_at: b.add_i64_field(PUBLISHED_AT, FAST | STORED),
        url: b.add_text_field("url", STORED),
    };
    (b.build(), fields)
}

impl Fields {
    /// The tantivy document for `doc`.
    pub(crate) fn document(&self, doc: &Doc) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        d.add_text(self.id, &doc.id);
        d.add_text(self.kind, &doc.kind);
        d.add_text(self.region_code, &doc.region_code);
        for prefix in level_prefixes(&doc.region_code) {
            d.add_text(self.region, prefix);
        }
        d.add_text(self.title, &doc.title);
        d.add_text(self.body, &doc.body);
        d.add_text(self.text, &doc.title);
        d.add_text(self.text, &doc.body);
        d.add_i64(self.published_at, doc.published_at);
        d.add_text(self.url, &doc.url);
        d
    }

    /// Reads a stored document back (missing fields come back empty).
    pub(crate) fn stored(&self, d: &TantivyDocument) -> Doc {
        let text = |f: Field| {
            d.get_first(f)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        Doc {
            id: text(self.id),
            kind: text(self.kind),
            region_code: text(self.region_code),
            title: text(self.title),
            body: text(self.body),
            published_at: d
                .get_first(self.published_at)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            url: text(self.url),
        }
    }
}
