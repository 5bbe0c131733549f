/*!
`sitrep serve`: the web page and JSON API over one shared [`Engine`].

axum on tokio: one engine opened at start (a live one, so commits by `sitrep index` show up
within a second or so), every engine call on tokio's blocking pool with a timeout, and the same
result types and serialiser as the CLI's `--json`. Bad input is a 4xx with
`{"error": ..., "column"?, "suggestions"?, "kind"?, "name"?}`, never a 5xx. Requests never name
files: article ids are index terms, looked up, never opened as paths. The page (`page.html`) is
embedded in the binary and builds every node from data with `textContent`, so nothing from the
corpus is ever parsed as HTML.
*/

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::engine::Engine;
use crate::error::Error;
use crate::query::Ranking;
use crate::saved;
use crate::search::SearchOptions;

mod network;

const PAGE: &str = include_str!("page.html");
/// Longest query accepted, in bytes: far above any real query, far below what could hurt.
pub const MAX_QUERY_BYTES: usize = 4096;
/// Most hits one request may ask for.
pub const MAX_HITS: usize = 1000;
/// A request whose engine work takes longer is answered 503.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    /// Origin allowed to call the API from another site; none by default.
    pub cors: Option<String>,
    /// How searches rank.
    pub ranking: Ranking,
}

struct App {
    engine: Arc<Engine>,
    cors: Option<HeaderValue>,
    ranking: Ranking,
}

/// A bound, not yet running server: the caller learns the address (port 0 picks one) first.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Server {
    pub async fn bind(engine: Arc<Engine>, options: &ServeOptions) -> crate::Result<Server> {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", options.bind))?;
        let cors = match &options.cors {
            Some(origin) => {
                Some(
                    HeaderValue::from_str(origin).map_err(|_| Error::InvalidArgument {
                        what: "cors".into(),
                        message: format!("'{origin}' is not a valid origin"),
                    })?,
                )
            }
            None => None,
        };
        Ok(Server {
            listener,
            router: router(Arc::new(App {
                engine,
                cors,
                ranking: options.ranking,
            })),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/search", get(search))
        .route("/api/timeline", get(timeline))
        .route("/api/articles/{*id}", get(article))
        .route("/api/entities", get(entities))
        .route("/api/entities/with", get(network::entities_with))
        .route("/api/network", get(network::network))
        .route("/api/stats", get(stats))
        .route("/api/saved", get(saved_searches))
        .fallback(|| async { error_body(StatusCode::NOT_FOUND, "not found".into()) })
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&app),
            add_headers,
        ))
        .with_state(app)
}

async fn add_headers(State(app): State<Arc<App>>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(origin) = &app.cors {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        Html(PAGE),
    )
        .into_response()
}

async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let ranking = app.ranking;
    match Params::parse(raw.as_deref()) {
        Ok(params) => {
            on_engine(&app, move |engine| {
                engine.search(&params.search_options(engine, ranking)?)
            })
            .await
        }
        Err(err) => error_response(&err),
    }
}

async fn timeline(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let ranking = app.ranking;
    match Params::parse(raw.as_deref()) {
        Ok(params) => {
            on_engine(&app, move |engine| {
                engine.timeline(&params.search_options(engine, ranking)?)
            })
            .await
        }
        Err(err) => error_response(&err),
    }
}

async fn article(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    on_engine(&app, move |engine| engine.show(&id, None, true)).await
}

async fn entities(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(err) => return error_response(&err),
    };
    let limit = match params.number("limit", 50, MAX_HITS) {
        Ok(limit) => limit,
        Err(err) => return error_response(&err),
    };
    let kind = params.first("kind").filter(|k| !k.is_empty());
    let offset = match params.number("offset", 0, 100_000) {
        Ok(offset) => offset,
        Err(err) => return error_response(&err),
    };
    on_engine(&app, move |engine| {
        engine.entities(kind.as_deref(), offset..offset + limit)
    })
    .await
}

async fn saved_searches(State(app): State<Arc<App>>) -> Response {
    on_engine(&app, saved::overview).await
}

