# Postgres 15 and pg_auto_failover 2.0 from Debian 12's own archive, for
# the `ha` profile of docker-compose.yml: one image for the monitor and
# both nodes, each started by docker/pg-ha (build context: docker/).
FROM debian:12-slim
# No "main" cluster at install time: each container makes its own, under
# the named volume mounted at /var/lib/postgresql/ha.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-common \
    && echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf \
    && apt-get install -y --no-install-recommends \
        postgresql-15 postgresql-15-auto-failover \
    && rm -rf /var/lib/apt/lists/*
# Everything that must outlive the container is under the volume: PGDATA
# and pg_autoctl's configuration and state (XDG_CONFIG_HOME, XDG_DATA_HOME).
# Its pid files (XDG_RUNTIME_DIR) are the container's own.
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config \
    PGDATA=/var/lib/postgresql/ha/pgdata \
    XDG_CONFIG_HOME=/var/lib/postgresql/ha/xdg/config \
    XDG_DATA_HOME=/var/lib/postgresql/ha/xdg/data \
    XDG_RUNTIME_DIR=/tmp/pg_autoctl \
    LANG=C.UTF-8
# A new named volume takes this directory's owner and mode.
RUN install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/ha \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY pg-ha /usr/local/bin/pg-ha
RUN chmod 0755 /usr/local/bin/pg-ha
# Postgres refuses to run as root.
USER postgres
EXPOSE 5432
HEALTHCHECK --interval=2s --timeout=5s --retries=90 CMD ["pg-ha", "ready"]
CMD ["pg-ha", "node"]
