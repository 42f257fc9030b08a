//! Full-text search over published articles with tantivy.
//!
//! Each supported language has its own fields and analyser (stemming for English, French,
//! Spanish, German, Russian and Arabic); every field sees text folded by [`normalize`] first,
//! and so does every query, so Persian typed with Arabic letters (or with or without the
//! zero-width non-joiner and diacritics) finds the same words. Results are ranked by
//! relevance with a boost for recent stories.

mod normalize;

pub use normalize::normalize;

use broadsheet_domain::{ArticleDetail, SectionTree};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, QueryParser, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    Language, LowerCaser, PreTokenizedString, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Analysers by name; articles in other languages use `other` (no stemming).
const LANGUAGES: &[(&str, Option<Language>)] = &[
    ("en", Some(Language::English)),
    ("fr", Some(Language::French)),
    ("es", Some(Language::Spanish)),
    ("de", Some(Language::German)),
    ("ru", Some(Language::Russian)),
    ("ar", Some(Language::Arabic)),
    ("fa", None),
    ("other", None),
];

/// Queries longer than this are cut: no reader types more, and it bounds the work.
pub const MAX_QUERY_CHARS: usize = 300;
/// Longer words are not indexed (they are not words).
const MAX_WORD_BYTES: usize = 40;
/// Memory the writer may fill before it writes a segment, shared by its threads.
const WRITER_BUDGET: usize = 30_000_000;
/// How many best matches are re-ranked for recency and paged through.
const CANDIDATES: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("the articles to index could not be read: {0}")]
    Source(String),
}

struct Fields {
    id: Field,
    path: Field,
    /// The headline as written, for display; the indexed fields hold it folded.
    title: Field,
    /// The folded standfirst and body, for snippets; indexed in `body`.
    text: Field,
    headline: Vec<Field>,
    body: Vec<Field>,
    /// Each pair of neighbouring body words as one term, per language: a two-word phrase
    /// is then one posting list instead of a positions check on every story with both words.
    pairs: Vec<Field>,
    extra: Field,
    /// Every word as written (folded, not stemmed): the vocabulary "did you mean" draws on.
    words: Field,
    language: Field,
    sections: Field,
    published: Field,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// None only between ending a writer and opening its successor (see `rebuild`).
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
}

/// What the index needs of an article.
pub struct Indexed<'a> {
    pub detail: &'a ArticleDetail,
    pub sections: &'a SectionTree,
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub section_ids: Option<Vec<i64>>,
    pub language: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub path: String,
    pub headline: String,
    /// HTML: escaped text with the matching words in `<b>`.
    pub snippet: String,
    pub language: String,
    pub published: DateTime<Utc>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub total: usize,
    /// Parts of the query that could not be read as operators were taken as words.
    pub lenient: bool,
    /// When nothing matched: the query with each unknown word replaced by the closest word
    /// the site uses ("did you mean").
    pub suggestion: Option<String>,
}

fn analyser(stemmer: Option<Language>) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser);
    match stemmer {
        Some(language) => base.filter(Stemmer::new(language)).build(),
        None => base.build(),
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Indexed only: what a hit shows is read from `title` and `text`.
    let text = |analyser: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyser)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let id = builder.add_i64_field("id", INDEXED | STORED | FAST);
    let path = builder.add_text_field("path", STORED);
    let title = builder.add_text_field("title", STORED);
    let text_field = builder.add_text_field("text", STORED);
    let mut headline = Vec::new();
    let mut body = Vec::new();
    let mut pairs = Vec::new();
    for (name, _) in LANGUAGES {
        headline.push(builder.add_text_field(&format!("headline_{name}"), text(name)));
        body.push(builder.add_text_field(&format!("body_{name}"), text(name)));
        pairs.push(
            builder.add_text_field(
                &format!("pairs_{name}"),
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(name)
                        .set_index_option(IndexRecordOption::WithFreqs),
                ),
            ),
        );
    }
    let extra = builder.add_text_field("extra", text("other"));
    let words = builder.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("other")
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let language = builder.add_text_field("language", STRING | STORED);
    let sections = builder.add_i64_field("sections", INDEXED);
    let published = builder.add_i64_field("published", INDEXED | STORED | FAST);
    let fields = Fields {
        id,
        path,
        title,
        text: text_field,
        headline,
        body,
        pairs,
        extra,
        words,
        language,
        sections,
        published,
    };
    (builder.build(), fields)
}

