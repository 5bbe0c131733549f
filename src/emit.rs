//! Printing results on stdout: one JSON value, or its rendering for people.

use std::io::Write;

use serde::Serialize;
use sitrep::output;

/// Prints one JSON value or its rendering for people.
pub fn emit<T: Serialize>(
    json: bool,
    value: &T,
    render: impl Fn(&T) -> String,
) -> anyhow::Result<u8> {
    let text = if json {
        output::to_json(value) + "\n"
    } else {
        render(value)
    };
    print(&text)?;
    Ok(0)
}

/// Writes results to stdout.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}
