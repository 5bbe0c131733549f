//! `sitrep entities --with NAME` and `sitrep network`: who appears with whom under a query.

use sitrep::network::{to_gexf, to_graphml, NetworkOptions, Period, TieSort};
use sitrep::{output, Error, SearchOptions};

use crate::cli::{
    Cli, EntitiesArgs, FilterArgs, NetworkArgs, NetworkFormat, PeriodChoice, TieOrder,
};
use crate::emit::{emit, print};
use crate::open::one_shot;

/// The entity `entities` is asked about: `--with NAME` (any kind), else a lone `--person`,
/// `--org` or `--place`; and the filters left.
fn center(args: &EntitiesArgs) -> Option<(Option<String>, String, FilterArgs)> {
    let filters = &args.filters;
    let copy = |person: &[String], org: &[String], place: &[String]| FilterArgs {
        person: person.to_vec(),
        org: org.to_vec(),
        place: place.to_vec(),
        entity: filters.entity.clone(),
        since: filters.since.clone(),
        until: filters.until.clone(),
    };
    if let Some(name) = &args.with {
        let all = copy(&filters.person, &filters.org, &filters.place);
        return Some((None, name.clone(), all));
    }
    match (&filters.person[..], &filters.org[..], &filters.place[..]) {
        ([name], [], []) => Some((Some("person".into()), name.clone(), copy(&[], &[], &[]))),
        ([], [name], []) => Some((Some("org".into()), name.clone(), copy(&[], &[], &[]))),
        ([], [], [name]) => Some((Some("place".into()), name.clone(), copy(&[], &[], &[]))),
        _ => None,
    }
}

/// Whether `entities` was given a query or filters, which only `--with` takes.
pub fn asks_for_ties(args: &EntitiesArgs) -> bool {
    let filters = &args.filters;
    args.with.is_some()
        || args.query.is_some()
        || !filters.person.is_empty()
        || !filters.org.is_empty()
        || !filters.place.is_empty()
        || !filters.entity.is_empty()
        || filters.since.is_some()
        || filters.until.is_some()
}

/// The search a query and filters describe, as the network counts it.
fn options(
    query: Option<&str>,
    filters: &FilterArgs,
    kinds: &[String],
) -> sitrep::Result<SearchOptions> {
    let mut params = vec![("q".to_string(), query.unwrap_or_default().to_string())];
    params.extend(filters.params(kinds)?);
    SearchOptions::from_params(params, kinds)
}

pub fn entities_with(cli: &Cli, args: &EntitiesArgs) -> anyhow::Result<u8> {
    let Some((kind, name, filters)) = center(args) else {
        return Err(Error::InvalidArgument {
            what: "entities".into(),
            message: "a query or filters need --with NAME (or one --person, --org or --place \
                      naming whom to ask about)"
                .into(),
        }
        .into());
    };
    let engine = one_shot(cli)?;
    let options = options(args.query.as_deref(), &filters, &engine.filter_kinds()?)?;
    let sort = match args.sort {
        TieOrder::Strength => TieSort::Strength,
        TieOrder::Together => TieSort::Together,
    };
    let ties = engine.entity_ties(kind.as_deref(), &name, &options, sort, args.page.range(50))?;
    if args.csv {
        print(&output::ties_csv(&ties))?;
        return Ok(0);
    }
    emit(args.json, &ties, |t| output::render_ties(t))
}

pub fn network(cli: &Cli, args: &NetworkArgs) -> anyhow::Result<u8> {
    let engine = one_shot(cli)?;
    let options = options(
        args.query.as_deref(),
        &args.filters,
        &engine.filter_kinds()?,
    )?;
    let shape = NetworkOptions {
        top: args.limit,
        min_together: args.min_together,
        by: args.by.map(|by| match by {
            PeriodChoice::Year => Period::Year,
            PeriodChoice::Month => Period::Month,
        }),
    };
    let network = engine.network(&options, &shape)?;
    let format = if args.json {
        NetworkFormat::Json
    } else {
        args.format
    };
    let description = match &args.query {
        Some(query) => format!("sitrep network: {query}"),
        None => "sitrep network".to_string(),
    };
    let text = match format {
        NetworkFormat::Table => output::render_network(&network),
        NetworkFormat::Json => output::to_json(&network) + "\n",
        NetworkFormat::Gexf => to_gexf(&network, &description),
        NetworkFormat::Graphml => to_graphml(&network),
    };
    print(&text)?;
    Ok(0)
}
