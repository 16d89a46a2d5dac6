//! IAM calls for the `identity` phase: form-encoded `POST /` signed by
//! AWS's own SigV4 signer for service `iam`, sent on a new plain-HTTP
//! connection, as the AWS CLI sends them to an S3 endpoint that serves
//! IAM (Ceph RGW, predastore).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};

use super::BoxError;

/// An IAM client of one plain-HTTP endpoint, signing as one key.
#[derive(Clone)]
pub(super) struct IamCaller {
    addr: SocketAddr,
    host: String,
    access: String,
    secret: String,
}

impl IamCaller {
    /// A caller of `endpoint` (`http://host:port`) with these keys.
    pub(super) fn new(endpoint: &str, access: &str, secret: &str) -> Result<Self, BoxError> {
        let host = endpoint
            .strip_prefix("http://")
            .ok_or("the identity phase needs a plain http:// endpoint")?
            .trim_end_matches('/')
            .to_string();
        let addr = host
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| format!("{host}: no address"))?;
        Ok(IamCaller {
            addr,
            host,
            access: access.into(),
            secret: secret.into(),
        })
    }

    /// Runs IAM `action` with `params`: the answer's body, or its error.
    pub(super) async fn call(
        &self,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<String, BoxError> {
        let mut body = format!("Action={action}&Version=2010-05-08");
        for (k, v) in params {
            body.push('&');
            body.push_str(k);
            body.push('=');
            body.push_str(&encode(v));
        }
        let me = self.clone();
        let action = action.to_string();
        tokio::task::spawn_blocking(move || me.send(&action, &body)).await?
    }

    fn send(&self, action: &str, body: &str) -> Result<String, BoxError> {
        let identity = aws_credential_types::Credentials::new(
            &self.access,
            &self.secret,
            None,
            None,
            "predastore-bench",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("iam")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()?
            .into();
        let url = format!("http://{}/", self.host);
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), self.host.clone()),
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
        )?;
        let (instructions, _) = sign(signable, &params)?.into_parts();
        let (signed, _) = instructions.into_parts();
        for h in signed {
            headers.push((h.name().to_string(), h.value().to_string()));
        }
        let mut s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut head = String::from("POST / HTTP/1.1\r\n");
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
        s.write_all(head.as_bytes())?;
        s.write_all(body.as_bytes())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let ok = text.starts_with("HTTP/1.1 200");
        let answer = text
            .split_once("\r\n\r\n")
            .map_or(String::new(), |(_, b)| b.to_string());
        if ok {
            Ok(answer)
        } else {
            Err(format!(
                "IAM {action}: {}",
                element(&answer, "Message").unwrap_or_else(|| text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .into())
            )
            .into())
        }
    }
}

/// The first `<tag>`'s text in `xml`.
pub(super) fn element(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&format!("</{tag}>"))?;
    Some(xml[start..start + len].to_string())
}

/// RFC 3986 percent-encoding (unreserved bytes kept).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
