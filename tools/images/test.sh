#!/usr/bin/env bash
# pnpm test:images: builds the service and frontend images from the repository's Dockerfiles, runs
# them against a local Kafka and PostgreSQL and checks them (tools/images/test/). Where no container
# engine can be set up it prints one line saying why and exits 0 without a report; .ci/run then
# counts no image test. Arguments go to vitest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tools/images/setup-engine.sh

status=0
images_setup || status=$?
if [ "$status" = 1 ]; then exit 0; fi
if [ "$status" != 0 ]; then exit "$status"; fi
export IMAGES_ENGINE
if [ "$IMAGES_ENGINE" = podman ]; then
  # NODE_IMAGE=… and NGINX_IMAGE=… lines: the local bases the Dockerfiles get as build args.
  bases=$(bash tools/images/base/make-local-bases.sh)
  while IFS='=' read -r arg image; do
    export "IMAGES_$arg=$image"
  done <<<"$bases"
fi
echo "[images] engine: $IMAGES_ENGINE; bases: ${IMAGES_NODE_IMAGE:-official} ${IMAGES_NGINX_IMAGE:-official}" >&2
exec pnpm exec vitest run --config tools/images/vitest.config.ts "$@"
