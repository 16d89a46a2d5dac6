//! The web console: server-rendered pages on a listener of their own
//! (`PREDASTORE_CONSOLE_LISTEN`), for people rather than programs.
//!
//! It is a client of the same services as everything else: bucket and
//! object pages send S3 requests to this process's own S3 listener,
//! presigned with the signed-in user's key (`gateway`), so the gateway's
//! authorization decides what a user sees and does; the identity pages
//! (`iam_pages`) send IAM calls the same way, signed in their header; the cluster and key
//! pages call the `AdminService` the admin API calls, for admin users
//! only (the user of `PREDASTORE_ACCESS_KEY`). Pages are rendered from
//! templates embedded in the binary; the one script and the style sheet
//! are embedded too, and a strict Content-Security-Policy forbids anything
//! else.

mod admin_pages;
mod buckets;
mod configuration;
mod context;
mod error;
mod gateway;
mod iam_pages;
mod lifecycle_rules;
mod object_settings;
mod objects;
mod post_form;
mod render;
mod server;
mod session;
mod settings;
mod sign_in;
mod uploads;
mod versions;

pub(crate) use context::{Console, ConsoleSettings};
pub(crate) use server::serve;
