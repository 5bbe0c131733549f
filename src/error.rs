/*!
The library's one error type.

Variants are the cases a caller reacts to differently: the CLI maps the usage ones to exit code 2
and the server to 4xx; an index that is missing, incompatible, damaged or locked each calls for
its own advice, which the caller words (the CLI names its commands and flags; the server sends
the message alone). Everything else (I/O, a failing tantivy call) is [`Error::Other`], carrying
the context chain for the message and nothing a caller could branch on.

This module imports nothing from the rest of the crate: every other module depends on it.
*/

use std::path::PathBuf;

/// A query syntax error, with the 1-based character column where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query syntax error at column {column}: {message}")]
pub struct QuerySyntaxError {
    pub column: usize,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    QuerySyntax(#[from] QuerySyntaxError),
    #[error("{}", unknown_entity_message(kind, name, suggestions, listed_as.as_ref()))]
    UnknownEntity {
        kind: String,
        name: String,
        /// Closest known names of the wanted kind, best first.
        suggestions: Vec<String>,
        /// When the name is in the gazetteer under another kind: (that kind, canonical name).
        listed_as: Option<(String, String)>,
    },
    #[error("unknown kind '{kind}'; the gazetteer has {}", known.join(", "))]
    UnknownKind { kind: String, known: Vec<String> },
    #[error("{what}: {message}")]
    InvalidArgument { what: String, message: String },
    /// A request the store cannot answer (name candidates on a cluster, say).
    #[error("{what} is not supported by {store}")]
    Unsupported { what: String, store: String },
    #[error("no article '{id}' in {}; article ids are shown in search results", index.display())]
    ArticleNotFound { id: String, index: PathBuf },
    #[error("article '{id}' has no paragraph {paragraph}")]
    ParagraphNotFound { id: String, paragraph: u64 },
    #[error("no index at {}", .0.display())]
    IndexMissing(PathBuf),
    #[error(
        "no index at {}, and no corpus folder {} to build it from",
        index.display(),
        corpus.display()
    )]
    NoIndexNoCorpus { index: PathBuf, corpus: PathBuf },
    #[error("{} is a file, not an index folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("corpus folder {} not found", .0.display())]
    CorpusMissing(PathBuf),
    #[error(
        "the index at {} was written by an incompatible version of sitrep ({detail})",
        path.display()
    )]
    Incompatible { path: PathBuf, detail: String },
    #[error("the index at {} is unreadable ({detail})", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "index is being written by another process: another sync is writing to {} \
         (lock file {}); wait for it to finish",
        path.display(),
        lock_file.display()
    )]
    Locked { path: PathBuf, lock_file: PathBuf },
    #[error(
        "{} is kept in sync by a watcher (`index --watch`), which indexes changes as they \
         arrive; stop it to sync by hand",
        path.display()
    )]
    Watched { path: PathBuf },
    /// A file given as one article (`sitrep extract FILE`) holds none; `detail` names it.
    #[error("{detail}")]
    NotAnArticle { path: PathBuf, detail: String },
    /// A gazetteer that does not parse or check: `path` is its file, or the built-in label;
    /// `line` and `column` are where toml found the fault, when it says.
    #[error(
        "gazetteer {path}{}: {detail}",
        match (line, column) {
            (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
            (Some(line), None) => format!(" at line {line}"),
            _ => String::new(),
        }
    )]
    Gazetteer {
        path: String,
        line: Option<usize>,
        column: Option<usize>,
        detail: String,
    },
    /// A compiled gazetteer saved with the index that cannot be read; callers fall back to the
    /// TOML saved beside it.
    #[error("compiled gazetteer: {detail}")]
    CompiledGazetteer { detail: String },
    /// A CoNLL file to train the tagger on that does not parse. `path` is empty when the text
    /// came from no file.
    #[error(
        "{}{}{detail}",
        if path.as_os_str().is_empty() { String::new() } else { format!("{}: ", path.display()) },
        line.map(|line| format!("line {line}: ")).unwrap_or_default()
    )]
    TrainingData {
        path: PathBuf,
        line: Option<usize>,
        detail: String,
    },
    /// A tagger model file that is truncated, corrupt or of another version.
    #[error("{detail}")]
    Model { detail: String },
    /// A cluster store (`--remote`, `index --to`) that cannot be reached, or that refused a
    /// request; `url` is what was asked.
    #[error("cluster at {url}: {detail}")]
    Remote { url: String, detail: String },
    /// A file that could not be read (or mapped); the I/O error is the source.
    #[error("reading {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The request itself is wrong (a typo in a query, a name or a flag), as opposed to the
    /// index or the machine: exit code 2 in the CLI, 4xx in the server.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::QuerySyntax(_)
                | Error::UnknownEntity { .. }
                | Error::UnknownKind { .. }
                | Error::InvalidArgument { .. }
                | Error::Unsupported { .. }
        )
    }

    /// The thing asked for is not there (an article id, a paragraph number).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Error::ArticleNotFound { .. } | Error::ParagraphNotFound { .. }
        )
    }

    pub(crate) fn corrupt(path: &std::path::Path, detail: impl std::fmt::Display) -> Error {
        Error::Corrupt {
            path: path.to_path_buf(),
            detail: detail.to_string(),
        }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Error {
        Error::Other(err.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::Other(err.into())
    }
}

fn unknown_entity_message(
    kind: &str,
    name: &str,
    suggestions: &[String],
    listed_as: Option<&(String, String)>,
) -> String {
    if let Some((actual, canonical)) = listed_as {
        return format!(
            "unknown {kind} '{name}' (it is the {actual} '{canonical}' in the gazetteer)"
        );
    }
    if suggestions.is_empty() {
        return format!("unknown {kind} '{name}'");
    }
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("'{s}'")).collect();
    format!(
        "unknown {kind} '{name}'; did you mean {}?",
        quoted.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_entity_messages_quote_the_name_once() {
        let wrong_kind = Error::UnknownEntity {
            kind: "person".into(),
            name: "Hezbollah".into(),
            suggestions: Vec::new(),
            listed_as: Some(("org".into(), "Hezbollah".into())),
        };
        assert_eq!(
            wrong_kind.to_string(),
            "unknown person 'Hezbollah' (it is the org 'Hezbollah' in the gazetteer)"
        );
        let typo = Error::UnknownEntity {
            kind: "person".into(),
            name: "Soleimany".into(),
            suggestions: vec!["Qassem Soleimani".into()],
            listed_as: None,
        };
        assert_eq!(
            typo.to_string(),
            "unknown person 'Soleimany'; did you mean 'Qassem Soleimani'?"
        );
        assert!(typo.is_usage());
    }
}
