//! Query benchmarks (DESIGN §8).
