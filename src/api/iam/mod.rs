//! The IAM and STS query APIs on the S3 endpoint, as Ceph RGW serves
//! them (boto3's `iam`/`sts` clients and the AWS CLI pointed at
//! `--endpoint-url` send them here): a form-encoded `POST /` with an
//! `Action`, signed with SigV4 for service `iam` or `sts` (but
//! AssumeRoleWithWebIdentity, whose OpenID token is its credential),
//! answered in IAM's XML. Handlers parse the form into an IAM change or a read, call
//! the identity service, and render; who may call what is decided here
//! ([`IamRequest::authorize`]): an account root may do anything to its
//! own account's IAM, an IAM user or a role's session what its own
//! policies allow (`iam:<Action>` on the entity's ARN).

mod account;
mod entities;
mod error;
mod form;
mod groups;
mod keys;
mod oidc;
mod policies;
mod roles;
mod sts;
mod users;
mod web_identity;
mod xml;

use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub(crate) use error::IamApiError;
use form::Form;
pub(crate) use xml::{list_members, result_json};
use xml::{Answer, IAM_NS, STS_NS};

use super::access::policy as access_policy;
use super::access::Asker;
use super::auth::sigv4::{self, AuthError, RequestParts};
use super::context::{Caller, Gateway, Transport};
use super::request::header_text;
use crate::policy::Decision;

/// The largest form body taken (policy documents are at most 10 KiB,
/// URL-encoded up to three times that).
const MAX_BODY_BYTES: usize = 64 << 10;

/// Whether `req` is an IAM or STS query API call: a form-encoded
/// `POST /` (S3 has no such request: form uploads are multipart and
/// address a bucket).
pub(crate) fn is_query_api(req: &HttpRequest) -> bool {
    req.method() == Method::POST
        && req.path() == "/"
        && req.query_string().is_empty()
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            })
}

/// Which API a call belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Iam,
    Sts,
}

/// STS's actions (everything else is IAM's).
const STS_ACTIONS: &[&str] = &[
    "AssumeRole",
    "GetSessionToken",
    "GetCallerIdentity",
    "AssumeRoleWithWebIdentity",
    "DecodeAuthorizationMessage",
    "GetAccessKeyInfo",
];

/// One authenticated IAM/STS call.
pub(crate) struct IamRequest<'a> {
    /// Who signed it.
    pub caller: Caller,
    /// The form's parameters.
    pub form: Form,
    /// The gateway.
    pub gw: &'a Gateway,
    /// The HTTP request (headers and the client's address, for condition
    /// keys).
    pub http: &'a HttpRequest,
}

impl IamRequest<'_> {
    /// The caller's account.
    pub(crate) fn account(&self) -> &str {
        &self.caller.user_id
    }

    /// The caller's ARN: its own, or its account root's.
    pub(crate) fn caller_arn(&self) -> String {
        match &self.caller.identity {
            Some(i) => i.arn.clone(),
            None => crate::identity::arn::root(self.account()),
        }
    }

    /// What the caller's own policies say of `action` on `resource`;
    /// `None` for an account root (it may do anything in its account).
    fn own_decision(&self, action: &str, resource: &str) -> Option<Decision> {
        let identity = self.caller.identity.as_ref()?;
        let asker = self.asker();
        let context = access_policy::context(&asker, None);
        let principal = access_policy::principal(&asker, self.account());
        Some(access_policy::decide_identity(
            identity, principal, action, resource, &context,
        ))
    }

    /// Refuses `action` (`iam:CreateUser`) on `resource` unless the caller
    /// is its account's root, or its own policies allow it.
    pub(crate) fn authorize(&self, action: &str, resource: &str) -> Result<(), IamApiError> {
        // GetSessionToken's credentials call no IAM action (as AWS without
        // MFA); a role's session calls what its policies allow.
        let role = |i: &crate::identity::Identity| i.kind == crate::policy::IamKind::Role;
        if self.caller.temporary && !self.caller.identity.as_deref().is_some_and(role) {
            return Err(IamApiError::denied(&self.caller_arn(), action, resource));
        }
        match self.own_decision(action, resource) {
            None | Some(Decision::Allow) => Ok(()),
            Some(Decision::Deny | Decision::Unmatched) => {
                Err(IamApiError::denied(&self.caller_arn(), action, resource))
            }
        }
    }

    /// What condition keys read of the call: its caller, headers and
    /// client.
    pub(crate) fn asker(&self) -> Asker<'_> {
        asker(self.http, Some(&self.caller))
    }

    /// Whether the caller may `action` on `resource` by its own policies
    /// (an account root may).
    pub(crate) fn allows(&self, action: &str, resource: &str) -> bool {
        matches!(
            self.own_decision(action, resource),
            None | Some(Decision::Allow)
        )
    }

    /// Whether the caller's own policies explicitly deny `action` on
    /// `resource` (STS calls that need no allow still honour a deny).
    pub(crate) fn denies(&self, action: &str, resource: &str) -> bool {
        self.own_decision(action, resource) == Some(Decision::Deny)
    }
}

