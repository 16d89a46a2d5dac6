//! Access keys of IAM users and of the account root: create (at most
//! two), list, activate or deactivate, delete.

use super::entities::find;
use super::users::MAX_NAME;
use super::xml::{Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::api::access::access_keys;
use crate::clock::now_ms;
use crate::identity::{arn, new_key_id, new_secret};
use crate::storage::meta::iam::{AccountIam, IamChange, IamKey};

/// Whose keys a call is about: a user of the account (its stored name
/// and id), or the account root.
struct KeyOwner {
    /// The user's name; empty: the root.
    user: String,
    /// The user's id; empty: the root.
    id: String,
    /// The ARN the call is authorized on.
    arn: String,
}

/// The `UserName` named, or the caller when none is (an IAM user's own
/// keys, or the root's).
fn owner(r: &IamRequest<'_>, doc: &AccountIam) -> Result<KeyOwner, IamApiError> {
    let named = match (r.form.get("UserName"), &r.caller.identity) {
        (Some(n), _) if !n.is_empty() => {
            super::form::check_name("UserName", n, MAX_NAME)?;
            Some(n.to_string())
        }
        (_, Some(i)) if i.kind == crate::policy::IamKind::User => Some(i.name.clone()),
        (_, Some(_)) => {
            return Err(IamApiError::validation(
                "Must specify userName when calling with non-User credentials",
            ))
        }
        (_, None) => None,
    };
    Ok(match named {
        Some(n) => {
            let (name, u) = find(&doc.users, "user", &n)?;
            KeyOwner {
                user: name.to_string(),
                id: u.id.clone(),
                arn: arn::entity(r.account(), "user", &u.path, name),
            }
        }
        None => KeyOwner {
            user: String::new(),
            id: String::new(),
            arn: arn::root(r.account()),
        },
    })
}

/// The name a key is shown under: its user's, or the root's.
fn shown_name(r: &IamRequest<'_>, owner: &KeyOwner) -> String {
    if owner.user.is_empty() {
        r.caller.display_name.clone()
    } else {
        owner.user.clone()
    }
}

fn no_key(id: &str) -> IamApiError {
    IamApiError::no_such(format!("The Access Key with id {id} cannot be found."))
}

/// CreateAccessKey: the secret is shown this once.
pub(super) async fn create(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let key = (new_key_id("PK"), new_secret(), true);
    issue(r, "CreateAccessKey", key).await
}

/// ImportAccessKey: a key with the id, secret and status given (the
/// admin API's alone: `admin iam import` carries another store's keys
/// over unchanged, so its clients keep working).
pub(super) async fn import(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let id = r.form.required("AccessKeyId")?.to_string();
    let secret = r.form.required("SecretAccessKey")?.to_string();
    let printable = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
    if !(3..=128).contains(&id.len()) || !printable(&id) {
        return Err(IamApiError::validation(
            "AccessKeyId must be 3 to 128 printable characters.",
        ));
    }
    if !(8..=128).contains(&secret.len()) || !printable(&secret) {
        return Err(IamApiError::validation(
            "SecretAccessKey must be 8 to 128 printable characters.",
        ));
    }
    let active = r.form.get("Status") != Some("Inactive");
    issue(r, "ImportAccessKey", (id, secret, active)).await
}

/// Gives the caller's or `UserName`'s user the key (id, secret, active).
async fn issue(
    r: &IamRequest<'_>,
    action: &'static str,
    (access_key_id, secret, active): (String, String, bool),
) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let owner = owner(r, &doc)?;
    r.authorize("iam:CreateAccessKey", &owner.arn)?;
    let key = IamKey {
        access_key_id,
        secret,
        account: r.account().to_string(),
        account_name: r.caller.display_name.clone(),
        principal_id: owner.id.clone(),
        active,
        created_ms: now_ms(),
        session: None,
    };
    let change = IamChange::CreateKey {
        user: owner.user.clone(),
        key: key.clone(),
    };
    r.gw.identities.change(r.account(), change).await?;
    tracing::info!(access_key = %key.access_key_id, user = %owner.arn, action, "access key created");
    let mut a = Answer::new(action, IAM_NS);
    a.open("AccessKey")
        .text("UserName", &shown_name(r, &owner))
        .text("AccessKeyId", &key.access_key_id)
        .text("Status", if active { "Active" } else { "Inactive" })
        .text("SecretAccessKey", &key.secret)
        .time("CreateDate", key.created_ms)
        .close("AccessKey");
    Ok(a)
}

