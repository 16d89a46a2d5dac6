//! Access control lists, as S3 keeps them on buckets and objects: who owns
//! a resource and which grantees hold which permissions. Kept in the
//! bucket, object and upload records, so they replicate through Raft with
//! what they protect; the API layer parses and renders them and decides
//! each request with [`Acl::allows`].

use serde::{Deserialize, Serialize};

/// A permission S3 grants (the `Permission` element of a grant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// Every permission below (`FULL_CONTROL`).
    FullControl,
    /// List a bucket; read an object and its metadata.
    Read,
    /// Create, overwrite and delete the objects of a bucket.
    Write,
    /// Read the ACL.
    ReadAcp,
    /// Replace the ACL.
    WriteAcp,
}

/// Who a grant is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grantee {
    /// One user, by its canonical id.
    User(String),
    /// Everyone, signed or not (`http://acs.amazonaws.com/groups/global/AllUsers`).
    AllUsers,
    /// Every signed request (`…/groups/global/AuthenticatedUsers`).
    AuthenticatedUsers,
}

/// One grant of an ACL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The user or group the permission is granted to.
    pub grantee: Grantee,
    /// What the grantee may do.
    pub permission: Permission,
}

/// The ACL of a bucket, an object or an upload in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    /// The grants, in the order they were given.
    pub grants: Vec<Grant>,
}

/// S3's canned ACLs (`x-amz-acl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CannedAcl {
    /// The owner has full control; nobody else has access.
    Private,
    /// … and everyone may read.
    PublicRead,
    /// … and everyone may read and write.
    PublicReadWrite,
    /// … and every signed request may read.
    AuthenticatedRead,
    /// An object's owner has full control, the bucket's owner may read.
    BucketOwnerRead,
    /// Both the object's and the bucket's owner have full control.
    BucketOwnerFullControl,
}

impl CannedAcl {
    /// The canned ACL named `name` (the value of `x-amz-acl`).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "private" => CannedAcl::Private,
            "public-read" => CannedAcl::PublicRead,
            "public-read-write" => CannedAcl::PublicReadWrite,
            "authenticated-read" => CannedAcl::AuthenticatedRead,
            "bucket-owner-read" => CannedAcl::BucketOwnerRead,
            "bucket-owner-full-control" => CannedAcl::BucketOwnerFullControl,
            _ => return None,
        })
    }

    /// The grants it stands for, on a resource owned by `owner` in a
    /// bucket owned by `bucket_owner` (the same for a bucket itself).
    pub(crate) fn grants(self, owner: &str, bucket_owner: &str) -> Acl {
        let grant = |grantee, permission| Grant {
            grantee,
            permission,
        };
        // The owner's grant comes last, after the groups', as AWS lists
        // them.
        let mut grants = Vec::new();
        match self {
            CannedAcl::Private => {}
            CannedAcl::PublicRead => grants.push(grant(Grantee::AllUsers, Permission::Read)),
            CannedAcl::PublicReadWrite => {
                grants.push(grant(Grantee::AllUsers, Permission::Read));
                grants.push(grant(Grantee::AllUsers, Permission::Write));
            }
            CannedAcl::AuthenticatedRead => {
                grants.push(grant(Grantee::AuthenticatedUsers, Permission::Read));
            }
            CannedAcl::BucketOwnerRead if bucket_owner != owner => {
                grants.push(grant(Grantee::User(bucket_owner.into()), Permission::Read));
            }
            CannedAcl::BucketOwnerFullControl if bucket_owner != owner => {
                grants.push(grant(
                    Grantee::User(bucket_owner.into()),
                    Permission::FullControl,
                ));
            }
            CannedAcl::BucketOwnerRead | CannedAcl::BucketOwnerFullControl => {}
        }
        grants.push(grant(Grantee::User(owner.into()), Permission::FullControl));
        Acl { grants }
    }
}

impl Acl {
    /// Whether it grants anything to everyone or to every signed request
    /// (what Block Public Access calls a public ACL).
    pub fn is_public(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g.grantee, Grantee::AllUsers | Grantee::AuthenticatedUsers))
    }

    /// The ACL with its public grants left out (`IgnorePublicAcls`).
    pub fn without_public(&self) -> Acl {
        Acl {
            grants: self
                .grants
                .iter()
                .filter(|g| matches!(g.grantee, Grantee::User(_)))
                .cloned()
                .collect(),
        }
    }

    /// Whether it grants nothing to anyone but `owner`.
    pub fn only_owner(&self, owner: &str) -> bool {
        self.grants
            .iter()
            .all(|g| matches!(&g.grantee, Grantee::User(id) if id == owner))
    }

    /// The `private` ACL of a resource owned by `owner`.
    pub fn private(owner: &str) -> Self {
        CannedAcl::Private.grants(owner, owner)
    }

    /// Whether `user` (`None`: an anonymous request) holds `permission` on
    /// a resource owned by `owner` under this ACL. The owner may always
    /// read and replace the ACL, as in S3, so an owner who granted itself
    /// nothing can still mend it.
    pub fn allows(&self, owner: &str, user: Option<&str>, permission: Permission) -> bool {
        if user == Some(owner) && matches!(permission, Permission::ReadAcp | Permission::WriteAcp) {
            return true;
        }
        self.grants.iter().any(|g| {
            let holder = match &g.grantee {
                Grantee::AllUsers => true,
                Grantee::AuthenticatedUsers => user.is_some(),
                Grantee::User(id) => user == Some(id.as_str()),
            };
            holder && (g.permission == permission || g.permission == Permission::FullControl)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_acls_grant_what_s3_documents() {
        let read = Permission::Read;
        let private = CannedAcl::Private.grants("alice", "alice");
        assert!(private.allows("alice", Some("alice"), read));
        assert!(!private.allows("alice", Some("bob"), read));
        assert!(!private.allows("alice", None, read));

        let public = CannedAcl::PublicRead.grants("alice", "alice");
        assert!(public.allows("alice", None, read));
        assert!(!public.allows("alice", None, Permission::Write));

        let rw = CannedAcl::PublicReadWrite.grants("alice", "alice");
        assert!(rw.allows("alice", Some("bob"), Permission::Write));
        assert!(!rw.allows("alice", Some("bob"), Permission::WriteAcp));

        let auth = CannedAcl::AuthenticatedRead.grants("alice", "alice");
        assert!(auth.allows("alice", Some("bob"), read));
        assert!(!auth.allows("alice", None, read));

        let bor = CannedAcl::BucketOwnerRead.grants("bob", "alice");
        assert!(bor.allows("bob", Some("alice"), read));
        assert!(!bor.allows("bob", Some("alice"), Permission::ReadAcp));
        let bofc = CannedAcl::BucketOwnerFullControl.grants("bob", "alice");
        assert!(bofc.allows("bob", Some("alice"), Permission::WriteAcp));
        assert_eq!(
            CannedAcl::BucketOwnerFullControl.grants("alice", "alice"),
            Acl::private("alice")
        );
        assert_eq!(CannedAcl::parse("public-read"), Some(CannedAcl::PublicRead));
        assert_eq!(CannedAcl::parse("Public-Read"), None);
    }

    #[test]
    fn the_owner_keeps_its_acl_rights_with_no_grant() {
        let none = Acl::default();
        assert!(none.allows("alice", Some("alice"), Permission::ReadAcp));
        assert!(none.allows("alice", Some("alice"), Permission::WriteAcp));
        assert!(!none.allows("alice", Some("alice"), Permission::Read));
        assert!(!none.allows("alice", None, Permission::ReadAcp));
    }
}
