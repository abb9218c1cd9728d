#!/usr/bin/env bash
# The role and database skim's ledger writes to (deploy/skim.yaml's
# ledger.postgres). skim creates its tables itself; owning the database
# lets it, since PostgreSQL 15 no longer lets every role create tables in
# the public schema. The password comes from the postgres service's
# environment, the same variable skim's URL is expanded from, so it is in
# no file. PostgreSQL runs this once, when its data volume is first
# created.
set -eo pipefail

: "${SKIM_LEDGER_PASSWORD:?set SKIM_LEDGER_PASSWORD in the environment of the postgres service, to the value skim gets}"

# psql's :'password' quotes the value as a literal, whatever it holds.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v password="$SKIM_LEDGER_PASSWORD" <<'SQL'
CREATE ROLE skim LOGIN PASSWORD :'password';
CREATE DATABASE skim OWNER skim;
SQL
