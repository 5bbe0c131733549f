//! `sitrep read`: article files as the indexer reads them, for checking what a saved page,
//! report or Word file turns into before indexing a folder of them.

use sitrep::corpus::{self, ReadArticle};
use sitrep::output;

use crate::cli::{ColorChoice, ReadArgs};
use crate::emit::print;
use crate::report::EXIT_ERROR;

/// Prints every readable file's articles; a file that cannot be read is reported with the
/// indexer's reason and makes the exit status 1, without stopping the others.
pub fn read(args: &ReadArgs) -> anyhow::Result<u8> {
    let style = ColorChoice::Auto.style();
    let mut failed = false;
    let mut first = true;
    for file in &args.files {
        let parsed = match corpus::read_article_file(file) {
            Ok(parsed) => parsed,
            Err(err) => {
                eprintln!("error: {err}");
                failed = true;
                continue;
            }
        };
        parsed
            .warnings
            .iter()
            .for_each(|warning| eprintln!("warning: {warning}"));
        for article in parsed.articles {
            let article = ReadArticle::from(article);
            let text = if args.json {
                output::to_json(&article) + "\n"
            } else if first {
                output::render_read_article(&article, style)
            } else {
                format!("\n{}", output::render_read_article(&article, style))
            };
            first = false;
            print(&text)?;
        }
    }
    Ok(if failed { EXIT_ERROR } else { 0 })
}
