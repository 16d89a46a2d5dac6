//! AssumeRoleWithWebIdentity: an unsigned STS call carrying an OpenID
//! provider's token. The role's account must have registered the
//! provider (IAM `CreateOpenIDConnectProvider`), the token must check
//! against the provider's keys and client ids, and the role's trust
//! policy must allow `sts:AssumeRoleWithWebIdentity` to the provider
//! (`Federated`), its conditions reading the token's claims
//! (`<provider>:sub`, `<provider>:aud`, any other claim).

use actix_web::HttpRequest;

use super::entities::find;
use super::form::Form;
use super::sts::{start_session, RoleRequest};
use super::xml::{Answer, STS_NS};
use super::IamApiError;
use crate::api::access::policy as access_policy;
use crate::api::context::Gateway;
use crate::identity::arn;
use crate::identity::oidc::{claimed_issuer, provider_host, WebTokenError};
use crate::policy::{Decision, IamKind, IamPrincipal, Policy, PolicyRequest, Principal, Scope};

const ACTION: &str = "sts:AssumeRoleWithWebIdentity";

impl From<WebTokenError> for IamApiError {
    fn from(e: WebTokenError) -> Self {
        match e {
            WebTokenError::Malformed(m) | WebTokenError::Untrusted(m) => {
                IamApiError::new("InvalidIdentityToken", 400, m)
            }
            e @ WebTokenError::Expired(_) => {
                IamApiError::new("ExpiredTokenException", 400, e.to_string())
            }
            // The cause (paths, addresses) is logged, not told.
            WebTokenError::KeysUnavailable(_) => IamApiError::new(
                "IDPCommunicationError",
                400,
                "The OpenID provider's keys could not be read.",
            ),
        }
    }
}

/// AssumeRoleWithWebIdentity (anyone may call it: the token is the
/// credential).
pub(super) async fn assume_role(
    http: &HttpRequest,
    form: &Form,
    gw: &Gateway,
) -> Result<Answer, IamApiError> {
    let req = RoleRequest::parse(form)?;
    let token = form.required("WebIdentityToken")?;
    let denied = || {
        IamApiError::new(
            "AccessDenied",
            403,
            format!("Not authorized to perform {ACTION}"),
        )
    };
    let (account, role_name) = req.role("")?;
    if account.is_empty() {
        return Err(IamApiError::validation(
            "RoleArn must name the role's account (arn:aws:iam::<account>:role/<name>).",
        ));
    }
    let (_, doc) = gw.identities.document(account).await?;
    let issuer = claimed_issuer(token)?;
    let host = provider_host(&issuer).unwrap_or(&issuer);
    let (stored_host, provider) = doc
        .oidc_providers
        .iter()
        .find(|(h, _)| h.eq_ignore_ascii_case(host))
        .ok_or_else(|| {
            IamApiError::new(
                "InvalidIdentityToken",
                400,
                format!("No OpenIDConnect provider found in your account for {issuer}"),
            )
        })?;
    let web = gw
        .provider_keys
        .verify(token, &provider.url, &provider.client_ids)
        .await?;
    let (stored, role) = find(&doc.roles, "role", role_name).map_err(|_| denied())?;
    let canonical = arn::entity(account, "role", &role.path, stored);
    let trust = Policy::parse_in(&role.trust, Scope::Trust).map_err(|_| denied())?;
    let mut context = access_policy::context(&super::asker(http, None), None);
    for (key, value) in web.condition_keys(stored_host) {
        context.insert(&key, value);
    }
    context.insert("aws:FederatedProvider", stored_host.as_str());
    let provider_arn = format!("arn:aws:iam::{account}:oidc-provider/{stored_host}");
    let principal = Principal {
        user_id: account,
        user_name: "",
        iam: Some(IamPrincipal {
            kind: IamKind::WebIdentity,
            name: stored_host,
            arn: &provider_arn,
            account_counts: false,
        }),
    };
    let decision = trust.evaluate(&PolicyRequest {
        action: ACTION,
        resource: &canonical,
        principal: Some(principal),
        context: &context,
    });
    if decision != Decision::Allow {
        return Err(denied());
    }
    tracing::info!(role = %canonical, session = %req.session_name, provider = %stored_host, subject = %web.subject, "role assumed with a web identity");
    let mut a = Answer::new("AssumeRoleWithWebIdentity", STS_NS);
    start_session(gw, &mut a, form, (account, account), (stored, role), &req).await?;
    a.text("SubjectFromWebIdentityToken", &web.subject)
        .text("Provider", stored_host)
        .text("Audience", &web.audience);
    Ok(a)
}
