# One image for every role; PREDASTORE_ROLE picks what a container runs.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
# The workspace's other members and declared targets must be present.
COPY tests ./tests
COPY tools ./tools
RUN cargo build --release --bin predastore --bin predastore-import

FROM debian:bookworm-slim
# uid 999, as deploy/kubernetes runs it (runAsUser, fsGroup).
RUN useradd --system --uid 999 --home /data predastore && mkdir -p /data && chown predastore /data
COPY --from=build /src/target/release/predastore /usr/local/bin/predastore
# Buckets moved in from another S3 endpoint (README, "Moving buckets in").
COPY --from=build /src/target/release/predastore-import /usr/local/bin/predastore-import
USER predastore
# glibc's vector loop instead of `rep movsb` for copies below 64 MiB: on
# AMD EPYC, `rep movsb` into a misaligned destination (every TLS record)
# is several times slower (README, "HTTPS").
ENV GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=0x4000000 \
    PREDASTORE_ROLE=all \
    PREDASTORE_DATA_DIR=/data \
    PREDASTORE_LISTEN=0.0.0.0:9000 \
    PREDASTORE_CONSOLE_LISTEN=0.0.0.0:9001
VOLUME /data
EXPOSE 9000 9001
ENTRYPOINT ["/usr/local/bin/predastore"]
CMD ["serve"]
