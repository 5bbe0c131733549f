//! The tagging commands: `extract` prints the mentions a gazetteer finds in a file, and
//! `train-tagger` trains the unlisted-name tagger on CoNLL-2003.

use std::io::Read;

use anyhow::Context;
use sitrep::{corpus, engine, entities, output};

use crate::cli::{Cli, ExtractArgs, TrainTaggerArgs};
use crate::emit::emit;

pub fn extract(cli: &Cli, args: &ExtractArgs) -> anyhow::Result<u8> {
    let gazetteer = engine::extraction_gazetteer(&cli.index, cli.entities.as_deref(), &cli.corpus)?;
    let texts = if args.file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
        vec![text]
    } else {
        let (paragraphs, warnings) = corpus::read_paragraphs(args.file.as_ref())?;
        warnings.iter().for_each(|w| eprintln!("warning: {w}"));
        paragraphs
    };
    let paragraphs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mentions: Vec<_> = gazetteer
        .find_article_mentions(&paragraphs, args.unlisted.then(entities::builtin_tagger))
        .into_iter()
        .flatten()
        .collect();
    emit(args.json, &mentions, |m| output::render_mentions(m))
}

pub fn train_tagger(args: &TrainTaggerArgs) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    let (tagger, scores) = entities::tagger::train_on_conll(&args.conll, args.epochs)?;
    std::fs::write(&args.out, tagger.to_bytes())
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "trained in {:.1} s; wrote {}\nCoNLL-2003 validation:\n{scores}",
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(0)
}
