//! Applying IAM changes through the batch overlay, and the reads of
//! identity: the credential a request is signed with (with the account's
//! generation), an account's document, its keys.

use serde::{Deserialize, Serialize};

use super::change::{IamChange, KeyEffect};
use super::error::IamErrorKind;
use super::records::{AccountIam, IamKey, KeyUse};
use crate::storage::meta::error::MetaError;
use crate::storage::meta::keys::storable;
use crate::storage::meta::ops::{MetaOpError, MetaOutcome};
use crate::storage::meta::overlay::{Fail, Overlay};
use crate::storage::meta::records::AccessKey;
use crate::storage::meta::state::{MetaState, Space};

/// The key of an account's document in the `iam` keyspace.
fn document_key(account: &str) -> Vec<u8> {
    [b"d", account.as_bytes()].concat()
}

/// The key of an account's generation in the `iam` keyspace.
fn generation_key(account: &str) -> Vec<u8> {
    [b"g", account.as_bytes()].concat()
}

/// The key of an access key's last use in the `iam` keyspace.
fn key_use_key(access_key_id: &str) -> Vec<u8> {
    [b"u", access_key_id.as_bytes()].concat()
}

/// Uses one [`crate::storage::meta::MetaOp::KeysUsed`] records at most
/// (a gateway sends more in several).
pub(crate) const MAX_KEY_USES: usize = 4096;

/// Version byte of a stored generation.
const GENERATION_VERSION: u8 = 1;

/// The prefix of the expiry index: `x | expires_ms (u64 big-endian) |
/// access key id` for every temporary credential, oldest first, so
/// expired ones are found and dropped without a scan of every key.
const EXPIRY_PREFIX: &[u8] = b"x";

/// The value of an expiry index entry (a version byte alone).
const EXPIRY_VALUE: [u8; 1] = [1];

/// Expired credentials dropped per new one (bounded work per op; more
/// than are made, so they never pile up).
const PURGE_PER_SESSION: usize = 16;

fn expiry_key(expires_ms: u64, access_key_id: &str) -> Vec<u8> {
    [
        EXPIRY_PREFIX,
        &expires_ms.to_be_bytes(),
        access_key_id.as_bytes(),
    ]
    .concat()
}

/// (expiry, access key id) of an expiry index key.
fn split_expiry_key(k: &[u8]) -> Option<(u64, &str)> {
    let rest = k.strip_prefix(EXPIRY_PREFIX)?;
    let (at, id) = (rest.get(..8)?, rest.get(8..)?);
    Some((
        u64::from_be_bytes(at.try_into().ok()?),
        std::str::from_utf8(id).ok()?,
    ))
}

fn encode_generation(g: u64) -> Vec<u8> {
    let mut v = vec![GENERATION_VERSION];
    v.extend_from_slice(&g.to_be_bytes());
    v
}

fn decode_generation(v: &[u8]) -> Result<u64, MetaError> {
    match v.split_first() {
        Some((&GENERATION_VERSION, rest)) => rest
            .try_into()
            .map(u64::from_be_bytes)
            .map_err(|_| MetaError::Corrupt("IAM generation")),
        _ => Err(MetaError::Corrupt("IAM generation")),
    }
}

/// Checks an imported entry of the `iam` keyspace.
pub(crate) fn check_entry(key: &[u8], value: &[u8]) -> Result<(), MetaError> {
    match key.first() {
        Some(b'd') => AccountIam::decode(value).map(drop),
        Some(b'g') => decode_generation(value).map(drop),
        Some(b'u') => KeyUse::decode(value).map(drop),
        Some(b'x') if split_expiry_key(key).is_some() && value == EXPIRY_VALUE => Ok(()),
        _ => Err(MetaError::Corrupt("IAM entry")),
    }
}

/// What signed a request: an account root's key, or an IAM key with the
/// generation of its account's document then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    /// An account root's key (today's users).
    Root(AccessKey),
    /// An IAM user's key or a temporary credential.
    Iam {
        /// The key.
        key: IamKey,
        /// Its account's document generation (0: never changed).
        generation: u64,
    },
}

impl Overlay<'_> {
    /// Applies `change` to `account`'s IAM: the document (refusals as
    /// IAM's) and the key record it names; bumps the generation unless
    /// the document stays as it was.
    pub(in crate::storage::meta) fn apply_iam(
        &mut self,
        account: &str,
        change: &IamChange,
    ) -> Result<MetaOutcome, Fail> {
        if account.is_empty() || !storable(&document_key(account)) {
            return Err(MetaOpError::InvalidArgument.into());
        }
        let dk = document_key(account);
        let mut doc = self
            .get_record(Space::Iam, &dk, AccountIam::decode)?
            .unwrap_or_default();
        doc.apply(change, self.pos.at_ms)
            .map_err(|e| MetaOpError::Iam(e.kind))?;
        match change.key_effect() {
            KeyEffect::None => {}
            KeyEffect::Put(key) => {
                if key.account != account || key.access_key_id.is_empty() {
                    return Err(MetaOpError::InvalidArgument.into());
                }
                let k = key.access_key_id.as_bytes().to_vec();
                if self.get(Space::IamKeys, &k)?.is_some()
                    || self.get(Space::AccessKeys, &k)?.is_some()
                {
                    return Err(MetaOpError::Iam(IamErrorKind::EntityAlreadyExists).into());
                }
                self.put(Space::IamKeys, k, key.try_encode()?)?;
                if let Some(session) = &key.session {
                    let ek = expiry_key(session.expires_ms, &key.access_key_id);
                    self.put(Space::Iam, ek, EXPIRY_VALUE.to_vec())?;
                    self.purge_expired()?;
                }
            }
            KeyEffect::SetActive(id, active) => {
                let k = id.as_bytes().to_vec();
                let Some(mut key) = self.get_record(Space::IamKeys, &k, IamKey::decode)? else {
                    return Err(MetaOpError::Iam(IamErrorKind::NoSuchEntity).into());
                };
                key.active = active;
                self.put(Space::IamKeys, k, key.try_encode()?)?;
            }
            KeyEffect::Delete(id) => {
                self.remove(Space::IamKeys, id.as_bytes().to_vec())?;
                self.remove(Space::Iam, key_use_key(id))?;
            }
        }
        if !change.keeps_document() {
            self.put(Space::Iam, dk, doc.try_encode()?)?;
            let gk = generation_key(account);
            let g = match self.get(Space::Iam, &gk)? {
                Some(v) => decode_generation(&v)?,
                None => 0,
            };
            self.put(Space::Iam, gk, encode_generation(g.saturating_add(1)))?;
        }
        Ok(MetaOutcome::Done)
    }
}

