#!/usr/bin/env bash
# Applies CLI scripts to a stopped WildFly (embedded, offline): apply-offline.sh JBOSS_HOME FILE.cli...
# Against a running server, use the scripts directly: jboss-cli.sh --connect --file=FILE.cli
set -euo pipefail
jboss_home=$1
shift
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
  echo "embed-server --std-out=discard --server-config=standalone.xml"
  for cli in "$@"; do
    grep -v '^#' "$cli"
  done
  echo "stop-embedded-server"
} > "$script"
"$jboss_home/bin/jboss-cli.sh" --file="$script"