/// UpdateAccessKey (`Status`: Active or Inactive): a deactivated key is
/// refused at its next request, on every gateway.
pub(super) async fn update(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let id = r.form.required("AccessKeyId")?.to_string();
    let active = match r.form.required("Status")? {
        "Active" => true,
        "Inactive" => false,
        other => {
            return Err(IamApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
            )))
        }
    };
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let owner = owner(r, &doc)?;
    r.authorize("iam:UpdateAccessKey", &owner.arn)?;
    let change = IamChange::SetKeyActive {
        user: owner.user,
        access_key_id: id,
        active,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UpdateAccessKey", IAM_NS))
}

/// DeleteAccessKey.
pub(super) async fn delete(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let id = r.form.required("AccessKeyId")?.to_string();
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let owner = owner(r, &doc)?;
    r.authorize("iam:DeleteAccessKey", &owner.arn)?;
    let change = IamChange::DeleteKey {
        user: owner.user,
        access_key_id: id.clone(),
    };
    r.gw.identities.change(r.account(), change).await?;
    tracing::info!(access_key = %id, "access key deleted");
    Ok(Answer::new("DeleteAccessKey", IAM_NS))
}

/// ListAccessKeys (without secrets): a user's, or the root's (those made
/// through IAM, and those the admin CLI made for the account).
pub(super) async fn list(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let owner = owner(r, &doc)?;
    r.authorize("iam:ListAccessKeys", &owner.arn)?;
    let ids = if owner.user.is_empty() {
        doc.root_keys.iter().cloned().collect()
    } else {
        find(&doc.users, "user", &owner.user)?
            .1
            .keys
            .iter()
            .cloned()
            .collect()
    };
    let mut keys: Vec<(String, bool, u64)> =
        r.gw.identities
            .keys(ids)
            .await?
            .into_iter()
            .map(|k| (k.access_key_id, k.active, k.created_ms))
            .collect();
    if owner.user.is_empty() {
        let admin_made = access_keys(r.gw).await.map_err(|_| unreadable_keys())?;
        keys.extend(
            admin_made
                .into_iter()
                .filter(|k| k.user_id == r.account())
                .map(|k| (k.access_key_id, true, k.created_ms)),
        );
    }
    let name = shown_name(r, &owner);
    let mut a = Answer::new("ListAccessKeys", IAM_NS);
    a.open("AccessKeyMetadata");
    for (id, active, created) in keys {
        a.open("member")
            .text("UserName", &name)
            .text("AccessKeyId", &id)
            .text("Status", if active { "Active" } else { "Inactive" })
            .time("CreateDate", created)
            .close("member");
    }
    a.close("AccessKeyMetadata")
        .paging(None)
        .text("UserName", &name);
    Ok(a)
}

/// GetAccessKeyLastUsed: the key's user, and when, for which service
/// and in which region it last signed a request (`N/A` for a key never
/// used, as AWS answers). Another gateway's uses show once it writes its
/// batch ([`crate::identity::key_use::FLUSH_EVERY`]).
pub(super) async fn last_used(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let id = r.form.required("AccessKeyId")?.to_string();
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let user = doc.users.iter().find(|(_, u)| u.keys.contains(&id));
    let (holder, arn) = match user {
        Some((n, u)) => (n.clone(), arn::entity(r.account(), "user", &u.path, n)),
        None if doc.root_keys.contains(&id) || root_made_by_admin(r, &id).await? => {
            (r.caller.display_name.clone(), arn::root(r.account()))
        }
        None => return Err(no_key(&id)),
    };
    r.authorize("iam:GetAccessKeyLastUsed", &arn)?;
    let used = r.gw.identities.last_use(&id).await?;
    let mut a = Answer::new("GetAccessKeyLastUsed", IAM_NS);
    a.text("UserName", &holder).open("AccessKeyLastUsed");
    match used {
        Some(u) => a
            .time("LastUsedDate", u.at_ms)
            .text("ServiceName", &u.service)
            .text("Region", &u.region),
        None => a.text("ServiceName", "N/A").text("Region", "N/A"),
    };
    a.close("AccessKeyLastUsed");
    Ok(a)
}

/// Whether `id` is a key the admin API made for the caller's account
/// (the account root's, kept apart from IAM's keys).
async fn root_made_by_admin(r: &IamRequest<'_>, id: &str) -> Result<bool, IamApiError> {
    let keys = access_keys(r.gw).await.map_err(|_| unreadable_keys())?;
    Ok(keys
        .iter()
        .any(|k| k.access_key_id == id && k.user_id == r.account()))
}

/// The keys cannot be read now (the metadata does not answer).
fn unreadable_keys() -> IamApiError {
    IamApiError::new("ServiceUnavailable", 503, "The keys cannot be read now.")
}
