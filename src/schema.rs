/*!
The tantivy schema: the one place that knows field names and options.

Everything else uses the resolved [`Fields`] handles. Bump [`SCHEMA_VERSION`] whenever a field
or the analyser changes: the indexer compares it with the commit payload and rebuilds.
*/

use tantivy::schema::{
    DateOptions, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED,
};
use tantivy::store::Compressor;
use tantivy::{Index, IndexSettings};

use crate::analysis::{JoinedTokenizer, JOINED_TOKENIZER_NAME};

pub const SCHEMA_VERSION: u32 = 7;

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub article_id: Field,
    pub paragraph: Field,
    /// The analysed words of the title and of the paragraph (what [`ParagraphAnalyser`]
    /// makes of them); indexed, not stored.
    ///
    /// [`ParagraphAnalyser`]: crate::analysis::ParagraphAnalyser
    pub title: Field,
    pub text: Field,
    /// The title and the paragraph as written: stored, not indexed.
    pub stored_title: Field,
    pub stored_text: Field,
    /// The stems of the paragraph's words that are not their own stem (English Snowball),
    /// for word forms; no positions and not stored: it only adds matches and score beside
    /// `text`, which holds the words that are their own stem.
    pub text_stem: Field,
    pub date: Field,
    pub url: Field,
    pub path: Field,
    pub source: Field,
    /// Hierarchical entity facets; a filter on a parent matches its children.
    pub entity: Field,
    /// The exact facet path of each entity, without ancestors, so that alias expansion
    /// ("Quds Force") does not also pull in every child entity.
    pub entity_exact: Field,
    /// Set on each article's first paragraph only (what sync reads).
    pub article_hash: Field,
    /// Hash of the article id, for counting distinct articles among hits cheaply.
    pub article_key: Field,
    /// Hash of the normalised paragraph text: equal hashes are collapsed at search time.
    /// Fast only; duplicates are found among the hits, not through the inverted index.
    pub text_hash: Field,
    /// The number of the sync that added this paragraph (or last changed its text): what
    /// `sitrep new` and saved searches report as new. Fast only, filtered by range.
    pub sync: Field,
}

/// An exact-match keyword field. No field norms: they only serve BM25 length normalisation,
/// and nothing ranks on these fields.
fn keyword() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

/// LZ4 over 32 KB blocks: paragraphs of one article share title, path and source, which a
/// block of several articles compresses away. Every shown hit decompresses its block: on
/// 100 MB, 64 KB blocks made the index 1.8% smaller than 32 KB but a top-10 search 0.2 ms
/// slower; 16 KB blocks cost another 2.2% for 0.1 ms. zstd made the index 15% smaller but
/// cost ~2.5 ms per `sitrep search` (a decompression context per fetched hit).
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Lz4,
        docstore_blocksize: 32_768,
        ..IndexSettings::default()
    }
}

pub fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Analysed words arrive joined (see `ParagraphAnalyser`), and the text as written is
    // stored beside them: tantivy would otherwise store the joined words.
    let analysed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JOINED_TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        article_id: builder.add_text_field("article_id", keyword() | STORED | FAST),
        // Paragraph number and date are read from their fast columns, not the document store:
        // storing them too cost 1.5% of the index.
        paragraph: builder.add_u64_field(
            "paragraph",
            NumericOptions::default().set_indexed().set_fast(),
        ),
        title: builder.add_text_field("title", analysed.clone()),
        text: builder.add_text_field("text", analysed),
        stored_title: builder.add_text_field("stored_title", STORED),
        stored_text: builder.add_text_field("stored_text", STORED),
        text_stem: builder.add_text_field(
            "text_stem",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(JOINED_TOKENIZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqs)
                    .set_fieldnorms(false),
            ),
        ),
        // Fast only: date filters run as fast-field range queries.
        date: builder.add_date_field("date", DateOptions::default().set_fast()),
        url: builder.add_text_field("url", STORED),
        path: builder.add_text_field("path", keyword() | STORED | FAST),
        source: builder.add_text_field("source", STORED),
        entity: builder.add_facet_field("entity", FacetOptions::default().set_stored()),
        entity_exact: builder.add_text_field("entity_exact", keyword()),
        article_hash: builder.add_u64_field("article_hash", FAST),
        article_key: builder.add_u64_field("article_key", FAST),
        text_hash: builder.add_u64_field("text_hash", FAST),
        sync: builder.add_u64_field("sync", FAST),
    };
    (builder.build(), fields)
}

/// Registers our tokenizer on an index; needed on every open, since tantivy stores only its
/// name.
pub fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(JOINED_TOKENIZER_NAME, JoinedTokenizer::default());
}

/// Resolves field handles from an existing index's schema, failing if any is missing.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let field = |name: &str| schema.get_field(name);
    Ok(Fields {
        article_id: field("article_id")?,
        paragraph: field("paragraph")?,
        title: field("title")?,
        text: field("text")?,
        stored_title: field("stored_title")?,
        stored_text: field("stored_text")?,
        text_stem: field("text_stem")?,
        date: field("date")?,
        url: field("url")?,
        path: field("path")?,
        source: field("source")?,
        entity: field("entity")?,
        entity_exact: field("entity_exact")?,
        article_hash: field("article_hash")?,
        article_key: field("article_key")?,
        text_hash: field("text_hash")?,
        sync: field("sync")?,
    })
}

/// Tantivy field names, for the few APIs that take names (fast-field readers).
pub mod names {
    pub const ARTICLE_ID: &str = "article_id";
    pub const PARAGRAPH: &str = "paragraph";
    pub const PATH: &str = "path";
    pub const ENTITY: &str = "entity";
    pub const ARTICLE_HASH: &str = "article_hash";
    pub const ARTICLE_KEY: &str = "article_key";
    pub const TEXT_HASH: &str = "text_hash";
    pub const DATE: &str = "date";
    pub const SYNC: &str = "sync";
}