/// What condition keys read of a call by `caller` (`None`: unsigned):
/// its headers and client; a form POST has no query keys.
fn asker<'a>(http: &'a HttpRequest, caller: Option<&'a Caller>) -> Asker<'a> {
    Asker {
        caller,
        headers: http.headers(),
        query: &[],
        peer: http.peer_addr().map(|a| a.ip()),
        secure: http.conn_data::<Transport>().is_some_and(|t| t.secure),
    }
}

/// Answers one IAM/STS call: (the action's name for the metrics, the
/// answer).
pub(crate) async fn handle(
    req: &HttpRequest,
    payload: web::Payload,
    gw: &Gateway,
    request_id: &str,
) -> (&'static str, HttpResponse) {
    let body = match payload.to_bytes_limited(MAX_BODY_BYTES).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) | Err(_) => {
            let e = IamApiError::validation("The request body is too large or was cut off.");
            return ("Iam", e.response(IAM_NS, request_id));
        }
    };
    let form = Form::parse(&body);
    let action = form.get("Action").unwrap_or_default().to_string();
    let service = if STS_ACTIONS.contains(&action.as_str()) {
        Service::Sts
    } else {
        Service::Iam
    };
    let ns = match service {
        Service::Iam => IAM_NS,
        Service::Sts => STS_NS,
    };
    if action == "AssumeRoleWithWebIdentity" {
        // Unsigned: the provider's token is the credential.
        let result = web_identity::assume_role(req, &form, gw).await;
        let response = match result {
            Ok(answer) => answer.finish(request_id),
            Err(e) => e.response(ns, request_id),
        };
        return ("AssumeRoleWithWebIdentity", response);
    }
    let caller = match authenticate(req, &body, gw).await {
        Ok(c) => c,
        Err(e) => return ("IamUnauthenticated", e.response(ns, request_id)),
    };
    let r = IamRequest {
        caller,
        form,
        gw,
        http: req,
    };
    let (name, result) = dispatch(&action, &r).await;
    match result {
        Ok(answer) => (name, answer.finish(request_id)),
        Err(e) => (name, e.response(ns, request_id)),
    }
}

/// Runs IAM `action` with `params` as the root of `account` (named
/// `name`): the admin API's way in (`predastore admin user …`), which
/// may also `ImportAccessKey` (a key with a given id and secret); the
/// answer's result as JSON.
pub(crate) async fn run_as_root(
    req: &HttpRequest,
    gw: &Gateway,
    account: String,
    name: String,
    action: &str,
    params: Vec<(String, String)>,
) -> Result<serde_json::Value, IamApiError> {
    let r = IamRequest {
        caller: Caller::root(account, name),
        form: Form::from_pairs(params),
        gw,
        http: req,
    };
    let result = match action {
        // The admin's alone: never on the S3 endpoint.
        "ImportAccessKey" => keys::import(&r).await,
        _ => dispatch(action, &r).await.1,
    };
    Ok(xml::result_json(&result?.into_document("admin")))
}