fn slot(language: &str) -> usize {
    let primary = language.split('-').next().unwrap_or(language);
    LANGUAGES
        .iter()
        .position(|(name, _)| *name == primary)
        .unwrap_or(LANGUAGES.len() - 1)
}

impl SearchIndex {
    /// Opens the index in `dir`, or creates it. Returns whether it must be rebuilt from the
    /// database: it was missing, unreadable or of another schema (it is then started afresh).
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool), SearchError> {
        let (schema, fields) = schema();
        let existing = Index::open_in_dir(dir)
            .ok()
            .filter(|index| index.schema() == schema);
        let (index, fresh) = match existing {
            Some(index) => (index, false),
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir)
                        .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?;
                }
                std::fs::create_dir_all(dir)
                    .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?;
                (Index::create_in_dir(dir, schema)?, true)
            }
        };
        Ok((Self::with_index(index, fields)?, fresh))
    }

    /// An index held in memory, for tests and tools.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<SearchIndex, SearchError> {
        for (name, stemmer) in LANGUAGES {
            index.tokenizers().register(name, analyser(*stemmer));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_BUDGET)?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
        })
    }

    fn document(&self, article: &Indexed) -> TantivyDocument {
        let f = &self.fields;
        let detail = article.detail;
        let draft = &detail.article.draft;
        let slot = slot(draft.language.as_str());
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, detail.article.id);
        doc.add_text(f.path, &detail.article.path);
        doc.add_text(f.title, &draft.headline);
        doc.add_text(f.headline[slot], normalize(&draft.headline));
        let body = normalize(&format!(
            "{}\n{}",
            draft.standfirst,
            plain_text(&draft.body)
        ));
        // The body is analysed once, for its words and for their pairs.
        if let Ok(mut analyser) = self.index.tokenizer_for_field(f.body[slot]) {
            let mut tokens = Vec::new();
            let mut stream = analyser.token_stream(&body);
            while stream.advance() {
                tokens.push(stream.token().clone());
            }
            doc.add_pre_tokenized_text(f.pairs[slot], word_pairs(&tokens));
            doc.add_pre_tokenized_text(
                f.body[slot],
                PreTokenizedString {
                    text: String::new(),
                    tokens,
                },
            );
        }
        let tree = article.sections;
        let mut extra: Vec<String> = detail.tags.iter().map(|t| t.name.clone()).collect();
        extra.extend(detail.bylines.iter().map(|b| b.name.clone()));
        for section in tree.trail(draft.section_id) {
            extra.push(section.name.clone());
            doc.add_i64(f.sections, section.id);
        }
        let extra = normalize(&extra.join(" "));
        doc.add_text(
            f.words,
            format!("{}\n{body}\n{extra}", normalize(&draft.headline)),
        );
        doc.add_text(f.extra, extra);
        doc.add_text(f.text, body);
        doc.add_text(f.language, draft.language.as_str());
        doc.add_i64(
            f.published,
            draft
                .published_at
                .unwrap_or(detail.article.created_at)
                .timestamp(),
        );
        doc
    }

    fn writer_slot(&self) -> std::sync::MutexGuard<'_, Option<IndexWriter>> {
        // A panic while holding the writer cannot leave it half-written: uncommitted work is
        // simply not visible, so the lock is taken back.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` with the writer, opening one if the last could not be reopened.
    fn write<T>(
        &self,
        work: impl FnOnce(&mut IndexWriter) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut slot = self.writer_slot();
        let writer = match slot.as_mut() {
            Some(writer) => writer,
            None => slot.insert(self.index.writer(WRITER_BUDGET)?),
        };
        work(writer)
    }

    /// Ends the writer's threads and opens a fresh writer, with the default merge policy.
    /// After a bulk load its idle threads would otherwise keep the memory they filled (the
    /// allocator takes freed memory back from a thread only when that thread runs again).
    fn renew_writer(&self) -> Result<(), SearchError> {
        let mut slot = self.writer_slot();
        // The old writer holds the index's lock until its threads end.
        if let Some(old) = slot.take() {
            old.wait_merging_threads()?;
        }
        *slot = Some(self.index.writer(WRITER_BUDGET)?);
        Ok(())
    }

    /// Adds or replaces an article and makes the change searchable at once.
    pub fn upsert(&self, article: &Indexed) -> Result<(), SearchError> {
        self.write(|writer| {
            writer.delete_term(Term::from_field_i64(
                self.fields.id,
                article.detail.article.id,
            ));
            writer.add_document(self.document(article))?;
            writer.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    pub fn remove(&self, id: i64) -> Result<(), SearchError> {
        self.write(|writer| {
            writer.delete_term(Term::from_field_i64(self.fields.id, id));
            writer.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the whole index with these articles. They are taken one at a time, so a
    /// caller can read them from the database as indexing goes instead of holding them all;
    /// if reading one fails, the index is left as it was.
    pub fn rebuild(
        &self,
        articles: impl IntoIterator<Item = Result<ArticleDetail, String>>,
        sections: &SectionTree,
    ) -> Result<usize, SearchError> {
        let count = self.write(|writer| {
            // No merges in the background while loading: the one merge at the end must find
            // every segment where the commit left it. The renewed writer has the default
            // policy again.
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            writer.delete_all_documents()?;
            let mut count = 0;
            for detail in articles {
                let detail = match detail {
                    Ok(detail) => detail,
                    Err(e) => {
                        writer.rollback()?;
                        return Err(SearchError::Source(e));
                    }
                };
                writer.add_document(self.document(&Indexed {
                    detail: &detail,
                    sections,
                }))?;
                count += 1;
            }
            writer.commit()?;
            // One segment instead of the dozens a bulk load leaves: every query visits each
            // segment, and merging in the background would compete with the first searches.
            let segments = self.index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
            Ok(count)
        });
        self.renew_writer()?;
        let count = count?;
        self.reader.reload()?;
        Ok(count)
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn search(&self, query: &SearchQuery) -> Result<Results, SearchError> {
        let f = &self.fields;
        let text: String = normalize(query.text.trim())
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
        if text.trim().is_empty() {
            return Ok(Results {
                hits: Vec::new(),
                total: 0,
                lenient: false,
                suggestion: None,
            });
        }
        let mut searched: Vec<Field> = f.headline.iter().chain(f.body.iter()).copied().collect();
        searched.push(f.extra);
        let mut parser = QueryParser::for_index(&self.index, searched);
        parser.set_conjunction_by_default();
        for field in &f.headline {
            parser.set_field_boost(*field, 2.0);
        }
        let (parsed, errors) = parser.parse_query_lenient(&text);
        // A phrase with slop (`"a b"~2`) or with a word the analyser drops is left to the
        // positions check; every other body phrase is answered from the word pairs.
        let exact_phrases =
            !text.contains('~') && text.split_whitespace().all(|w| w.len() < MAX_WORD_BYTES);
        let matching = if exact_phrases {
            self.with_pairs(parsed.box_clone())
        } else {
            parsed.box_clone()
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matching)];
        if let Some(ids) = &query.section_ids {
            let any: Vec<(Occur, Box<dyn Query>)> = ids
                .iter()
                .map(|id| {
                    let term = TermQuery::new(
                        Term::from_field_i64(f.sections, *id),
                        IndexRecordOption::Basic,
                    );
                    (Occur::Should, Box::new(term) as Box<dyn Query>)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(language) = &query.language {
            let term = TermQuery::new(
                Term::from_field_text(f.language, language),
                IndexRecordOption::Basic,
            );
            clauses.push((Occur::Must, Box::new(term)));
        }
        let combined = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        // Top documents only, no count of every match: the total shown is the ranked
        // candidates, and without a counter the collector may skip blocks that cannot
        // reach the top (block-max pruning), which bounds the slowest queries.
        let top = searcher.search(&combined, &TopDocs::with_limit(CANDIDATES))?;

        // Re-rank by recency from the fast field; stored documents are read only for the
        // page shown.
        let published_columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().i64("published"))
            .collect::<Result<Vec<_>, _>>()?;
        let now = Utc::now();
        let mut ranked = Vec::with_capacity(top.len());
        for (score, address) in top {
            let published = published_columns[address.segment_ord as usize]
                .first(address.doc_id)
                .unwrap_or_default();
            let published = DateTime::from_timestamp(published, 0).unwrap_or_default();
            if query.from.is_some_and(|from| published < from)
                || query.to.is_some_and(|to| published > to)
            {
                continue;
            }
            // News ages: a story from today outranks an equally relevant one from last month.
            let age_days = (now - published).num_hours().max(0) as f32 / 24.0;
            let boosted = score * (1.0 + 0.5 * (-age_days / 14.0).exp());
            ranked.push((boosted, address, published));
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total = ranked.len();
        let mut snippets: Vec<Option<SnippetGenerator>> =
            (0..LANGUAGES.len()).map(|_| None).collect();
        let mut hits = Vec::new();
        for (_, address, published) in ranked.into_iter().skip(query.offset).take(query.limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let language = doc
                .get_first(f.language)
                .and_then(|v| v.as_str())
                .unwrap_or("other")
                .to_owned();
            let slot = slot(&language);
            let headline = doc
                .get_first(f.title)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            if snippets[slot].is_none() {
                snippets[slot] = SnippetGenerator::create(&searcher, &*parsed, f.body[slot])
                    .ok()
                    .map(|mut g| {
                        g.set_max_num_chars(220);
                        g
                    });
            }
            let snippet = snippets[slot]
                .as_ref()
                .map(|g| {
                    let text = doc.get_first(f.text).and_then(|v| v.as_str());
                    g.snippet(text.unwrap_or_default()).to_html()
                })
                .unwrap_or_default();
            hits.push(Hit {
                id: doc
                    .get_first(f.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                path: doc
                    .get_first(f.path)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                headline,
                snippet,
                language,
                published,
            });
        }
        let suggestion = if total == 0 {
            self.suggest(&searcher, &text)?
        } else {
            None
        };
        Ok(Results {
            hits,
            total,
            lenient: !errors.is_empty(),
            suggestion,
        })
    }

    /// `query` with each phrase on a body field answered from that language's word pairs:
    /// a two-word phrase becomes one pair term; a longer one must hold all its pairs, which
    /// leaves the positions check only the few stories that do.
    fn with_pairs(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
            let clauses = boolean
                .clauses()
                .iter()
                .map(|(occur, clause)| (*occur, self.with_pairs(clause.box_clone())))
                .collect();
            return Box::new(BooleanQuery::new(clauses));
        }
        let Some(phrase) = query.downcast_ref::<PhraseQuery>() else {
            return query;
        };
        let Some(slot) = self.fields.body.iter().position(|f| *f == phrase.field()) else {
            return query;
        };
        let terms = phrase.phrase_terms();
        let Some(words) = terms
            .iter()
            .map(|term| term.value().as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()
        else {
            return query;
        };
        let pair_terms: Vec<Box<dyn Query>> = words
            .windows(2)
            .map(|w| {
                let term =
                    Term::from_field_text(self.fields.pairs[slot], &format!("{} {}", w[0], w[1]));
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
            })
            .collect();
        match <[Box<dyn Query>; 1]>::try_from(pair_terms) {
            Ok([pair]) => pair,
            Err(mut all) => {
                all.push(query);
                Box::new(BooleanQuery::intersection(all))
            }
        }
    }

    /// The query with every word the site never uses replaced by the most common word
    /// within one or two edits of it; None when no word needed (or found) a replacement.
    fn suggest(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
    ) -> Result<Option<String>, SearchError> {
        let field = self.fields.words;
        let mut analyser = self.index.tokenizer_for_field(field)?;
        let mut words = Vec::new();
        let mut stream = analyser.token_stream(text);
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        let mut changed = false;
        for word in &mut words {
            let known = searcher
                .doc_freq(&Term::from_field_text(field, word))
                .unwrap_or(0)
                > 0;
            if known || word.chars().count() < 3 {
                continue;
            }
            let length = word.chars().count();
            let max_edits = if length <= 5 { 1 } else { 2 };
            let mut best: Option<(usize, u32, String)> = None;
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let mut terms = index
                    .terms()
                    .stream()
                    .map_err(|e| SearchError::Index(e.into()))?;
                while terms.advance() {
                    let Ok(candidate) = std::str::from_utf8(terms.key()) else {
                        continue;
                    };
                    if candidate.chars().count().abs_diff(length) > max_edits {
                        continue;
                    }
                    let edits = strsim::levenshtein(word, candidate);
                    if edits == 0 || edits > max_edits {
                        continue;
                    }
                    let frequency = terms.value().doc_freq;
                    // Fewer edits first, then the word more stories use.
                    let better = best
                        .as_ref()
                        .is_none_or(|(e, f, _)| edits < *e || (edits == *e && frequency > *f));
                    if better {
                        best = Some((edits, frequency, candidate.to_owned()));
                    }
                }
            }
            if let Some((_, _, replacement)) = best {
                *word = replacement;
                changed = true;
            }
        }
        Ok(changed.then(|| words.join(" ")))
    }
}

/// Each pair of neighbouring words as one token "first second".
fn word_pairs(words: &[Token]) -> PreTokenizedString {
    let tokens = words
        .windows(2)
        .filter(|w| w[0].position + 1 == w[1].position)
        .enumerate()
        .map(|(position, w)| Token {
            offset_from: w[0].offset_from,
            offset_to: w[1].offset_to,
            position,
            text: format!("{} {}", w[0].text, w[1].text),
            position_length: 1,
        })
        .collect();
    PreTokenizedString {
        text: String::new(),
        tokens,
    }
}

/// Markdown to words: markup characters become spaces; enough for indexing.
fn plain_text(markdown: &str) -> String {
    markdown
        .chars()
        .map(|c| {
            if matches!(
                c,
                '*' | '_' | '#' | '>' | '`' | '[' | ']' | '(' | ')' | '<' | '|'
            ) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use broadsheet_domain::{
        Article, ArticleDraft, ArticleStatus, Byline, Language as Lang, Section, Slug, Tag,
    };
    use chrono::Duration;

    fn tree() -> SectionTree {
        let section = |id, parent, slug: &str| Section {
            id,
            parent_id: parent,
            slug: Slug::parse(slug).expect("slug"),
            name: slug.to_uppercase(),
            description: String::new(),
            position: id,
            language: None,
        };
        SectionTree::new(vec![
            section(1, None, "news"),
            section(2, Some(1), "world"),
            section(3, None, "culture"),
        ])
    }

    fn article(
        id: i64,
        section: i64,
        lang: &str,
        headline: &str,
        body: &str,
        days_ago: i64,
    ) -> ArticleDetail {
        let published = Utc::now() - Duration::days(days_ago);
        ArticleDetail {
            article: Article {
                id,
                draft: ArticleDraft {
                    slug: Slug::parse(&format!("a-{id}")).expect("slug"),
                    section_id: section,
                    language: Lang::parse(lang).expect("language"),
                    headline: headline.into(),
                    standfirst: String::new(),
                    body: body.into(),
                    dateline: None,
                    lead_media_id: None,
                    bylines: vec![Byline::Guest {
                        name: "Desk".into(),
                    }],
                    tags: vec![],
                    status: ArticleStatus::Published,
                    published_at: Some(published),
                    translation_group: None,
                },
                path: format!("/news/a-{id}"),
                created_at: published,
                updated_at: published,
                revision: 1,
                owner: None,
            },
            bylines: vec![],
            tags: vec![Tag {
                id: 1,
                slug: Slug::parse("weather").expect("slug"),
                name: "Weather".into(),
            }],
            lead: None,
            corrections: vec![],
        }
    }

    fn corpus() -> SearchIndex {
        let tree = tree();
        let index = SearchIndex::in_memory().expect("index");
        let articles = [
            article(
                1,
                2,
                "en",
                "Police raided the camp at dawn",
                "Officers searched the buildings.",
                1,
            ),
            article(
                2,
                3,
                "en",
                "Night buses return to the harbour",
                "The night buses run every thirty minutes.",
                3,
            ),
            article(
                3,
                1,
                "en",
                "Buses and trams",
                "Night services and more buses for the night shift.",
                2,
            ),
            article(
                4,
                2,
                "fr",
                "Les élections municipales approchent",
                "Les électeurs votent dimanche.",
                1,
            ),
            article(
                5,
                3,
                "fa",
                "نمایشگاه کتاب‌های تازه",
                "ناشران جوان کتاب\u{200C}هایشان را آوردند.",
                1,
            ),
            article(
                6,
                2,
                "ar",
                "المكتبة الوطنية تفتح أبوابها",
                "افتتحت المكتبة الجديدة.",
                1,
            ),
            article(
                7,
                1,
                "en",
                "Storm closes mountain roads",
                "Snow blocked the roads.",
                40,
            ),
            article(
                8,
                1,
                "en",
                "Storm closes coastal roads",
                "Snow blocked the roads.",
                1,
            ),
        ];
        let count = index
            .rebuild(articles.into_iter().map(Ok), &tree)
            .expect("rebuild");
        assert_eq!(count, 8);
        index
    }

    fn ids(index: &SearchIndex, text: &str) -> Vec<i64> {
        let query = SearchQuery {
            text: text.into(),
            limit: 10,
            ..SearchQuery::default()
        };
        index
            .search(&query)
            .expect("search")
            .hits
            .iter()
            .map(|h| h.id)
            .collect()
    }

    #[test]
    fn stemming_finds_other_forms_in_each_language() {
        let index = corpus();
        assert_eq!(ids(&index, "raid"), vec![1], "raided ~ raid (English)");
        assert_eq!(
            ids(&index, "élection"),
            vec![4],
            "élections ~ élection (French)"
        );
        assert_eq!(ids(&index, "weather").len(), 8, "tags are searched too");
    }

    #[test]
    fn misspelt_words_get_a_suggestion() {
        let index = corpus();
        let query = |text: &str| {
            index
                .search(&SearchQuery {
                    text: text.into(),
                    limit: 10,
                    ..SearchQuery::default()
                })
                .expect("search")
        };
        let results = query("Polcie raidde");
        assert_eq!(results.total, 0);
        assert_eq!(results.suggestion.as_deref(), Some("police raided"));
        assert_eq!(query("police").suggestion, None);
        assert_eq!(query("zzzzqqqq").suggestion, None);
    }

    #[test]
    fn persian_typed_with_arabic_letters_is_found() {
        let index = corpus();
        // Arabic kaf and yeh, no zero-width non-joiner: the article spells it the Persian way.
        assert_eq!(ids(&index, "كتابهاي"), vec![5]);
        assert_eq!(ids(&index, "کتاب‌های"), vec![5]);
        assert_eq!(ids(&index, "المكتبة"), vec![6]);
    }

    #[test]
    fn phrases_filters_and_recency() {
        let index = corpus();
        assert_eq!(
            ids(&index, "\"night buses\""),
            vec![2],
            "the phrase, not the words apart"
        );
        let mut both = ids(&index, "night buses");
        both.sort();
        assert_eq!(both, vec![2, 3]);
        assert_eq!(
            ids(&index, "storm roads"),
            vec![8, 7],
            "equally relevant: the newer first"
        );
        let world = SearchQuery {
            text: "raid OR élection OR storm".into(),
            section_ids: Some(vec![2]),
            limit: 10,
            ..SearchQuery::default()
        };
        let mut found: Vec<i64> = index
            .search(&world)
            .expect("search")
            .hits
            .iter()
            .map(|h| h.id)
            .collect();
        found.sort();
        assert_eq!(found, vec![1, 4]);
        let french = SearchQuery {
            text: "raid OR élection".into(),
            language: Some("fr".into()),
            limit: 10,
            ..SearchQuery::default()
        };
        assert_eq!(index.search(&french).expect("search").total, 1);
        let recent = SearchQuery {
            text: "storm".into(),
            from: Some(Utc::now() - Duration::days(7)),
            limit: 10,
            ..SearchQuery::default()
        };
        assert_eq!(
            index
                .search(&recent)
                .expect("search")
                .hits
                .iter()
                .map(|h| h.id)
                .collect::<Vec<_>>(),
            vec![8]
        );
        let hit = &index
            .search(&SearchQuery {
                text: "officers".into(),
                limit: 1,
                ..SearchQuery::default()
            })
            .expect("search")
            .hits[0];
        assert!(hit.snippet.contains("<b>Officers</b>"), "{}", hit.snippet);
        assert_eq!(hit.headline, "Police raided the camp at dawn");
    }

    #[test]
    fn the_writer_renewed_after_a_rebuild_takes_the_next_edits() {
        let index = corpus();
        let tree = tree();
        let ferry = article(9, 1, "en", "Ferry strike", "No boats today.", 1);
        index
            .upsert(&Indexed {
                detail: &ferry,
                sections: &tree,
            })
            .expect("upsert after a rebuild");
        assert_eq!(ids(&index, "ferry"), vec![9]);
        index.remove(1).expect("remove after a rebuild");
        assert!(ids(&index, "raid").is_empty());
        assert_eq!(index.len(), 8);
    }

    #[test]
    fn a_rebuild_that_cannot_read_its_articles_leaves_the_index_as_it_was() {
        let index = corpus();
        let replacement = article(9, 1, "en", "Ferry strike", "No boats today.", 1);
        let result = index.rebuild(
            [Ok(replacement), Err("the database went away".to_owned())],
            &tree(),
        );
        assert!(matches!(result, Err(SearchError::Source(_))), "{result:?}");
        assert_eq!(ids(&index, "raid"), vec![1]);
        assert!(ids(&index, "ferry").is_empty());
        assert_eq!(index.len(), 8);
    }

    #[test]
    fn body_phrases_from_word_pairs_match_exactly() {
        let index = corpus();
        assert_eq!(ids(&index, "\"night shift\""), vec![3], "two words");
        assert_eq!(ids(&index, "\"buses run every\""), vec![2], "three words");
        assert_eq!(
            ids(&index, "\"services night\""),
            Vec::<i64>::new(),
            "both words, not next to each other"
        );
        assert_eq!(ids(&index, "\"night services run\""), Vec::<i64>::new());
        assert_eq!(ids(&index, "\"blocked roads\""), Vec::<i64>::new());
        assert_eq!(ids(&index, "\"ناشران جوان\""), vec![5], "Persian");
        let mut slop = ids(&index, "\"night buses\"~3");
        slop.sort();
        assert_eq!(slop, vec![2, 3], "with slop, words may stand apart");
        let hit = &index
            .search(&SearchQuery {
                text: "\"night shift\"".into(),
                limit: 1,
                ..SearchQuery::default()
            })
            .expect("search")
            .hits[0];
        assert!(hit.snippet.contains("<b>night</b>"), "{}", hit.snippet);
    }

    #[test]
    fn bad_queries_give_results_or_nothing_never_an_error() {
        let index = corpus();
        for text in [
            "\"unbalanced",
            "AND OR NOT",
            "((( buses",
            "title:",
            "*",
            "",
            "   ",
            "-",
            "buses^^^",
            "\u{0}",
        ] {
            assert!(
                index
                    .search(&SearchQuery {
                        text: text.into(),
                        limit: 10,
                        ..SearchQuery::default()
                    })
                    .is_ok(),
                "{text:?}"
            );
        }
        let long = "buses ".repeat(2_000);
        let results = index
            .search(&SearchQuery {
                text: long,
                limit: 10,
                ..SearchQuery::default()
            })
            .expect("long query");
        assert!(results.total >= 1);
        assert!(
            ids(&index, "\"night buses").contains(&2),
            "an unbalanced quote still searches the words"
        );
    }

    #[test]
    fn updates_and_removals_show_at_once() {
        let tree = tree();
        let index = corpus();
        let mut changed = article(
            2,
            3,
            "en",
            "Night trams replace buses",
            "Trams now run all night.",
            0,
        );
        changed.article.draft.body = "Trams now run all night.".into();
        index
            .upsert(&Indexed {
                detail: &changed,
                sections: &tree,
            })
            .expect("upsert");
        assert_eq!(
            ids(&index, "trams"),
            vec![2, 3],
            "the updated article first: newest, and trams in its headline"
        );
        index.remove(2).expect("remove");
        assert_eq!(ids(&index, "trams"), vec![3]);
        assert_eq!(index.len(), 7);
    }
}
