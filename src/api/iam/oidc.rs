//! OpenID Connect providers of an account: the identity providers whose
//! tokens its roles may trust (the ground of AssumeRoleWithWebIdentity).

use super::entities::find;
use super::xml::{Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::identity::oidc::provider_host;
use crate::storage::meta::iam::{IamChange, OidcProvider};

/// The longest issuer URL IAM takes.
const MAX_URL: usize = 255;

/// A provider's URL without its scheme: its key and the end of its ARN.
fn host_of(url: &str) -> Result<&str, IamApiError> {
    provider_host(url)
        .filter(|_| url.len() <= MAX_URL)
        .ok_or_else(|| {
            IamApiError::validation(format!("{url} is not a valid OpenID Connect provider URL"))
        })
}

fn provider_arn(r: &IamRequest<'_>, host: &str) -> String {
    format!("arn:aws:iam::{}:oidc-provider/{host}", r.account())
}

/// The host the `OpenIDConnectProviderArn` names, if it is this
/// account's (an empty account part is the caller's own, as RGW writes
/// it).
fn named_host(r: &IamRequest<'_>) -> Result<String, IamApiError> {
    let arn = r.form.required("OpenIDConnectProviderArn")?;
    let rest = arn.strip_prefix("arn:aws:iam::").unwrap_or_default();
    rest.split_once(":oidc-provider/")
        .filter(|(a, h)| (a.is_empty() || *a == r.account()) && !h.is_empty())
        .map(|(_, h)| h.to_string())
        .ok_or_else(|| IamApiError::no_such(format!("OpenIDConnect Provider {arn} not found.")))
}

/// CreateOpenIDConnectProvider.
pub(super) async fn create(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let url = r.form.required("Url")?.to_string();
    let host = host_of(&url)?.to_string();
    let arn = provider_arn(r, &host);
    r.authorize("iam:CreateOpenIDConnectProvider", &arn)?;
    let provider = OidcProvider {
        url,
        client_ids: r
            .form
            .list("ClientIDList")
            .into_iter()
            .map(str::to_string)
            .collect(),
        thumbprints: r
            .form
            .list("ThumbprintList")
            .into_iter()
            .map(str::to_string)
            .collect(),
        created_ms: 0,
    };
    let change = IamChange::CreateOidcProvider { host, provider };
    r.gw.identities.change(r.account(), change).await?;
    let mut a = Answer::new("CreateOpenIDConnectProvider", IAM_NS);
    a.text("OpenIDConnectProviderArn", &arn);
    Ok(a)
}

/// ListOpenIDConnectProviders.
pub(super) async fn list(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    r.authorize("iam:ListOpenIDConnectProviders", "*")?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let mut a = Answer::new("ListOpenIDConnectProviders", IAM_NS);
    a.open("OpenIDConnectProviderList");
    for host in doc.oidc_providers.keys() {
        a.open("member")
            .text("Arn", &provider_arn(r, host))
            .close("member");
    }
    a.close("OpenIDConnectProviderList");
    Ok(a)
}

/// GetOpenIDConnectProvider.
pub(super) async fn get(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let host = named_host(r)?;
    r.authorize("iam:GetOpenIDConnectProvider", &provider_arn(r, &host))?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (_, p) = find(&doc.oidc_providers, "OpenIDConnect Provider", &host)?;
    let mut a = Answer::new("GetOpenIDConnectProvider", IAM_NS);
    a.text("Url", &p.url).open("ClientIDList");
    for c in &p.client_ids {
        a.text("member", c);
    }
    a.close("ClientIDList").open("ThumbprintList");
    for t in &p.thumbprints {
        a.text("member", t);
    }
    a.close("ThumbprintList").time("CreateDate", p.created_ms);
    Ok(a)
}

/// DeleteOpenIDConnectProvider.
pub(super) async fn delete(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let host = named_host(r)?;
    r.authorize("iam:DeleteOpenIDConnectProvider", &provider_arn(r, &host))?;
    r.gw.identities
        .change(r.account(), IamChange::DeleteOidcProvider { host })
        .await?;
    Ok(Answer::new("DeleteOpenIDConnectProvider", IAM_NS))
}

/// Add/RemoveClientIDTo/FromOpenIDConnectProvider and
/// UpdateOpenIDConnectProviderThumbprint: the provider's lists changed.
async fn update(
    r: &IamRequest<'_>,
    action: &'static str,
    change: impl FnOnce(&mut OidcProvider, &IamRequest<'_>) -> Result<(), IamApiError>,
) -> Result<Answer, IamApiError> {
    let host = named_host(r)?;
    r.authorize(&format!("iam:{action}"), &provider_arn(r, &host))?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (_, p) = find(&doc.oidc_providers, "OpenIDConnect Provider", &host)?;
    let mut p = p.clone();
    change(&mut p, r)?;
    let change = IamChange::UpdateOidcProvider {
        host,
        client_ids: Some(p.client_ids),
        thumbprints: Some(p.thumbprints),
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new(action, IAM_NS))
}

/// AddClientIDToOpenIDConnectProvider (an id there already: nothing).
pub(super) async fn add_client_id(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    update(r, "AddClientIDToOpenIDConnectProvider", |p, r| {
        let id = r.form.required("ClientID")?.to_string();
        if !p.client_ids.contains(&id) {
            p.client_ids.push(id);
        }
        Ok(())
    })
    .await
}

/// RemoveClientIDFromOpenIDConnectProvider.
pub(super) async fn remove_client_id(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    update(r, "RemoveClientIDFromOpenIDConnectProvider", |p, r| {
        let id = r.form.required("ClientID")?;
        p.client_ids.retain(|c| c != id);
        Ok(())
    })
    .await
}

/// UpdateOpenIDConnectProviderThumbprint.
pub(super) async fn update_thumbprints(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    update(r, "UpdateOpenIDConnectProviderThumbprint", |p, r| {
        p.thumbprints = r
            .form
            .list("ThumbprintList")
            .into_iter()
            .map(str::to_string)
            .collect();
        Ok(())
    })
    .await
}
