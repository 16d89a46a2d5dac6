//! The bottom of the S3 API: what every handler, the router and the
//! listener share and none of them owns. The [`Gateway`] (the services a
//! request reaches), the authenticated [`S3Request`], and the answer
//! conventions ([`S3Result`], XML answers, S3 error documents with their
//! `x-amz-request-id`). It imports no handler and no dispatch, so handlers
//! can import it without closing a loop.

mod gateway;
mod request;
mod response;

pub(crate) use gateway::Gateway;
pub(crate) use request::{S3Request, Transport};
pub(crate) use response::{error_answer, error_response, request_id, set_request_id};
pub(crate) use response::{xml, S3Result};
