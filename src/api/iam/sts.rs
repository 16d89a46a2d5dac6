//! STS: AssumeRole (the role's trust policy decides; a session policy
//! narrows), GetSessionToken and GetCallerIdentity (web identity is in
//! `web_identity`). Temporary
//! credentials are IAM keys with a session, kept through Raft like any
//! key: they outlive a leader change, stop at their expiry, and stop at
//! once when their role is deleted.

use super::entities::find;
use super::form::{check_name, Form};
use super::xml::{Answer, STS_NS};
use super::{IamApiError, IamRequest};
use crate::api::access::policy as access_policy;
use crate::api::context::Gateway;
use crate::clock::now_ms;
use crate::identity::{arn, new_key_id, new_secret, Identities};
use crate::policy::{Decision, IamKind, Policy, PolicyRequest, Scope};
use crate::storage::meta::iam::{IamChange, IamKey, IamRole, Session};

/// The largest session policy (IAM packs it; this is the plain size AWS
/// takes).
const MAX_SESSION_POLICY: usize = 2048;

fn invalid_duration(max: u64) -> IamApiError {
    IamApiError::validation(format!(
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role, or is outside 900 to {max}."
    ))
}

/// Writes `<Credentials>` of a temporary key.
fn credentials(a: &mut Answer, key: &IamKey, session: &Session) {
    a.open("Credentials")
        .text("AccessKeyId", &key.access_key_id)
        .text("SecretAccessKey", &key.secret)
        .text("SessionToken", &session.token)
        .time("Expiration", session.expires_ms)
        .close("Credentials");
}

/// A temporary key of `account` for `principal_id`, valid `secs`.
fn temporary_key(
    account: &str,
    account_name: &str,
    principal_id: &str,
    name: &str,
    secs: u64,
    policy: Option<String>,
) -> IamKey {
    let now = now_ms();
    IamKey {
        access_key_id: new_key_id("PT"),
        secret: new_secret(),
        account: account.to_string(),
        account_name: account_name.to_string(),
        principal_id: principal_id.to_string(),
        active: true,
        created_ms: now,
        session: Some(Session {
            name: name.to_string(),
            expires_ms: now.saturating_add(secs.saturating_mul(1000)),
            token: format!("{}{}", new_secret(), new_secret()),
            policy,
        }),
    }
}

/// What AssumeRole and AssumeRoleWithWebIdentity both take: the role,
/// the session's name and its policy.
pub(super) struct RoleRequest {
    /// `RoleArn` as sent.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `Policy`: a session policy, checked.
    pub policy: Option<String>,
}

impl RoleRequest {
    /// Reads and checks the role request of `form`.
    pub(super) fn parse(form: &Form) -> Result<RoleRequest, IamApiError> {
        let role_arn = form.required("RoleArn")?.to_string();
        let session_name = form.required("RoleSessionName")?.to_string();
        if session_name.len() < 2 {
            return Err(IamApiError::validation(
                "RoleSessionName must have 2 to 64 characters.",
            ));
        }
        check_name("RoleSessionName", &session_name, 64)?;
        let policy = form.get("Policy").map(str::to_string);
        if let Some(p) = &policy {
            if p.len() > MAX_SESSION_POLICY {
                return Err(IamApiError::new(
                    "PackedPolicyTooLarge",
                    400,
                    "The session policy is too large.",
                ));
            }
            Identities::check_document(p, Scope::Identity)?;
        }
        Ok(RoleRequest {
            role_arn,
            session_name,
            policy,
        })
    }

    /// The role's account and name; `default_account` when the ARN names
    /// no account.
    pub(super) fn role<'a>(
        &'a self,
        default_account: &'a str,
    ) -> Result<(&'a str, &'a str), IamApiError> {
        let (account, name) = arn::split(&self.role_arn, "role").ok_or_else(|| {
            IamApiError::validation(format!("{} is not a valid role ARN.", self.role_arn))
        })?;
        Ok((
            if account.is_empty() {
                default_account
            } else {
                account
            },
            name,
        ))
    }
}

/// Starts a session of `role` (named `stored`, of `account`) for `req`,
/// for the form's `DurationSeconds`, and writes its credentials and user
/// to `a`.
pub(super) async fn start_session(
    gw: &Gateway,
    a: &mut Answer,
    form: &Form,
    (account, account_name): (&str, &str),
    (stored, role): (&str, &IamRole),
    req: &RoleRequest,
) -> Result<(), IamApiError> {
    let secs = form
        .number("DurationSeconds", 900..=u64::from(role.max_session_secs))
        .map_err(|_| invalid_duration(u64::from(role.max_session_secs)))?
        .unwrap_or(3600);
    let key = temporary_key(
        account,
        account_name,
        &role.id,
        &req.session_name,
        secs,
        req.policy.clone(),
    );
    let change = IamChange::CreateSession { key: key.clone() };
    gw.identities.change(account, change).await?;
    if let Some(s) = &key.session {
        credentials(a, &key, s);
    }
    a.open("AssumedRoleUser")
        .text(
            "AssumedRoleId",
            &format!("{}:{}", role.id, req.session_name),
        )
        .text("Arn", &arn::session(account, stored, &req.session_name))
        .close("AssumedRoleUser")
        .text("PackedPolicySize", "0");
    Ok(())
}

