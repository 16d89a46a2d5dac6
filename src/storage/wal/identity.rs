//! Who a volume belongs to. Each volume directory holds `volume.id` (the
//! store it belongs to and its number in it), and the shard index's
//! directory holds `store.id` (the store's id and how many volumes it has
//! taken in), both written at first use. A node takes in a volume only if
//! it is its own: a directory that is missing, or present without its
//! identity, where the store already had that volume (an unmounted disk
//! leaves an empty mount point) or a disk of another store or slot is
//! refused and reported, never silently started empty. A volume slot past
//! those the store had is new, and taken in. A store whose `store.id` is
//! gone (its shard index lost, rebuilt from the volumes) takes the store
//! id its volumes name.
//!
//! ```text
//! volume.id: version u8 (1) | store id u128 LE | volume u16 LE | crc32c u32 LE
//! store.id:  version u8 (1) | store id u128 LE | volumes u16 LE | crc32c u32 LE
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The identity format this code writes and reads.
const IDENTITY_VERSION: u8 = 1;
/// Bytes of either identity file.
const IDENTITY_LEN: usize = 1 + 16 + 2 + 4;
/// A volume's identity file.
pub(crate) const VOLUME_ID_FILE: &str = "volume.id";
/// The store's identity file, in the shard index's directory.
const STORE_ID_FILE: &str = "store.id";

/// An identity: the store and a number (a volume's slot, or the store's
/// count of volumes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The store's random id.
    pub store: u128,
    /// The volume's slot (`volume.id`) or the store's volume count
    /// (`store.id`).
    pub number: u16,
}

