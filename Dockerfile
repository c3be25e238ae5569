# pledged in a container: built and run on Debian 12, like CI.
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential pkg-config libpq-dev libsodium-dev libjansson-dev \
        libmicrohttpd-dev libcurl4-openssl-dev check && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make build/pledged

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpq5 libsodium23 libjansson4 libmicrohttpd12 libcurl4 \
        ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/pledged --create-home pledged
COPY --from=build /src/build/pledged /usr/local/bin/pledged
RUN mkdir -p /keys && chown pledged /keys
USER pledged
WORKDIR /var/lib/pledged
ENV PLEDGED_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# Migrations are idempotent and serialised by an advisory lock, so every
# instance may run them at start.
CMD ["sh", "-c", "pledged migrate && exec pledged serve"]
