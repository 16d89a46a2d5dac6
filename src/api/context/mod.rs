//! What every handler, the router and the listener share and none of
//! them owns: the [`Gateway`] (the services a request reaches), who sent a
//! request ([`identity`]: its signature checked against the gateway's
//! keys), the authenticated, authorized [`S3Request`], each bucket's parsed policy
//! ([`bucket_policy`]), and the answer conventions ([`S3Result`], XML
//! answers, S3 error documents with their `x-amz-request-id`). It imports
//! no handler, no router and no access decision.

mod bucket_policy;
mod gateway;
mod identity;
mod request;
mod response;

pub(crate) use bucket_policy::BucketPolicy;
pub(crate) use gateway::Gateway;
pub(crate) use identity::{address, authenticate_head, Authenticated, Caller};
pub(crate) use request::{Authorized, S3Request, Transport};
pub(crate) use response::{error_answer, error_response, request_id, set_request_id};
pub(crate) use response::{xml, S3Result};
