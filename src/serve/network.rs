//! Who appears with whom over HTTP: `GET /api/network` (the parameters of `/api/search`, `n`
//! entities, `min_together`, `by`) and `GET /api/entities/with` (`name`, `kind`, the search
//! parameters, `sort`, `limit`, `offset`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::{error_response, on_engine, App, Params, MAX_HITS};
use crate::error::Error;
use crate::network::{NetworkOptions, Period, TieSort};
use crate::search::SearchOptions;

/// Most entities a network drawn on the page holds.
const MAX_NODES: usize = 500;

/// The search parameters of a network request, without the ones that mean something else
/// here (`n` entities, not hits).
fn filters(params: &Params) -> Params {
    Params(
        params
            .0
            .iter()
            .filter(|(key, _)| !matches!(key.as_str(), "n" | "offset" | "limit"))
            .cloned()
            .collect(),
    )
}

fn options(params: &Params, engine: &crate::Engine, app: &App) -> crate::Result<SearchOptions> {
    filters(params).search_options(engine, app.ranking)
}

pub(super) async fn network(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let shape = Params::parse(raw.as_deref()).and_then(|params| {
        let by = match params.first("by").as_deref() {
            None | Some("") => None,
            Some(by) => Some(Period::parse(by)?),
        };
        let shape = NetworkOptions {
            top: params.number("n", 50, MAX_NODES)?,
            min_together: params.number("min_together", 1, usize::MAX)? as u64,
            by,
        };
        Ok((params, shape))
    });
    let (params, shape) = match shape {
        Ok(parsed) => parsed,
        Err(err) => return error_response(&err),
    };
    let state = Arc::clone(&app);
    on_engine(&app, move |engine| {
        engine.network(&options(&params, engine, &state)?, &shape)
    })
    .await
}

pub(super) async fn entities_with(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let request = Params::parse(raw.as_deref()).and_then(|params| {
        let name = params
            .first("name")
            .filter(|name| !name.trim().is_empty())
            .ok_or_else(|| Error::InvalidArgument {
                what: "name".into(),
                message: "the entity to ask about is missing".into(),
            })?;
        let kind = params.first("kind").filter(|kind| !kind.is_empty());
        let sort = match params.first("sort").as_deref() {
            None | Some("") | Some("strength") => TieSort::Strength,
            Some("together") => TieSort::Together,
            Some(other) => {
                return Err(Error::InvalidArgument {
                    what: "sort".into(),
                    message: format!("'{other}' is not strength or together"),
                })
            }
        };
        let limit = params.number("limit", 50, MAX_HITS)?;
        let offset = params.number("offset", 0, 100_000)?;
        Ok((params, name, kind, sort, offset..offset + limit))
    });
    let (params, name, kind, sort, rows) = match request {
        Ok(request) => request,
        Err(err) => return error_response(&err),
    };
    let params = Params(
        params
            .0
            .into_iter()
            .filter(|(key, _)| !matches!(key.as_str(), "name" | "kind" | "sort"))
            .collect(),
    );
    let state = Arc::clone(&app);
    on_engine(&app, move |engine| {
        let options = options(&params, engine, &state)?;
        engine.entity_ties(kind.as_deref(), &name, &options, sort, rows)
    })
    .await
}
