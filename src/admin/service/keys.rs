//! Access keys kept in the metadata: created with a random id and secret
//! (the secret is shown once, at creation), listed without secrets,
//! deleted. A gateway looks a key up in the metadata on every request
//! signed with it, so a deleted key is refused at once everywhere.

use serde::Serialize;

use super::error::AdminError;
use super::handle::AdminService;
use crate::clock::now_ms;
use crate::identity::{new_key_id, new_secret};
use crate::object::ObjectError;
use crate::storage::meta::{AccessKey, MetaOp, MetaOpError, MetaRead, MetaReadResult};

/// A key just created: the only time its secret is shown.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct NewKey {
    /// The id clients sign with (`PK` and random characters).
    pub access_key_id: String,
    /// The secret that signs with it: answered here once, no listing
    /// returns it.
    pub secret_access_key: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// The user it belongs to (its canonical id).
    pub user_id: String,
    /// That user's display name.
    pub display_name: String,
}

/// A key as listed (never its secret).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct KeyInfo {
    /// The id clients sign with.
    pub access_key_id: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// The user it belongs to.
    pub user_id: String,
    /// That user's display name.
    pub display_name: String,
    /// That user's e-mail address, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The key of `PREDASTORE_ACCESS_KEY` (configuration, not deletable here).
    pub configured: bool,
}

impl AdminService {
    /// Creates a key with a random id and secret: for a new user named
    /// `name` (default: the key id, with a random canonical id) with
    /// e-mail address `email`, or for the existing user `user` (a user that
    /// holds a key, or the configured key's user).
    pub(crate) async fn create_key(
        &self,
        name: Option<String>,
        user: Option<String>,
        email: Option<String>,
    ) -> Result<NewKey, AdminError> {
        let access_key_id = new_key_id("PK");
        if email
            .as_deref()
            .is_some_and(|e| e.len() > 254 || !e.contains('@'))
        {
            return Err(AdminError::Invalid("not an e-mail address".into()));
        }
        let (user_id, display_name, email) = match user {
            Some(id) => {
                let known = self.user(&id).await?;
                let (known, known_email) =
                    known.ok_or_else(|| AdminError::NotFound(format!("no user {id}")))?;
                (id, name.unwrap_or(known), email.or(known_email))
            }
            None => (
                format!(
                    "{:032x}{:032x}",
                    rand::random::<u128>(),
                    rand::random::<u128>()
                ),
                name.unwrap_or_else(|| access_key_id.clone()),
                email,
            ),
        };
        if display_name.is_empty() || display_name.len() > 128 {
            return Err(AdminError::Invalid("a user name has 1 to 128 bytes".into()));
        }
        let key = AccessKey {
            access_key_id,
            secret: new_secret(),
            created_ms: now_ms(),
            user_id,
            display_name,
            email,
        };
        let created = NewKey {
            access_key_id: key.access_key_id.clone(),
            secret_access_key: key.secret.clone(),
            created_ms: key.created_ms,
            user_id: key.user_id.clone(),
            display_name: key.display_name.clone(),
        };
        self.objects.submit(MetaOp::PutAccessKey { key }).await?;
        tracing::info!(access_key = %created.access_key_id, "access key created");
        Ok(created)
    }

    /// Every key, by id.
    pub(crate) async fn list_keys(&self) -> Result<Vec<KeyInfo>, AdminError> {
        match self.objects.read(MetaRead::AccessKeys).await? {
            MetaReadResult::AccessKeys(keys) => Ok(keys
                .into_iter()
                .map(|k| KeyInfo {
                    configured: k.access_key_id == self.config_key,
                    access_key_id: k.access_key_id,
                    created_ms: k.created_ms,
                    user_id: k.user_id,
                    display_name: k.display_name,
                    email: k.email,
                })
                .collect()),
            _ => Err(AdminError::Internal(
                "unexpected answer to a key listing".into(),
            )),
        }
    }

    /// The display name and e-mail address of user `id`, if a key belongs to it (the
    /// configured key's user is its key id).
    async fn user(&self, id: &str) -> Result<Option<(String, Option<String>)>, AdminError> {
        if id == self.config_key {
            return Ok(Some((id.to_string(), None)));
        }
        Ok(self
            .list_keys()
            .await?
            .into_iter()
            .find(|k| k.user_id == id)
            .map(|k| (k.display_name, k.email)))
    }

    /// Deletes key `id`; requests signed with it are refused from now on.
    pub(crate) async fn delete_key(&self, id: &str) -> Result<(), AdminError> {
        if id == self.config_key {
            return Err(AdminError::Refused(
                "this is the key of PREDASTORE_ACCESS_KEY: change the configuration to retire it"
                    .into(),
            ));
        }
        let op = MetaOp::DeleteAccessKey {
            access_key_id: id.to_string(),
        };
        match self.objects.submit(op).await {
            Ok(_) => {
                tracing::info!(access_key = %id, "access key deleted");
                Ok(())
            }
            Err(ObjectError::Refused(MetaOpError::NoSuchKey | MetaOpError::InvalidArgument)) => {
                Err(AdminError::NotFound(format!("no access key {id}")))
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_look_like_aws_ones_and_differ() {
        let (a, b) = (new_key_id("PK"), new_key_id("PK"));
        assert_eq!(a.len(), crate::identity::KEY_ID_CHARS);
        assert!(a.starts_with("PK"));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert_ne!(a, b);
    }
}
