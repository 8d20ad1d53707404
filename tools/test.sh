#!/usr/bin/env bash
# Every test of the repository (unit, integration, end-to-end) against a real broker and server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec pnpm --silent test "$@"