impl Overlay<'_> {
    /// Records when keys were last used: each use of a key that exists
    /// and is later than the one recorded (gateways' batches may cross).
    pub(in crate::storage::meta) fn apply_key_uses(
        &mut self,
        uses: &[(String, KeyUse)],
    ) -> Result<MetaOutcome, Fail> {
        if uses.len() > MAX_KEY_USES {
            return Err(MetaOpError::InvalidArgument.into());
        }
        for (id, used) in uses {
            let uk = key_use_key(id);
            let exists = self.get(Space::IamKeys, id.as_bytes())?.is_some()
                || self.get(Space::AccessKeys, id.as_bytes())?.is_some();
            if id.is_empty() || !storable(&uk) || !exists {
                continue;
            }
            let newer = self
                .get_record(Space::Iam, &uk, KeyUse::decode)?
                .is_none_or(|old| old.at_ms < used.at_ms);
            if newer {
                self.put(Space::Iam, uk, used.try_encode()?)?;
            }
        }
        Ok(MetaOutcome::Done)
    }

    /// Forgets when a deleted key was last used.
    pub(in crate::storage::meta) fn forget_key_use(&mut self, id: &str) -> Result<(), Fail> {
        self.remove(Space::Iam, key_use_key(id))
    }

    /// Drops up to [`PURGE_PER_SESSION`] temporary credentials expired
    /// before this op's time (refused anyway; this frees their space).
    fn purge_expired(&mut self) -> Result<(), Fail> {
        let mut after: Option<Vec<u8>> = None;
        for _ in 0..PURGE_PER_SESSION {
            let Some((k, _)) =
                self.first_with_prefix(Space::Iam, EXPIRY_PREFIX, after.as_deref())?
            else {
                break;
            };
            let Some((expires_ms, id)) = split_expiry_key(&k) else {
                return Err(MetaError::Corrupt("IAM expiry index").into());
            };
            if expires_ms >= self.pos.at_ms {
                break;
            }
            self.remove(Space::IamKeys, id.as_bytes().to_vec())?;
            self.remove(Space::Iam, k.clone())?;
            after = Some(k);
        }
        Ok(())
    }
}

impl MetaState {
    /// The credential `access_key_id` names: an account root's key, else
    /// an IAM key with its account's generation.
    pub fn get_credential(&self, access_key_id: &str) -> Result<Option<Credential>, MetaError> {
        if let Some(root) = self.get_access_key(access_key_id)? {
            return Ok(Some(Credential::Root(root)));
        }
        let Some(key) = self.get_iam_key(access_key_id)? else {
            return Ok(None);
        };
        let generation = self.iam_generation(&key.account)?;
        Ok(Some(Credential::Iam { key, generation }))
    }

    /// When `access_key_id` was last used, as the gateways' last
    /// batches said; `None`: never (or not yet written).
    pub fn get_key_use(&self, access_key_id: &str) -> Result<Option<KeyUse>, MetaError> {
        let k = key_use_key(access_key_id);
        if !storable(&k) {
            return Ok(None);
        }
        self.get_record(Space::Iam, &k, KeyUse::decode)
    }

    /// An IAM key record, if it exists.
    pub fn get_iam_key(&self, access_key_id: &str) -> Result<Option<IamKey>, MetaError> {
        self.get_record(Space::IamKeys, access_key_id.as_bytes(), IamKey::decode)
    }

    /// The generation of `account`'s IAM document (0: never changed).
    pub fn iam_generation(&self, account: &str) -> Result<u64, MetaError> {
        let k = generation_key(account);
        if !storable(&k) {
            return Ok(0);
        }
        match self.ks(Space::Iam).get(&k)? {
            Some(v) => decode_generation(&v),
            None => Ok(0),
        }
    }

    /// `account`'s IAM document and its generation (an empty document
    /// at 0 for an account that never had one).
    pub fn account_iam(&self, account: &str) -> Result<(u64, AccountIam), MetaError> {
        let generation = self.iam_generation(account)?;
        let doc = self
            .get_record(Space::Iam, &document_key(account), AccountIam::decode)?
            .unwrap_or_default();
        Ok((generation, doc))
    }
}