/// Who signed the call (SigV4, service `iam` or `sts`, over the body's
/// hash), with its session token checked.
async fn authenticate(req: &HttpRequest, body: &[u8], gw: &Gateway) -> Result<Caller, IamApiError> {
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                header_text(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let parts = RequestParts {
        method: req.method().as_str(),
        path: req.path(),
        query: &[],
        headers: &headers,
    };
    let claimed = parts
        .header_values("authorization")
        .next()
        .and_then(|h| sigv4::AuthorizationHeader::parse(h).ok())
        .map(|h| h.credential.access_key)
        .ok_or(AuthError::Anonymous)?;
    let signer = match gw.key_for(&claimed).await {
        Ok(s) => Some(s),
        Err(
            e @ (AuthError::KeysUnreadable | AuthError::ExpiredToken | AuthError::InvalidToken),
        ) => return Err(e.into()),
        Err(_) => None,
    };
    let secret = signer.as_ref().map(|s| s.secret.clone());
    let body_sha256 = hex::encode(Sha256::digest(body));
    let auth = sigv4::verify_query_api(
        &parts,
        &["iam", "sts"],
        &body_sha256,
        |_| secret.clone(),
        OffsetDateTime::now_utc(),
    )?;
    let signer = signer.ok_or(AuthError::UnknownAccessKey)?;
    signer.check_token(parts.header_values("x-amz-security-token").next())?;
    if !signer.caller.temporary {
        gw.identities
            .uses
            .note(&auth.access_key, &auth.service, &auth.region);
    }
    Ok(signer.caller)
}

/// Runs `action`.
async fn dispatch(action: &str, r: &IamRequest<'_>) -> (&'static str, Result<Answer, IamApiError>) {
    macro_rules! actions {
        ($($name:literal => $handler:path),+ $(,)?) => {
            match action {
                $($name => ($name, $handler(r).await),)+
                "" => ("Iam", Err(IamApiError::new("MissingAction", 400, "Missing Action"))),
                other => ("Iam", Err(IamApiError::new(
                    "InvalidAction",
                    400,
                    format!("Could not find operation {other} for version 2010-05-08"),
                ))),
            }
        };
    }
    actions! {
        "CreateUser" => users::create,
        "GetUser" => users::get,
        "ListUsers" => users::list,
        "UpdateUser" => users::update,
        "DeleteUser" => users::delete,
        "TagUser" => users::tag,
        "UntagUser" => users::untag,
        "ListUserTags" => users::list_tags,
        "CreateAccessKey" => keys::create,
        "UpdateAccessKey" => keys::update,
        "DeleteAccessKey" => keys::delete,
        "ListAccessKeys" => keys::list,
        "GetAccessKeyLastUsed" => keys::last_used,
        "PutUserPolicy" => policies::put_user_policy,
        "GetUserPolicy" => policies::get_user_policy,
        "ListUserPolicies" => policies::list_user_policies,
        "DeleteUserPolicy" => policies::delete_user_policy,
        "PutGroupPolicy" => policies::put_group_policy,
        "GetGroupPolicy" => policies::get_group_policy,
        "ListGroupPolicies" => policies::list_group_policies,
        "DeleteGroupPolicy" => policies::delete_group_policy,
        "PutRolePolicy" => policies::put_role_policy,
        "GetRolePolicy" => policies::get_role_policy,
        "ListRolePolicies" => policies::list_role_policies,
        "DeleteRolePolicy" => policies::delete_role_policy,
        "AttachUserPolicy" => policies::attach_user_policy,
        "DetachUserPolicy" => policies::detach_user_policy,
        "ListAttachedUserPolicies" => policies::list_attached_user_policies,
        "AttachGroupPolicy" => policies::attach_group_policy,
        "DetachGroupPolicy" => policies::detach_group_policy,
        "ListAttachedGroupPolicies" => policies::list_attached_group_policies,
        "AttachRolePolicy" => policies::attach_role_policy,
        "DetachRolePolicy" => policies::detach_role_policy,
        "ListAttachedRolePolicies" => policies::list_attached_role_policies,
        "CreatePolicy" => policies::create_policy,
        "GetPolicy" => policies::get_policy,
        "ListPolicies" => policies::list_policies,
        "DeletePolicy" => policies::delete_policy,
        "CreatePolicyVersion" => policies::create_version,
        "GetPolicyVersion" => policies::get_version,
        "ListPolicyVersions" => policies::list_versions,
        "DeletePolicyVersion" => policies::delete_version,
        "SetDefaultPolicyVersion" => policies::set_default_version,
        "CreateGroup" => groups::create,
        "GetGroup" => groups::get,
        "ListGroups" => groups::list,
        "UpdateGroup" => groups::update,
        "DeleteGroup" => groups::delete,
        "AddUserToGroup" => groups::add_user,
        "RemoveUserFromGroup" => groups::remove_user,
        "ListGroupsForUser" => groups::for_user,
        "CreateRole" => roles::create,
        "GetRole" => roles::get,
        "ListRoles" => roles::list,
        "UpdateRole" => roles::update,
        "UpdateAssumeRolePolicy" => roles::update_trust,
        "DeleteRole" => roles::delete,
        "TagRole" => roles::tag,
        "UntagRole" => roles::untag,
        "ListRoleTags" => roles::list_tags,
        "GetAccountSummary" => account::summary,
        "CreateOpenIDConnectProvider" => oidc::create,
        "ListOpenIDConnectProviders" => oidc::list,
        "GetOpenIDConnectProvider" => oidc::get,
        "DeleteOpenIDConnectProvider" => oidc::delete,
        "AddClientIDToOpenIDConnectProvider" => oidc::add_client_id,
        "RemoveClientIDFromOpenIDConnectProvider" => oidc::remove_client_id,
        "UpdateOpenIDConnectProviderThumbprint" => oidc::update_thumbprints,
        "AssumeRole" => sts::assume_role,
        "GetSessionToken" => sts::get_session_token,
        "GetCallerIdentity" => sts::get_caller_identity,
    }
}
