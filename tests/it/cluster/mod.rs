//! Several processes as one cluster: the metadata group alone, and
//! storage nodes with a gateway.

mod disks;
mod encryption;
mod grow;
mod healing;
mod identity;
mod lifecycle;
mod lock_clock;
mod meta_cluster;
mod meta_membership;
mod multi_node;
mod no_quorum;
mod operations;
mod orphans;
mod repair_copy;
mod restart_read;
mod scrub_heal;
mod versioning;
