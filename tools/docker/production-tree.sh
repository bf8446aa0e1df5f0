#!/bin/sh
# Usage: production-tree.sh <app> <out-dir>   (run from the repository root, after the build)
# Lays out the runtime tree of apps/<app> in <out-dir>: the workspace manifests (npm ci needs all
# of them to match the lockfile), only that app's production dependencies, its dist/, and for
# every @anvil/* library npm links among them that library's dist/ (and prisma/, whose
# migrations the app runs). Every app's Dockerfile runs it, so their images differ only by app.
set -eu
app="$1"
out="$2"
[ -f "apps/$app/package.json" ] || { echo "production-tree.sh: no apps/$app/package.json" >&2; exit 2; }
[ -d "apps/$app/dist" ] || { echo "production-tree.sh: build apps/$app first" >&2; exit 2; }
workspace="$(node -p "require('./apps/$app/package.json').name")"
mkdir -p "$out"
cp package.json package-lock.json "$out/"
cp --parents apps/*/package.json libs/*/package.json "$out/"
src="$(pwd)"
cd "$out"
npm ci --omit=dev --workspace "$workspace" --include-workspace-root=false --no-audit --no-fund
cp -r "$src/apps/$app/dist" "apps/$app/"
for link in node_modules/@anvil/*; do
  [ -L "$link" ] || continue
  lib="$(readlink "$link")"
  lib="${lib#../../}"
  case "$lib" in
    libs/*)
      cp -r "$src/$lib/dist" "$lib/"
      if [ -d "$src/$lib/prisma" ]; then cp -r "$src/$lib/prisma" "$lib/"; fi
      ;;
  esac
done
