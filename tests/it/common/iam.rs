//! An IAM/STS client for the tests: form-encoded query API calls signed by
//! AWS's own SigV4 signer (`aws-sigv4`) for service `iam` or `sts`, with a
//! session token when the credentials are temporary, sent to the S3
//! endpoint as boto3's `iam`/`sts` clients send them (no
//! `x-amz-content-sha256`: the server hashes the body).

use std::net::SocketAddr;
use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};

use super::http::{http_request, xml_text};
use super::presign::percent_encode;

/// Credentials: access key, secret, and a session token if temporary.
#[derive(Clone, Debug)]
pub struct Keys {
    pub access: String,
    pub secret: String,
    pub token: Option<String>,
}

impl Keys {
    /// Long-term keys.
    pub fn new(access: &str, secret: &str) -> Self {
        Keys {
            access: access.into(),
            secret: secret.into(),
            token: None,
        }
    }
}

/// An answer: status and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    /// The first `<tag>`'s text.
    pub fn text(&self, tag: &str) -> Option<String> {
        xml_text(&self.body, tag)
    }

    /// Every `<tag>`'s text, in order.
    pub fn all(&self, tag: &str) -> Vec<String> {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find(&open) {
            rest = &rest[start + open.len()..];
            let Some(end) = rest.find(&close) else { break };
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        out
    }

    /// The error code (`None` for a success).
    pub fn code(&self) -> Option<String> {
        (self.status != 200).then(|| self.text("Code")).flatten()
    }

    /// Panics unless it is a success; itself.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.status, 200, "{}", self.body);
        self
    }

    /// Panics unless it is the error `code` with `status`.
    #[track_caller]
    pub fn fails(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code().as_deref()),
            (status, Some(code)),
            "{}",
            self.body
        );
    }
}

/// An IAM and STS client of the store at `addr`.
#[derive(Clone)]
pub struct Iam {
    pub addr: SocketAddr,
    pub keys: Keys,
}

impl Iam {
    /// A client signing with `keys`.
    pub fn new(addr: SocketAddr, keys: Keys) -> Self {
        Iam { addr, keys }
    }

    /// IAM's `action` with `params`.
    pub fn iam(&self, action: &str, params: &[(&str, &str)]) -> Reply {
        self.call("iam", "2010-05-08", action, params)
    }

    /// STS's `action` with `params`.
    pub fn sts(&self, action: &str, params: &[(&str, &str)]) -> Reply {
        self.call("sts", "2011-06-15", action, params)
    }

    fn call(&self, service: &str, version: &str, action: &str, params: &[(&str, &str)]) -> Reply {
        let mut body = format!("Action={action}&Version={version}");
        for (k, v) in params {
            body.push_str(&format!("&{k}={}", percent_encode(v)));
        }
        let url = format!("http://{}/", self.addr);
        let identity = aws_credential_types::Credentials::new(
            &self.keys.access,
            &self.keys.secret,
            self.keys.token.clone(),
            None,
            "test",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let host = self.addr.to_string();
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), host),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ),
        ];
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let (signed, _) = instructions.into_parts();
        for h in signed {
            headers.push((h.name().to_string(), h.value().to_string()));
        }
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = http_request(self.addr, "POST", "/", &refs, body.as_bytes()).expect("IAM call");
        Reply {
            status: r.status,
            body: String::from_utf8_lossy(&r.body).into_owned(),
        }
    }

    /// STS's `action` with `params`, unsigned (AssumeRoleWithWebIdentity:
    /// the token is the credential).
    pub fn unsigned_sts(addr: SocketAddr, action: &str, params: &[(&str, &str)]) -> Reply {
        let mut body = format!("Action={action}&Version=2011-06-15");
        for (k, v) in params {
            body.push_str(&format!("&{k}={}", percent_encode(v)));
        }
        let host = addr.to_string();
        let headers = [
            ("host", host.as_str()),
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        ];
        let r = http_request(addr, "POST", "/", &headers, body.as_bytes()).expect("STS call");
        Reply {
            status: r.status,
            body: String::from_utf8_lossy(&r.body).into_owned(),
        }
    }

    /// Creates IAM user `name` (path `/`) and a key for it: the user's keys.
    pub fn user_with_key(&self, name: &str) -> Keys {
        self.iam("CreateUser", &[("UserName", name)]).ok();
        let k = self.iam("CreateAccessKey", &[("UserName", name)]).ok();
        Keys::new(
            &k.text("AccessKeyId").expect("key id"),
            &k.text("SecretAccessKey").expect("secret"),
        )
    }

    /// Puts inline policy `policy_name` = `document` on user `user`.
    pub fn put_user_policy(&self, user: &str, policy_name: &str, document: &str) {
        self.iam(
            "PutUserPolicy",
            &[
                ("UserName", user),
                ("PolicyName", policy_name),
                ("PolicyDocument", document),
            ],
        )
        .ok();
    }

    /// The temporary credentials of an AssumeRole or GetSessionToken answer.
    pub fn temporary(reply: &Reply) -> Keys {
        Keys {
            access: reply.text("AccessKeyId").expect("AccessKeyId"),
            secret: reply.text("SecretAccessKey").expect("SecretAccessKey"),
            token: reply.text("SessionToken"),
        }
    }
}

/// A policy document of `statements` (JSON objects, comma-separated).
pub fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// An S3 client of `endpoint` signing with `keys` (and their session
/// token), never retrying.
pub fn s3_client(endpoint: &str, keys: &Keys) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::retry::RetryConfig;
    let credentials = aws_credential_types::Credentials::new(
        &keys.access,
        &keys.secret,
        keys.token.clone(),
        None,
        "predastore-tests",
    );
    aws_sdk_s3::Client::from_conf(
        super::sdk::client_config_at(
            endpoint,
            &keys.access,
            &keys.secret,
            RetryConfig::disabled(),
        )
        .credentials_provider(credentials)
        .build(),
    )
}
