//! Command-line flags (clap derive). Only `main.rs` sees these types; it converts them into the
//! library's option structs.

use std::path::PathBuf;

use std::io::IsTerminal;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sitrep::output::Style;
use sitrep::query::Ranking;
use sitrep::remote::{RemoteIndexOptions, RemoteTarget};
use sitrep::search::DEFAULT_LIMIT;
use sitrep::{Error, IndexOptions, SearchOptions};

#[derive(Debug, Parser)]
#[command(
    name = "sitrep",
    version,
    about = "Search archives of conflict reporting: ranked keyword, phrase and entity queries over article paragraphs"
)]
pub struct Cli {
    /// Folder of articles (.txt, .md, .json, .jsonl) and optionally entities.toml.
    #[arg(long, global = true, default_value = "corpus", value_name = "DIR")]
    pub corpus: PathBuf,
    /// Folder of the index.
    #[arg(long, global = true, default_value = "index", value_name = "DIR")]
    pub index: PathBuf,
    /// Gazetteer to tag with (default: entities.toml in the corpus folder, else the built-in one).
    #[arg(long, global = true, value_name = "FILE")]
    pub entities: Option<PathBuf>,
    /// Print nothing but results and errors (no progress, summary or notices).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Read from an OpenSearch cluster that `sitrep index --to` filled, instead of the index
    /// folder (search, show, stats, entities, serve, bench). Name several nodes, comma-separated,
    /// to fail over when one is down. Default: `remote` in a sitrep.toml beside the index
    /// folder, if there is one.
    #[arg(long, global = true, value_name = "URL[,URL...][/INDEX]")]
    pub remote: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sync the index with the corpus: add new articles, replace changed ones, drop removed ones.
    Index(IndexArgs),
    /// Search paragraphs: terms (AND), "phrases", "phrase"~N, a OR b, -exclude, title:x, prefix*.
    Search(SearchArgs),
    /// List gazetteer entities with the paragraphs and articles naming them; with --with NAME,
    /// the entities named alongside NAME.
    Entities(EntitiesArgs),
    /// The entities a query's paragraphs name together: the top N and the ties between them,
    /// as a table, JSON, GEXF or GraphML (Gephi, Cytoscape, networkx).
    Network(NetworkArgs),
    /// Show the entities found in one article file or in text from stdin.
    Extract(ExtractArgs),
    /// Print article files as the indexer reads them: title, date, URL and paragraphs.
    Read(ReadArgs),
    /// Print an article's paragraphs with their entities.
    Show(ShowArgs),
    /// Articles, paragraphs, terms, size on disk, segments and last sync of the index.
    Stats(StatsArgs),
    /// Measure query latency per query class on the current index.
    Bench(BenchArgs),
    /// Serve a web page and a JSON API over the index (loopback only unless --bind says otherwise).
    Serve(ServeArgs),
    /// Train the learned name tagger on CoNLL-2003 files and report F1 per type on validation.
    TrainTagger(TrainTaggerArgs),
    /// Add, list or remove saved searches (kept in the index folder).
    Saved(SavedArgs),
    /// What the saved searches found among the paragraphs that arrived since a point.
    New(NewArgs),
}

