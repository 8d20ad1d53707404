#!/usr/bin/env bash
# One command for the whole system without Docker: see the README's Quick start.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec pnpm --silent dev "$@"
