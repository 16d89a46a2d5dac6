//! Plain networking code (no actix): the QUIC endpoint, framing and RPC
//! message types. Empty until the cluster transport lands.