#[derive(Debug, Args)]
pub struct TrainTaggerArgs {
    /// Folder with CoNLL-2003 `train.txt` and `valid.txt`.
    #[arg(long, value_name = "DIR")]
    pub conll: PathBuf,
    /// Where to write the model (the one built into sitrep is src/entities/tagger/tagger.bin).
    #[arg(long, value_name = "FILE", default_value = "tagger.bin")]
    pub out: PathBuf,
    /// Passes over the training set.
    #[arg(long, default_value_t = 15)]
    pub epochs: usize,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; a port of 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub bind: std::net::SocketAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Allow this origin to call the API from another site (sends CORS headers).
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Re-index every article, even unchanged ones.
    #[arg(long)]
    pub rebuild: bool,
    /// Memory budget of the index writer, in MB.
    #[arg(long, default_value_t = 256, value_name = "MB")]
    pub memory_mb: usize,
    /// tantivy's indexing threads, at most 8 (default: one when the articles to index take at
    /// most half the memory budget, and make one segment; else one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Skip entity tagging (to measure its cost; entity filters then find nothing).
    #[arg(long)]
    pub no_entities: bool,
    /// Also tag people, organisations and places no gazetteer entry holds, with the learned
    /// tagger (under each kind's `unlisted` facet branch). Kept by later syncs; `--unlisted=false`
    /// turns it off. Either change re-tags every paragraph.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub unlisted: Option<bool>,
    /// List every warning and say why a full re-index happened.
    #[arg(long, short)]
    pub verbose: bool,
    /// After syncing, keep watching the corpus and sync on every change, until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Sync into an OpenSearch cluster instead of the index folder.
    #[arg(long, value_name = "URL[,URL...][/INDEX]", conflicts_with_all = ["watch", "no_entities"])]
    pub to: Option<String>,
    /// With --to, for a new cluster index: primary shards.
    #[arg(long, default_value_t = 1, value_name = "N", requires = "to")]
    pub shards: u32,
    /// With --to, for a new cluster index: replicas of each shard.
    #[arg(long, default_value_t = 1, value_name = "N", requires = "to")]
    pub replicas: u32,
    /// With --to: this corpus's name in a cluster index that several corpora sync into (a
    /// sync removes only its own share's articles). Default: the corpus folder's path.
    #[arg(long, value_name = "NAME", requires = "to")]
    pub share: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TieOrder {
    Strength,
    Together,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum NetworkFormat {
    Table,
    Json,
    Gexf,
    Graphml,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PeriodChoice {
    Year,
    Month,
}

#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Only paragraphs matching this query (none: every paragraph the filters let through, or
    /// the whole archive).
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Entities in the network: the most named under the query.
    #[arg(short = 'n', long, default_value_t = 50)]
    pub limit: usize,
    /// Leave out ties with fewer paragraphs together.
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub min_together: u64,
    /// Also count each tie per year or month (JSON `periods`; GEXF dynamic attributes).
    #[arg(long, value_enum)]
    pub by: Option<PeriodChoice>,
    /// table, json (nodes and edges), gexf (Gephi) or graphml (Cytoscape, networkx).
    #[arg(long, value_enum, default_value_t = NetworkFormat::Table)]
    pub format: NetworkFormat,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query, e.g. '"Popular Mobilization Forces" -sadr'. Without one, the filters alone
    /// pick the paragraphs, newest first (`sitrep search --place Mosul`).
    #[arg(conflicts_with = "batch")]
    pub query: Option<String>,
    /// Run every query of FILE ('-' for stdin): one a line, or CSV with name and query columns;
    /// one row per query, with the filters given here.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<String>,
    /// Print batch rows as CSV.
    #[arg(long, requires = "batch", conflicts_with = "json")]
    pub csv: bool,
    #[command(flatten)]
    pub page: Paging,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Count entities over all hits, per kind.
    #[arg(long)]
    pub facets: bool,
    /// One hit per article: its best paragraph, ranked by that paragraph's score.
    #[arg(long)]
    pub per_article: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Colour highlights (auto: on a terminal unless NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Filters of a search: by entity and by article date.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only paragraphs naming this person (any alias).
    #[arg(long, value_name = "NAME")]
    pub person: Vec<String>,
    /// Only paragraphs naming this organisation or one of its units.
    #[arg(long, value_name = "NAME")]
    pub org: Vec<String>,
    /// Only paragraphs naming this place or a place within it.
    #[arg(long, value_name = "NAME")]
    pub place: Vec<String>,
    /// Only paragraphs naming this entity of any kind the gazetteer has (`--entity org=Badr`).
    #[arg(long, value_name = "KIND=NAME")]
    pub entity: Vec<String>,
    /// Only articles dated on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles dated on or before DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

impl FilterArgs {
    /// The filters as search parameters; `kinds` are the gazetteer's entity kinds.
    pub fn params(&self, kinds: &[String]) -> sitrep::Result<Vec<(String, String)>> {
        let mut params = Vec::new();
        params.extend(self.since.clone().map(|date| ("since".to_string(), date)));
        params.extend(self.until.clone().map(|date| ("until".to_string(), date)));
        for (kind, names) in [
            ("person", &self.person),
            ("org", &self.org),
            ("place", &self.place),
        ] {
            params.extend(names.iter().map(|name| (kind.to_string(), name.clone())));
        }
        for filter in &self.entity {
            let (kind, name) = filter
                .split_once('=')
                .ok_or_else(|| Error::InvalidArgument {
                    what: "--entity".into(),
                    message: format!("'{filter}' is not KIND=NAME"),
                })?;
            if !kinds.iter().any(|k| k == kind.trim()) {
                return Err(Error::UnknownKind {
                    kind: kind.trim().to_string(),
                    known: kinds.to_vec(),
                });
            }
            params.push((kind.trim().to_string(), name.trim().to_string()));
        }
        Ok(params)
    }
}

#[derive(Debug, Args)]
pub struct SavedArgs {
    #[command(subcommand)]
    pub action: SavedAction,
}

#[derive(Debug, Subcommand)]
pub enum SavedAction {
    /// Save a search under a name; each sync then reports its new paragraphs.
    Add {
        name: String,
        /// The query, in the syntax of `sitrep search`.
        query: String,
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// List the saved searches.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a saved search.
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Only this saved search (default: all of them).
    pub name: Option<String>,
    /// What arrived since: `last` (since you last ran `sitrep new`) or a date (YYYY-MM-DD).
    #[arg(long, default_value = "last", conflicts_with = "since_sync")]
    pub since: String,
    /// What arrived after sync number N (`sitrep stats` shows the last one).
    #[arg(long, value_name = "N")]
    pub since_sync: Option<u64>,
    /// New paragraphs shown per saved search.
    #[arg(short = 'n', long, default_value_t = 5)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EntitiesArgs {
    /// Only this kind (person, org, place).
    #[arg(long, conflicts_with = "with")]
    pub kind: Option<String>,
    /// The entities that share paragraphs with NAME (any kind; or name it with a lone
    /// --person, --org or --place), under QUERY and the filters given. Each row counts the
    /// paragraphs naming both (copies once), their articles, the entity's own paragraphs, and
    /// a strength: Dunning's log-likelihood ratio (signed G²), which weighs how much more
    /// often the two appear together than their frequencies predict, so the most common
    /// names do not simply come first and a pair seen once does not outrank a steady tie
    /// (about 3.8 is significant at p = 0.05, 10.8 at p = 0.001; negative: less than chance).
    #[arg(long, value_name = "NAME")]
    pub with: Option<String>,
    /// With --with: only paragraphs matching this query.
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// With --with: order rows by strength or by paragraphs together.
    #[arg(long, value_enum, default_value_t = TieOrder::Strength)]
    pub sort: TieOrder,
    /// With --with: print rows as CSV.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Capitalised names in the corpus that the gazetteer does not cover.
    #[arg(long)]
    pub candidates: bool,
    /// Print which gazetteer is in use.
    #[arg(long)]
    pub gazetteer: bool,
    #[command(flatten)]
    pub page: Paging,
    #[arg(long)]
    pub json: bool,
}

/// Which part of a ranked list to show: the same flags on every command that lists.
#[derive(Debug, Args)]
pub struct Paging {
    /// Show at most this many (default: 10 hits, 50 entities or names).
    #[arg(short = 'n', long)]
    pub limit: Option<usize>,
    /// Skip this many first (for paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
}

impl Paging {
    /// The rows to show, in the library's terms.
    pub fn range(&self, default_limit: usize) -> std::ops::Range<usize> {
        self.offset
            ..self
                .offset
                .saturating_add(self.limit.unwrap_or(default_limit))
    }
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// An article file (.txt, .md, .json, .jsonl, .html, .pdf, .docx) or '-' for text on stdin.
    #[arg(default_value = "-")]
    pub file: String,
    #[arg(long)]
    pub json: bool,
    /// Also find names no gazetteer entry holds, with the learned tagger.
    #[arg(long)]
    pub unlisted: bool,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Article files: .txt, .md, .json, .jsonl, saved web pages (.html, .htm, .xhtml), .pdf,
    /// .docx.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,
    /// One JSON object per article per line: path, title, date, url, paragraphs.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id as shown in search results (e.g. lwj/2020/2020-01-03-soleimani-killed.txt).
    pub article_id: String,
    /// Only this paragraph (numbers start at 1).
    #[arg(long, value_name = "N")]
    pub paragraph: Option<u64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Queries as `class<TAB>query` lines (default: drawn from the index's own terms).
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// Timed runs of each query.
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// Only these classes (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub classes: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

impl Cli {
    /// The cluster to read from: `--remote`, else `remote = "URL[/INDEX]"` in a sitrep.toml
    /// beside the index folder.
    pub fn remote_target(&self) -> anyhow::Result<Option<RemoteTarget>> {
        if let Some(remote) = &self.remote {
            return Ok(Some(RemoteTarget::parse(remote)?));
        }
        let config = self
            .index
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join("sitrep.toml");
        let Ok(text) = std::fs::read_to_string(&config) else {
            return Ok(None);
        };
        #[derive(serde::Deserialize)]
        struct Config {
            remote: Option<String>,
        }
        let parsed: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", config.display(), e.message()))?;
        match parsed.remote {
            Some(remote) => {
                Ok(Some(RemoteTarget::parse(&remote).map_err(|e| {
                    anyhow::anyhow!("{}: {e}", config.display())
                })?))
            }
            None => Ok(None),
        }
    }

    pub fn index_options(&self) -> IndexOptions {
        let mut options = IndexOptions::new(&self.corpus, &self.index);
        options.entities = self.entities.clone();
        options
    }
}

impl IndexArgs {
    pub fn index_options(&self, cli: &Cli) -> IndexOptions {
        let mut options = cli.index_options();
        options.rebuild = self.rebuild;
        options.memory_mb = self.memory_mb;
        options.threads = self.threads;
        options.tag_entities = !self.no_entities;
        options.unlisted = self.unlisted;
        options
    }
}

impl IndexArgs {
    /// The cluster sync these flags ask for, when `--to` names a cluster.
    pub fn remote_options(&self, cli: &Cli) -> sitrep::Result<Option<RemoteIndexOptions>> {
        let Some(to) = &self.to else {
            return Ok(None);
        };
        let mut options = RemoteIndexOptions::new(&cli.corpus, RemoteTarget::parse(to)?);
        options.entities = cli.entities.clone();
        options.rebuild = self.rebuild;
        options.shards = self.shards;
        options.replicas = self.replicas;
        options.unlisted = self.unlisted;
        options.share = self.share.clone();
        Ok(Some(options))
    }
}

impl SearchArgs {
    /// The search these flags ask for; `kinds` are the gazetteer's entity kinds.
    pub fn search_options(&self, kinds: &[String]) -> sitrep::Result<SearchOptions> {
        let mut params = vec![
            ("q".to_string(), self.query.clone().unwrap_or_default()),
            (
                "n".to_string(),
                self.page.limit.unwrap_or(DEFAULT_LIMIT).to_string(),
            ),
            ("offset".to_string(), self.page.offset.to_string()),
            ("facets".to_string(), self.facets.to_string()),
            ("per_article".to_string(), self.per_article.to_string()),
        ];
        params.extend(self.filters.params(kinds)?);
        let mut options = SearchOptions::from_params(params, kinds)?;
        // The human summary line shows it; JSON does not.
        options.count_articles = !self.json;
        options.ranking = ranking_from_env()?;
        Ok(options)
    }
}

/// Ranking weights from `SITREP_RANKING` (`title=2,stem=2.5,proximity=0.5,slop=0`), for
/// tuning runs; the defaults without it.
pub fn ranking_from_env() -> sitrep::Result<Ranking> {
    match std::env::var_os("SITREP_RANKING") {
        Some(spec) => Ranking::parse(&spec.to_string_lossy()),
        None => Ok(Ranking::default()),
    }
}

impl ColorChoice {
    pub fn style(self) -> Style {
        let color = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        };
        Style { color }
    }
}
