# Review Clerk: the background service. README, "Production", says more; compose.yaml runs it
# with PostgreSQL.
#
#   docker build -t review-clerk .
#   docker run --rm -v rc-config:/config -v rc-data:/data -v rc-keys:/keys -v rc-templates:/templates review-clerk init
#       first start: writes /config/review-clerk.toml (edit it), the encryption key in /keys and a
#       copy of the templates in /templates (staff edit them there), prints what to do next, stops.
#   docker run -d --name review-clerk (the same -v options) review-clerk
#
# Secrets are best given as files: REVIEW_CLERK_DATABASE__URL_FILE=/run/secrets/database_url,
# REVIEW_CLERK_GRAPH__CLIENT_SECRET_FILE=/run/secrets/graph_client_secret.
#
# The base image is pinned by exact tag. To pin its digest too (every rebuild then starts from the
# very same bytes), look it up with
#   docker buildx imagetools inspect python:3.11.13-slim-bookworm     (the "Digest:" line)
# and write FROM python:3.11.13-slim-bookworm@sha256:<digest>. Renovate/Dependabot can keep it current.
FROM python:3.11.13-slim-bookworm

# Debian's Tesseract OCR reads scanned and photographed referral forms (about 150 MB). Without it a
# scan goes to a person as unreadable; a board that never receives scans may leave it out:
#   docker build --build-arg OCR=false -t review-clerk .
ARG OCR=true
RUN if [ "$OCR" = true ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng \
        && rm -rf /var/lib/apt/lists/*; \
    fi

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REVIEW_CLERK_CONFIG=/config/review-clerk.toml \
    REVIEW_CLERK_DATA_DIR=/data \
    REVIEW_CLERK_SECURITY__KEY_FILE=/keys/review-clerk.key \
    REVIEW_CLERK_LETTERS__TEMPLATES_DIR=/templates

# A fixed user id, so folders mounted from the host can be given to it: chown -R 10001:10001 <folder>
RUN groupadd --system --gid 10001 clerk \
    && useradd --system --uid 10001 --gid clerk --home-dir /app --shell /usr/sbin/nologin clerk

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY mail_templates ./mail_templates
COPY config ./config
COPY procedures ./procedures
# Editable, so the service finds mail_templates/ (copied into an empty /templates), config/ and
# procedures/ beside it.
# Editable installs compile none of the package's modules, and PYTHONDONTWRITEBYTECODE stops Python
# caching them: compile them here, or every command (the health check each minute) compiles them all.
RUN pip install -e '.[postgres]' && pip check && python -m compileall -q service

COPY docker/entrypoint.sh /usr/local/bin/review-clerk-entrypoint
RUN chmod 0755 /usr/local/bin/review-clerk-entrypoint \
    && mkdir -p /config /data /keys /templates \
    && chown clerk:clerk /config /data /keys /templates \
    && chmod 0700 /data /keys
# /config: review-clerk.toml; /data: the local mailbox and files (and SQLite when no database URL);
# /keys: the encryption key, on its own volume to be backed up apart from the data;
# /templates: the letters and emails, edited by staff without a rebuild.
VOLUME ["/config", "/data", "/keys", "/templates"]
USER clerk

# Prometheus metrics, when the configuration says [metrics] listen = "0.0.0.0:9464".
EXPOSE 9464

# The configuration, the database at the latest migration, the key, the folders, the disk and the
# heartbeat of the running service; no network call to Microsoft, no token fetched.
HEALTHCHECK --interval=1m --timeout=30s --start-period=2m --retries=3 CMD ["review-clerk", "doctor", "--quick"]
# SIGTERM lets the job in hand finish: give `docker stop` time (--time 120; compose: stop_grace_period).
ENTRYPOINT ["/usr/local/bin/review-clerk-entrypoint"]
CMD ["run"]
