//! Request authentication: AWS Signature Version 4 ([`sigv4`], header and
//! presigned URL), SigV2 presigned URLs ([`sigv2`]), and the aws-chunked
//! bodies whose chunks SigV4 signs ([`chunked`]).

pub mod chunked;
pub mod sigv2;
pub mod sigv4;
