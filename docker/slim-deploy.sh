#!/bin/sh
# Leaves in a `pnpm deploy --prod` output (microservices/Dockerfile's build stage) only what the
# service runs: compiled JavaScript, production dependencies, node-rdkafka's built binding.
# Written by hand: three rules, each a directory or file name pattern Node never loads.
set -eu
out=$1

# Our packages (the service and the workspace packages it imports): package.json and the compiled
# src/ alone; no TypeScript sources, tests, declarations, source maps or build info.
for package in "$out" "$out"/node_modules/.pnpm/@kafka-ref+*/node_modules/@kafka-ref/*; do
  [ -d "$package/dist/src" ] || { echo "slim-deploy: $package has no dist/src (was tsc -b run?)" >&2; exit 1; }
  find "$package" -mindepth 1 -maxdepth 1 -not -name package.json -not -name dist -not -name node_modules \
    -exec rm -rf {} +
  find "$package/dist" -mindepth 1 -maxdepth 1 -not -name src -exec rm -rf {} +
  find "$package/dist/src" -type f \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete
done

# node-rdkafka: its JavaScript, the binding and the librdkafka it links (RUNPATH $ORIGIN/../deps),
# stripped of debug symbols; not librdkafka's sources and objects (400 MB).
for rdkafka in "$out"/node_modules/.pnpm/node-rdkafka@*/node_modules/node-rdkafka; do
  [ -d "$rdkafka" ] || continue
  keep=$(mktemp -d)
  mkdir -p "$keep/build/Release" "$keep/build/deps"
  mv "$rdkafka/package.json" "$rdkafka/LICENSE.txt" "$rdkafka/librdkafka.js" "$rdkafka/lib" "$keep/"
  mv "$rdkafka/build/Release/node-librdkafka.node" "$keep/build/Release/"
  mv "$rdkafka"/build/deps/librdkafka.so.1 "$rdkafka"/build/deps/librdkafka++.so.1 "$keep/build/deps/"
  strip --strip-unneeded "$keep/build/Release/node-librdkafka.node" "$keep"/build/deps/*.so.1
  rm -rf "$rdkafka"
  mv "$keep" "$rdkafka"
  chmod 755 "$rdkafka"
done

# Third-party packages: TypeScript (sources and declarations), source maps and Markdown are read by
# editors and compilers, never by Node at run time (it does not strip types under node_modules).
find "$out/node_modules" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) \
  -delete
