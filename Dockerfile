# syntax=docker/dockerfile:1

# skim's Trino dialect is parsed by PostgreSQL's own parser through cgo
# (pg_query_go), so the binary is built with cgo against glibc and runs on a
# glibc image of the same Debian release.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/skim ./cmd/skim

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 skim \
    && useradd --system --uid 10001 --gid skim --home-dir /var/lib/skim --no-create-home --shell /usr/sbin/nologin skim \
    && mkdir -p /var/lib/skim /etc/skim \
    && chown skim:skim /var/lib/skim
COPY --from=build /out/skim /usr/local/bin/skim
USER 10001:10001
WORKDIR /var/lib/skim
# 8081: Trino clients; 8082: BigQuery clients (--bigquery-listen);
# 9091: /healthz, /metrics and the dashboard (--admin-listen).
EXPOSE 8081 8082 9091
# The admin listener answers GET /healthz; the slim image has no curl, so
# bash's /dev/tcp sends the request. SKIM_ADMIN_PORT follows --admin-listen.
ENV SKIM_ADMIN_PORT=9091
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SKIM_ADMIN_PORT} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/skim", "serve"]
