//! Entry points for the cargo-fuzz targets in `fuzz/`.
//!
//! The parsers that read untrusted input (request heads, aws-chunked
//! bodies, XML bodies, cluster messages, stored records) are crate-private,
//! and should stay so. The fuzz targets are a separate crate, so this module
//! gives each parser a thin `pub` wrapper that feeds it the fuzzer's bytes,
//! discards what it returns, and asserts the invariants that are cheap to
//! check (a resolved range lies inside the object, a decoded value encodes
//! back to itself, splitting a body anywhere changes nothing). Every wrapper
//! must return normally for any input: a panic here is a bug the fuzzer
//! found, in the parser or in the invariant.
//!
//! Each byte-level wrapper documents how it reads its input; text inputs
//! are newline-separated fields, so seeds stay readable. [`seeds`] gives
//! valid examples of every target's input, built from the code itself so
//! they follow its formats; [`plant_seeds`] writes them into the corpus
//! directories the fuzzer was started with.
//!
//! Not part of the product's API: hidden from the docs, and nothing else
//! calls it.

// A panic is how an entry point reports a broken invariant: it is what the
// fuzzer looks for.
#![allow(clippy::panic)]

mod auth;
mod chunked;
mod headers;
mod prelude;
mod seeds;
mod select;
mod stored;
#[cfg(test)]
mod tests;

pub use auth::*;
pub use chunked::*;
pub use headers::*;
pub use seeds::{plant_seeds, seeds, TARGETS};
pub use select::*;
pub use stored::*;
