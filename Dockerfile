# One image for every role; PREDASTORE_ROLE picks what a container runs.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
# The workspace's other members and declared targets must be present.
COPY tests ./tests
COPY tools ./tools
RUN cargo build --release --bin predastore

FROM debian:bookworm-slim
RUN useradd --system --home /data predastore && mkdir -p /data && chown predastore /data
COPY --from=build /src/target/release/predastore /usr/local/bin/predastore
USER predastore
ENV PREDASTORE_ROLE=all \
    PREDASTORE_DATA_DIR=/data \
    PREDASTORE_LISTEN=0.0.0.0:9000 \
    PREDASTORE_CONSOLE_LISTEN=0.0.0.0:9001
VOLUME /data
EXPOSE 9000 9001
ENTRYPOINT ["/usr/local/bin/predastore"]
CMD ["serve"]
