#!/bin/sh
# The Docker image's entrypoint (POSIX sh).
#
# * An empty templates volume ($REVIEW_CLERK_LETTERS__TEMPLATES_DIR, /templates) gets a copy of the
#   templates shipped with the service, for staff to edit there.
# * First start: with no configuration file, `run` (the default) or a bare `init` writes one with
#   `review-clerk init` into the configuration folder (/config), makes the database and the
#   encryption key (/keys), prints what to do next and stops with exit 0.
# * A bare `init` with a configuration already there says so and stops (exit 0).
# * Otherwise: review-clerk with the arguments given (`run` by default).
set -eu

config="${REVIEW_CLERK_CONFIG:-/config/review-clerk.toml}"
config_dir=$(dirname "$config")
key_file="${REVIEW_CLERK_SECURITY__KEY_FILE:-}"
templates="${REVIEW_CLERK_LETTERS__TEMPLATES_DIR:-}"
# Not REVIEW_CLERK_*: those are settings. These two let the tests run this script outside the image.
shipped_templates="${SHIPPED_TEMPLATES:-/app/mail_templates}"
clerk="${CLERK_COMMAND:-review-clerk}"

say() { printf '%s\n' "$*" >&2; }

writable_or_stop() {  # folder, what it is for
    if ! mkdir -p "$1" 2>/dev/null || ! [ -w "$1" ]; then
        say "review-clerk: cannot write to $1 ($2) as user $(id -u)."
        say "  A folder mounted from the host must belong to that user: chown -R $(id -u):$(id -g) <host folder>"
        exit 1
    fi
}

if [ -n "$templates" ] && [ -z "$(ls -A "$templates" 2>/dev/null)" ]; then
    writable_or_stop "$templates" "the templates"
    cp -R "$shipped_templates/." "$templates/"
    say "review-clerk: copied the standard templates into $templates: edit them there, then restart."
fi

if [ $# -eq 0 ]; then
    set -- run  # the image's CMD; also when the script is run without one
fi
what="$1"
if [ ! -e "$config" ] && { [ "$what" = run ] || { [ "$what" = init ] && [ $# -le 1 ]; }; }; then
    writable_or_stop "$config_dir" "the configuration"
    if [ -n "$key_file" ]; then
        writable_or_stop "$(dirname "$key_file")" "the encryption key"
    fi
    if [ -n "$key_file" ] && COLUMNS=200 "$clerk" init --help 2>/dev/null | grep -q -e --key-file; then
        "$clerk" init "$config_dir" --key-file "$key_file"  # the key's place is written into the configuration
    else
        "$clerk" init "$config_dir"  # the key's place comes from REVIEW_CLERK_SECURITY__KEY_FILE
    fi
    cat >&2 <<EOF

Review Clerk: first start done. Nothing is running yet.

  Configuration: $config
      An example board with the local mail backend: edit it for your board (board, people,
      panel, agencies; [mail] backend = "graph" and [graph] for the board's mailbox).
  Encryption key: ${key_file:-in the data folder}
      Back it up, apart from the database backups: without it the data cannot be read.
  Templates: ${templates:-shipped with the service}

Then check it and start the service, with the same volumes and environment as this run:
  docker run --rm ... review-clerk doctor        (or: docker compose run --rm review-clerk doctor)
  docker run -d ... review-clerk                 (or: docker compose up -d)
EOF
    exit 0
fi
if [ "$what" = init ] && [ $# -le 1 ]; then
    say "review-clerk: $config exists already; nothing to do. Edit it, or start the service."
    exit 0
fi

exec "$clerk" "$@"