async fn stats(State(app): State<Arc<App>>) -> Response {
    on_engine(&app, |engine| engine.stats()).await
}

/// Runs engine work on the blocking pool (a search holds a core for its whole duration).
async fn on_engine<T, F>(app: &App, work: F) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Engine) -> crate::Result<T> + Send + 'static,
{
    let engine = Arc::clone(&app.engine);
    let task = tokio::task::spawn_blocking(move || work(&engine));
    match tokio::time::timeout(REQUEST_TIMEOUT, task).await {
        Ok(Ok(Ok(value))) => Json(value).into_response(),
        Ok(Ok(Err(err))) => error_response(&err),
        Ok(Err(join)) => error_body(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {join}"),
        ),
        Err(_) => error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; narrow the query",
                REQUEST_TIMEOUT.as_secs()
            ),
        ),
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl ErrorBody {
    fn new(error: String) -> Self {
        ErrorBody {
            error,
            column: None,
            suggestions: None,
            kind: None,
            name: None,
        }
    }
}

fn error_body(status: StatusCode, error: String) -> Response {
    (status, Json(ErrorBody::new(error))).into_response()
}

/// The status a library error maps to: the request's fault is 4xx, the index's or machine's 5xx.
pub fn status_of(err: &Error) -> StatusCode {
    if err.is_usage() {
        StatusCode::BAD_REQUEST
    } else if err.is_not_found() {
        StatusCode::NOT_FOUND
    } else if matches!(err, Error::Locked { .. }) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

fn error_response(err: &Error) -> Response {
    let mut body = ErrorBody::new(err.to_string());
    match err {
        Error::QuerySyntax(syntax) => body.column = Some(syntax.column),
        Error::UnknownEntity {
            kind,
            name,
            suggestions,
            ..
        } => {
            body.suggestions = Some(suggestions.clone());
            body.kind = Some(kind.clone());
            body.name = Some(name.clone());
        }
        _ => {}
    }
    (status_of(err), Json(body)).into_response()
}

/// Query-string parameters; `person`, `org` and `place` may repeat.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: Option<&str>) -> crate::Result<Params> {
        let raw = raw.unwrap_or("");
        if raw.len() > 3 * MAX_QUERY_BYTES + 4096 {
            return Err(too_long());
        }
        Ok(Params(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }

    fn first(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn number(&self, key: &str, default: usize, max: usize) -> crate::Result<usize> {
        let Some(value) = self.first(key) else {
            return Ok(default);
        };
        let number: usize = value.trim().parse().map_err(|_| Error::InvalidArgument {
            what: key.to_string(),
            message: format!("'{value}' is not a number"),
        })?;
        if number > max {
            return Err(Error::InvalidArgument {
                what: key.to_string(),
                message: format!("at most {max}"),
            });
        }
        Ok(number)
    }

    /// The search this query string asks for. Parameters that are not search parameters
    /// (a cache buster, the page's own state) are ignored.
    fn search_options(&self, engine: &Engine, ranking: Ranking) -> crate::Result<SearchOptions> {
        if self.first("q").is_some_and(|q| q.len() > MAX_QUERY_BYTES) {
            return Err(too_long());
        }
        let kinds = engine.filter_kinds()?;
        let params = self
            .0
            .iter()
            .filter(|(key, _)| SearchOptions::is_param(key, &kinds));
        let mut options = SearchOptions::from_params(params.map(|(k, v)| (k, v)), &kinds)?;
        // Checked on the options, not the query string: a repeated parameter's last value is
        // the one that counts.
        if options.query.len() > MAX_QUERY_BYTES {
            return Err(too_long());
        }
        for (what, value, max) in [
            ("n", options.limit, MAX_HITS),
            ("offset", options.offset, 100_000),
        ] {
            if value > max {
                return Err(Error::InvalidArgument {
                    what: what.into(),
                    message: format!("at most {max}"),
                });
            }
        }
        options.ranking = ranking;
        Ok(options)
    }
}

fn too_long() -> Error {
    Error::InvalidArgument {
        what: "q".into(),
        message: format!("the query is longer than {MAX_QUERY_BYTES} bytes"),
    }
}
