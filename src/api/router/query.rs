//! The query as the router reads it: the sub-resources it names (as
//! [`SubResource`] values) and the argument values by name. The router
//! is the only reader of raw query names; handlers get typed arguments.

/// A query parameter that selects an operation rather than passing it a
/// value (`?acl`, `?uploads`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubResource {
    /// `acl`: the bucket's or object's access control list.
    Acl,
    /// `tagging`: the bucket's or object's tag set.
    Tagging,
    /// `cors`: the bucket's CORS rules.
    Cors,
    /// `lifecycle`: the bucket's lifecycle rules.
    Lifecycle,
    /// `delete`: DeleteObjects (POST on the bucket).
    Delete,
    /// `location`: GetBucketLocation.
    Location,
    /// `versioning`: GetBucketVersioning.
    Versioning,
    /// `uploads`: list (bucket) or create (object) multipart uploads.
    Uploads,
    /// `versions`: ListObjectVersions.
    Versions,
    /// `attributes`: GetObjectAttributes.
    Attributes,
    /// `object-lock`: the bucket's object lock configuration.
    ObjectLock,
    /// `retention`: an object version's retention.
    Retention,
    /// `legal-hold`: an object version's legal hold.
    LegalHold,
    /// `policy`: the bucket's policy.
    Policy,
    /// `policyStatus`: whether the bucket's policy makes it public.
    PolicyStatus,
    /// `ownershipControls`: the bucket's Object Ownership.
    OwnershipControls,
    /// `publicAccessBlock`: the bucket's Block Public Access switches.
    PublicAccessBlock,
    /// `encryption`: the bucket's default encryption.
    Encryption,
    /// `notification`: the bucket's event notifications (always none).
    Notification,
}

impl SubResource {
    const ALL: [(&'static str, SubResource); 19] = [
        ("acl", SubResource::Acl),
        ("tagging", SubResource::Tagging),
        ("cors", SubResource::Cors),
        ("lifecycle", SubResource::Lifecycle),
        ("delete", SubResource::Delete),
        ("location", SubResource::Location),
        ("versioning", SubResource::Versioning),
        ("uploads", SubResource::Uploads),
        ("versions", SubResource::Versions),
        ("attributes", SubResource::Attributes),
        ("object-lock", SubResource::ObjectLock),
        ("retention", SubResource::Retention),
        ("legal-hold", SubResource::LegalHold),
        ("policy", SubResource::Policy),
        ("policyStatus", SubResource::PolicyStatus),
        ("ownershipControls", SubResource::OwnershipControls),
        ("publicAccessBlock", SubResource::PublicAccessBlock),
        ("encryption", SubResource::Encryption),
        ("notification", SubResource::Notification),
    ];

    fn named(name: &str) -> Option<SubResource> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }
}

/// S3's bucket sub-resources this store does not implement: a GET
/// naming one is `NotImplemented`, not a listing.
const OTHER_SUBRESOURCES: &[&str] = &[
    "accelerate",
    "analytics",
    "intelligent-tiering",
    "inventory",
    "logging",
    "metrics",
    "replication",
    "requestPayment",
    "website",
    "uploadId",
    "partNumber",
    "torrent",
    "select",
    "restore",
    "session",
    "metadataTable",
];

/// Query parameters a ListObjects (V1) request may carry.
const LIST_V1_PARAMS: &[&str] = &["prefix", "delimiter", "marker", "max-keys", "encoding-type"];

/// A request's decoded query, read by name.
pub(crate) struct Query<'a> {
    /// The decoded `(name, value)` pairs, in request order.
    pairs: &'a [(String, String)],
    /// The sub-resources among them, in request order.
    subs: Vec<SubResource>,
}

impl<'a> Query<'a> {
    /// Reads `pairs` (see [`crate::api::query::parse`]).
    pub(crate) fn new(pairs: &'a [(String, String)]) -> Query<'a> {
        let subs = pairs
            .iter()
            .filter_map(|(k, _)| SubResource::named(k))
            .collect();
        Query { pairs, subs }
    }

    /// Whether the query names sub-resource `s`.
    pub(crate) fn names(&self, s: SubResource) -> bool {
        self.subs.contains(&s)
    }

    /// Parameter `name`'s first value, if present (an empty value for a
    /// bare name).
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parameter `name`'s value, `None` when absent or empty (clients send
    /// `continuation-token=` for none).
    pub(crate) fn non_empty(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// Parameter `name`'s value as sent, if present.
    pub(crate) fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    /// Whether the query is empty (a plain PUT, DELETE of the resource).
    pub(crate) fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Whether every parameter is one of `names`.
    pub(crate) fn only(&self, names: &[&str]) -> bool {
        self.pairs.iter().all(|(k, _)| names.contains(&k.as_str()))
    }

    /// Whether a bucket GET is a ListObjects (V1): no parameter names a
    /// sub-resource S3 has (those this store lacks are `NotImplemented`,
    /// never a listing) nor another `list-type`; any other parameter is
    /// ignored, as AWS ignores it (a browser form's redirect back to the
    /// bucket carries `bucket`, `key` and `etag`).
    pub(crate) fn only_list_v1(&self) -> bool {
        self.pairs.iter().all(|(k, _)| {
            LIST_V1_PARAMS.contains(&k.as_str())
                || (k != "list-type" && !OTHER_SUBRESOURCES.contains(&k.as_str()))
        }) && self.subs.is_empty()
    }

    /// Whether every parameter is one a GetObject takes: `response-*`
    /// overrides, `partNumber` and `versionId`.
    pub(crate) fn only_get_object(&self) -> bool {
        self.pairs
            .iter()
            .all(|(k, _)| k.starts_with("response-") || k == "partNumber" || k == "versionId")
    }
}
