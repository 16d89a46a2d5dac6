//! Web identity: tokens an OpenID Connect provider signed (JWTs), the
//! ground of AssumeRoleWithWebIdentity. A token is taken when an account
//! registered its issuer (IAM's OpenID Connect provider: the issuer URL and
//! the client ids its tokens must be for), its signature checks against
//! the provider's published keys ([`ProviderKeys`]), and it has not
//! expired; its claims then become the trust policy's condition keys
//! (`<provider>:sub`, `<provider>:aud`, any other claim).

mod keys;
#[cfg(test)]
mod tests;
mod token;

pub(crate) use keys::{KeySources, ProviderKeys};
pub(crate) use token::{claimed_issuer, provider_host, WebTokenError};
