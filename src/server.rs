//! `sitrep serve` from the binary's side: open a live engine, bind, say where it listens (and
//! warn when that is not loopback), serve until Ctrl-C.

use anyhow::Context;

use crate::cli::{self, Cli, ServeArgs};

pub fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<u8> {
    let engine = std::sync::Arc::new(crate::open::engine(cli, true)?);
    let options = sitrep::serve::ServeOptions {
        bind: args.bind,
        cors: args.cors.clone(),
        ranking: cli::ranking_from_env()?,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the server runtime")?;
    runtime.block_on(async {
        let server = sitrep::serve::Server::bind(engine, &options).await?;
        let address = server.local_addr()?;
        eprintln!("sitrep serve: listening on http://{address}/ (Ctrl-C to stop)");
        if !address.ip().is_loopback() {
            eprintln!("warning: {address} is reachable from other machines; sitrep has no login");
        }
        if args.open {
            let _ = std::process::Command::new("xdg-open")
                .arg(format!("http://{address}/"))
                .spawn();
        }
        server
            .run(async { tokio::signal::ctrl_c().await.unwrap_or(()) })
            .await?;
        anyhow::Ok(0)
    })
}
