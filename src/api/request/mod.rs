//! S3 semantics of request headers and query parameters, kept free of any
//! HTTP framework.
//!
//! The HTTP edge (actix-web) pulls raw `&str` values out of the request and
//! passes them here. That keeps the S3-specific rules (which malformed input
//! S3 ignores and which it rejects) in one place that can be unit tested
//! without building requests. Each rejection is a [`HeaderError`] saying what
//! is wrong; which S3 error code and status that becomes is decided in
//! `api::error` (`impl From<HeaderError> for S3Error`), which imports the
//! error's file and nothing else of this module. `api::xml` parses bodies
//! into values of this module's types (dates, tags); this module imports
//! no XML.
//!
//! Where AWS behaviour is not written down, the choice made here comes from
//! behaviour other S3 implementers have observed against AWS. The notes on
//! each function say which.
//!
//! - [`range`]: the GET/HEAD `Range` header;
//! - [`conditional`]: `If-Match`, `If-None-Match`, `If-(Un)Modified-Since`
//!   and their `x-amz-copy-source-if-*` twins;
//! - [`dates`]: HTTP-dates (`Last-Modified`, conditional headers);
//! - [`names`]: bucket names and object keys;
//! - [`copy_source`]: `x-amz-copy-source` and `x-amz-copy-source-range`;
//! - [`overrides`]: GetObject's `response-*` query parameters;
//! - [`user_metadata`](mod@user_metadata): `x-amz-meta-*` headers;
//! - [`params`]: listing and multipart query parameters;
//! - [`tagging`]: `x-amz-tagging`, `x-amz-tagging-directive` and the
//!   rules every tag set obeys;
//! - [`unsupported`]: headers asking for features the store lacks;
//! - `error` ([`HeaderError`]) and `text` ([`header_text`], digit runs):
//!   what the parsers above share. This file only declares modules and
//!   re-exports.

pub(crate) mod conditional;
pub(crate) mod copy_source;
pub(crate) mod dates;
mod error;
pub(crate) mod names;
pub(crate) mod overrides;
pub(crate) mod params;
pub(crate) mod range;
pub(crate) mod sse;
pub(crate) mod tagging;
mod text;
pub(crate) mod unsupported;
pub(crate) mod user_metadata;

pub(crate) use conditional::{evaluate_conditions, ConditionTarget, Conditions};
pub(crate) use copy_source::{parse_copy_source, parse_copy_source_range};
pub(crate) use dates::{http_date, parse_http_date_secs, parse_iso8601_ms};
pub(crate) use error::HeaderError;
pub(crate) use names::{validate_bucket_name, validate_object_key};
pub(crate) use overrides::{response_overrides, validate_response_overrides};
pub(crate) use params::{
    make_continuation_token, parse_continuation_token, parse_max_keys, parse_part_number,
};
pub(crate) use range::parse_range;
pub(crate) use tagging::{
    check_tags, parse_tagging_directive, parse_tagging_header, TagTarget, TaggingDirective,
};
pub(crate) use text::header_text;
pub(crate) use unsupported::check_unsupported_headers;
pub(crate) use user_metadata::user_metadata;
