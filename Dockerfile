# Review Clerk: the background service.
#   docker build -t review-clerk .
#   docker run -v /srv/review-clerk/config:/config -v /srv/review-clerk/data:/data review-clerk
# The configuration is read from /config/review-clerk.toml; secrets are best given
# as files (REVIEW_CLERK_GRAPH__CLIENT_SECRET_FILE=/run/secrets/...).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REVIEW_CLERK_CONFIG=/config/review-clerk.toml \
    REVIEW_CLERK_DATA_DIR=/data

RUN groupadd --system clerk && useradd --system --gid clerk --home-dir /app --shell /usr/sbin/nologin clerk

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY mail_templates ./mail_templates
COPY config ./config
# Editable, so the service finds mail_templates/ and config/ beside it (staff edit the templates).
RUN pip install -e '.[postgres]' && pip check

RUN mkdir -p /config /data && chown clerk:clerk /config /data
VOLUME ["/config", "/data"]
USER clerk

# Fails when the configuration, the database or the mailbox cannot be used.
HEALTHCHECK --interval=5m --timeout=60s CMD ["review-clerk", "doctor"]
ENTRYPOINT ["review-clerk"]
CMD ["run"]
