//! Command-line clients of a running store: `predastore admin …` calls the
//! admin API of a gateway and prints what it answers, as tables for people
//! or as the API's JSON for scripts.

pub mod admin;
mod table;
