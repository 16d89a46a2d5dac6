//! An access key's record as written today (format 4), and how it is
//! read from the format before.

use serde::{Deserialize, Serialize};

use super::codec::Shape;
use super::format_v3;

/// An S3 access key, its secret, and the user it acts for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The public access key id, as it appears in signed requests.
    pub access_key_id: String,
    /// The secret that signs its requests (the HMAC key of SigV4 and
    /// SigV2), as issued.
    pub secret: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// The id of the user the key belongs to (owner of what it creates).
    pub user_id: String,
    /// That user's display name (`DisplayName` in `Owner` elements).
    pub display_name: String,
    /// That user's e-mail address (for grants by `emailAddress`), if known.
    pub email: Option<String>,
}

impl Shape for AccessKey {
    const SINCE: u8 = 4;
    type Previous = format_v3::AccessKey;
    /// No e-mail address.
    fn upgrade(v: format_v3::AccessKey) -> Self {
        Self {
            access_key_id: v.access_key_id,
            secret: v.secret,
            created_ms: v.created_ms,
            user_id: v.user_id,
            display_name: v.display_name,
            email: None,
        }
    }
}
