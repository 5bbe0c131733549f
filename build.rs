//! Links the binary as a fixed-address (non-PIE) executable on Linux with glibc.
//!
//! Every `sitrep search` is a fresh process, and a position-independent binary of this size
//! spent a seventh of a rare-term search in the dynamic loader applying its 25,000 relative
//! relocations and faulting in the pages they touch (`sitrep --version` 1.4 → 1.1 ms, a rare
//! search 2.9 → 2.5 ms on the 100 MB benchmark index). The cost is that the executable's own
//! image is not address-randomised; shared libraries, stack and heap still are.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
