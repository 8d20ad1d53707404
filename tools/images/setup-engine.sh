#!/usr/bin/env bash
# Sourced by test.sh: picks the container engine of the image test and sets IMAGES_ENGINE.
#   docker: where a Docker engine answers (a user's CI): the official base images from the registry.
#   podman: else, on Debian as root, installed here with apt-get (runc, slirp4netns, debootstrap) and
#           configured by containers.conf; the base images are made locally (base/make-local-bases.sh).
# Elsewhere it prints one line saying why the image test cannot run, and returns 1.

images_setup() {
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    IMAGES_ENGINE=docker
    return 0
  fi
  local packages=(podman runc slirp4netns debootstrap)
  local missing=()
  for command in podman runc slirp4netns debootstrap; do
    command -v "$command" >/dev/null || missing+=("$command")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      echo "[images] skipped: no Docker engine answers, and podman (${missing[*]} missing) can be installed only as root with apt-get" >&2
      return 1
    fi
    echo "[images] installing ${packages[*]} with apt-get (about a minute)" >&2
    local apt_log
    apt_log=$(mktemp)
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends "${packages[@]}"; } >"$apt_log" 2>&1; then
      tail -5 "$apt_log" >&2
      echo "[images] apt-get could not install ${packages[*]}" >&2
      return 2
    fi
    rm -f "$apt_log"
  fi
  export CONTAINERS_CONF="$PWD/tools/images/containers.conf"
  if ! podman info >/dev/null 2>&1; then
    echo "[images] podman does not run here: $(podman info 2>&1 | tail -1)" >&2
    return 2
  fi
  IMAGES_ENGINE=podman
}
