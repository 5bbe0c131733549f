//! Links the `sitrep` binary as a position-dependent executable. Every `sitrep search` is a
//! new process, and a PIE binary has its data relocations applied by the dynamic loader at
//! each start (~0.1–0.2 ms of a 3 ms search; see benches/compare).

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