/// AssumeRole: the role's trust policy must allow the caller
/// (`sts:AssumeRole`), and the caller's own policies must not deny it.
pub(super) async fn assume_role(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let req = RoleRequest::parse(&r.form)?;
    let denied = || IamApiError::denied(&r.caller_arn(), "sts:AssumeRole", &req.role_arn);
    let (account, role_name) = req.role(r.account())?;
    let (_, doc) = r.gw.identities.document(account).await?;
    let (stored, role) = find(&doc.roles, "role", role_name).map_err(|_| denied())?;
    // Judged on the role's own ARN, never on the one sent.
    let canonical = arn::entity(account, "role", &role.path, stored);
    if r.denies("sts:AssumeRole", &canonical) {
        return Err(denied());
    }
    let trust = Policy::parse_in(&role.trust, Scope::Trust).map_err(|_| denied())?;
    let allowed = match trusts(r, &trust, &canonical) {
        Trusted::Named => true,
        // The trust names the caller's account: its own policies must
        // let it assume the role too.
        Trusted::ByAccount => r.allows("sts:AssumeRole", &canonical),
        Trusted::No => false,
    };
    if !allowed {
        return Err(denied());
    }
    let account_name = if account == r.account() {
        r.caller.display_name.clone()
    } else {
        account.to_string()
    };
    tracing::info!(role = %req.role_arn, session = %req.session_name, by = %r.caller_arn(), "role assumed");
    let mut a = Answer::new("AssumeRole", STS_NS);
    start_session(
        r.gw,
        &mut a,
        &r.form,
        (account, &account_name),
        (stored, role),
        &req,
    )
    .await?;
    Ok(a)
}

/// How a trust policy lets the caller in.
enum Trusted {
    /// By naming it (its ARN, its session, or everyone).
    Named,
    /// By naming its account only.
    ByAccount,
    /// Not at all.
    No,
}

/// Whether, and how, the trust policy allows the caller to assume the
/// role `role_arn`.
fn trusts(r: &IamRequest<'_>, trust: &Policy, role_arn: &str) -> Trusted {
    let asker = r.asker();
    let context = access_policy::context(&asker, None);
    let ask = |owner: &str| {
        trust.evaluate(&PolicyRequest {
            action: "sts:AssumeRole",
            resource: role_arn,
            principal: access_policy::principal(&asker, owner),
            context: &context,
        }) == Decision::Allow
    };
    // Judged as its own account's resource, a statement naming the
    // account does not name its identities; as another's, it does.
    if ask(r.account()) {
        Trusted::Named
    } else if ask("") {
        Trusted::ByAccount
    } else {
        Trusted::No
    }
}

/// GetSessionToken: temporary credentials of the caller itself (an IAM
/// user or the account root; not from temporary credentials).
pub(super) async fn get_session_token(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let root = r.caller.identity.is_none();
    if r.caller.temporary
        || r.caller
            .identity
            .as_ref()
            .is_some_and(|i| i.kind == IamKind::Role)
    {
        return Err(IamApiError::new(
            "AccessDenied",
            403,
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    if r.denies("sts:GetSessionToken", "*") {
        return Err(IamApiError::denied(
            &r.caller_arn(),
            "sts:GetSessionToken",
            "*",
        ));
    }
    let (max, default) = if root {
        (3600, 3600)
    } else {
        (129_600, 43_200)
    };
    let secs = r
        .form
        .number("DurationSeconds", 900..=max)
        .map_err(|_| invalid_duration(max))?
        .unwrap_or(default);
    let principal_id = r.caller.identity.as_ref().map_or("", |i| i.id.as_str());
    let key = temporary_key(
        r.account(),
        &r.caller.display_name,
        principal_id,
        "session",
        secs,
        None,
    );
    let change = IamChange::CreateSession { key: key.clone() };
    r.gw.identities.change(r.account(), change).await?;
    let mut a = Answer::new("GetSessionToken", STS_NS);
    if let Some(s) = &key.session {
        credentials(&mut a, &key, s);
    }
    Ok(a)
}

/// GetCallerIdentity: who signed (anyone may ask).
pub(super) async fn get_caller_identity(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (user_id, arn) = match &r.caller.identity {
        Some(i) => (i.id.clone(), i.arn.clone()),
        None => (r.account().to_string(), arn::root(r.account())),
    };
    let mut a = Answer::new("GetCallerIdentity", STS_NS);
    a.text("UserId", &user_id)
        .text("Account", r.account())
        .text("Arn", &arn);
    Ok(a)
}