impl Identity {
    fn encode(&self) -> [u8; IDENTITY_LEN] {
        let mut b = [0u8; IDENTITY_LEN];
        b[0] = IDENTITY_VERSION;
        b[1..17].copy_from_slice(&self.store.to_le_bytes());
        b[17..19].copy_from_slice(&self.number.to_le_bytes());
        let crc = crc32c::crc32c(&b[..19]);
        b[19..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Option<Identity> {
        if b.len() != IDENTITY_LEN || b[0] != IDENTITY_VERSION {
            return None;
        }
        let crc = u32::from_le_bytes(b[19..].try_into().ok()?);
        if crc32c::crc32c(&b[..19]) != crc {
            return None;
        }
        Some(Identity {
            store: u128::from_le_bytes(b[1..17].try_into().ok()?),
            number: u16::from_le_bytes(b[17..19].try_into().ok()?),
        })
    }
}

/// Writes `id` to `path` durably (a temporary file, synced, renamed).
fn write_identity(path: &Path, id: Identity) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, id.encode())?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Reads the identity at `path`: `Ok(None)` if there is no such file,
/// an `InvalidData` error if it is damaged.
fn read_identity(path: &Path) -> io::Result<Option<Identity>> {
    match fs::read(path) {
        Ok(b) => Identity::decode(&b)
            .map(Some)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "damaged identity file")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Why a volume is not taken in.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    /// The directory is gone where the store had a volume.
    #[error("the volume directory is missing (an unmounted disk?); it is not created again")]
    Missing,
    /// The directory has no identity where the store had a volume.
    #[error("the directory has no volume.id where this store had a volume (an empty mount point, or a new disk)")]
    NoIdentity,
    /// A disk offered as a replacement holds something (this entry).
    #[error("the directory is not empty (it holds {0}): a replacement disk must be empty")]
    NotEmpty(String),
    /// The identity names another store or another slot.
    #[error("volume.id belongs to {0}")]
    Foreign(String),
    /// The directory or its identity cannot be read or written.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// What the start found of the store's volumes.
pub(crate) struct Admitted {
    /// Each volume's refusal, `None` for a volume taken in.
    pub refused: Vec<Option<Refusal>>,
    /// The store's identity (the volumes it has taken in).
    pub store: Identity,
}

/// Decides which of `dirs` (in slot order) the store whose index lives
/// in `index_dir` takes in, writing the identities of the volumes it
/// takes in first (every volume of a store that has no `store.id` yet: a
/// new store, or one written by a release before identities).
pub(crate) fn admit_volumes(index_dir: &Path, dirs: &[PathBuf]) -> io::Result<Admitted> {
    let store_path = index_dir.join(STORE_ID_FILE);
    let known = read_identity(&store_path)?;
    // Without `store.id` (a new store, one from before identities, or a
    // shard index lost and rebuilt from the volumes), the store is the one
    // its volumes name, if any does.
    let named = || {
        dirs.iter()
            .find_map(|d| read_identity(&d.join(VOLUME_ID_FILE)).ok().flatten())
            .map(|id| id.store)
    };
    let store = match known {
        Some(s) => s.store,
        None => named().unwrap_or_else(rand::random::<u128>),
    };
    let had = known.map_or(0, |s| usize::from(s.number));
    let mut refused = Vec::with_capacity(dirs.len());
    for (slot, dir) in dirs.iter().enumerate() {
        refused.push(admit(dir, store, slot, slot < had).err());
    }
    let count = u16::try_from(dirs.len().max(had)).unwrap_or(u16::MAX);
    let identity = Identity {
        store,
        number: count,
    };
    if known != Some(identity) {
        write_identity(&store_path, identity)?;
    }
    Ok(Admitted {
        refused,
        store: identity,
    })
}

/// Takes in the volume in `dir`, slot `slot` of `store` (`had`: the store
/// had a volume in that slot before).
fn admit(dir: &Path, store: u128, slot: usize, had: bool) -> Result<(), Refusal> {
    let number = u16::try_from(slot).map_err(|_| Refusal::Foreign(format!("slot {slot}")))?;
    let mine = Identity { store, number };
    let path = dir.join(VOLUME_ID_FILE);
    if !dir.exists() {
        if had {
            return Err(Refusal::Missing);
        }
        fs::create_dir_all(dir)?;
    }
    match read_identity(&path)? {
        Some(id) if id == mine => Ok(()),
        Some(id) if id.store == store => Err(Refusal::Foreign(format!("slot {}", id.number))),
        Some(id) => Err(Refusal::Foreign(format!(
            "another store ({:032x})",
            id.store
        ))),
        None if had => Err(Refusal::NoIdentity),
        None => Ok(write_identity(&path, mine)?),
    }
}

/// Makes the empty directory `dir` (a new disk, mounted where a failed
/// volume was) slot `slot` of `store`: refused unless it is a directory
/// holding nothing but a filesystem's `lost+found` and the volume probe's
/// scratch file, so that a disk with someone's data is never taken. A
/// directory this slot's identity was already written to (a replacement
/// that did not finish) may also hold what opening it began (`wal/`).
/// An empty directory is taken whatever disk it is on: with a disk
/// unmounted, that is the disk holding its mount point.
pub(crate) fn claim_empty(dir: &Path, store: u128, slot: usize) -> Result<(), Refusal> {
    let number = u16::try_from(slot).map_err(|_| Refusal::Foreign(format!("slot {slot}")))?;
    let mine = Identity { store, number };
    if !dir.is_dir() {
        return Err(Refusal::Missing);
    }
    let path = dir.join(VOLUME_ID_FILE);
    let claimed = read_identity(&path).ok().flatten() == Some(mine);
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let ours = name == "lost+found"
            || name == super::probe::PROBE_FILE
            || (claimed && (name == VOLUME_ID_FILE || name == "wal"));
        if !ours {
            return Err(Refusal::NotEmpty(name.to_string_lossy().into_owned()));
        }
    }
    if !claimed {
        write_identity(&path, mine)?;
    }
    Ok(())
}

/// Whether `dir` still holds the identity of slot `slot` of `store`
/// (the prober's check that the disk in place is the volume's own).
pub(crate) fn holds(dir: &Path, store: u128, slot: usize) -> io::Result<()> {
    let number = u16::try_from(slot).unwrap_or(u16::MAX);
    match read_identity(&dir.join(VOLUME_ID_FILE))? {
        Some(id) if id == (Identity { store, number }) => Ok(()),
        Some(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "volume.id belongs to another volume",
        )),
        None => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "volume.id is missing (another disk in its place?)",
        )),
    }
}

#[cfg(test)]
mod tests;
