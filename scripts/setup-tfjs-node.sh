#!/usr/bin/env bash
# Offline / air-gapped install of the native TensorFlow backend (@tensorflow/tfjs-node).
#
# tfjs-node's own install script downloads libtensorflow 2.9.1 from Google's storage; without internet that fails
# and npm skips the optional dependency. Its install script skips the download and builds the addon from source
# (node-pre-gyp --fallback-to-build) when deps/lib/libtensorflow.so.2.9.1 already exists, so we provide the TensorFlow
# C API from elsewhere: the tensorflow-cpu Python wheel carries it in libtensorflow_cc.so.2 (+ libtensorflow_framework.so.2)
# and its headers in tensorflow/include.
#
# Usage: npm run setup:tfjs-node [-- SOURCE]
#   SOURCE  a tensorflow(-cpu) wheel (.whl), or a directory holding either a libtensorflow release
#           (lib/libtensorflow.so.2, include/) or an unpacked wheel (tensorflow/libtensorflow_cc.so.2, tensorflow/include/).
#           Default: $TFJS_NODE_LIBTENSORFLOW, else `pip download --no-deps tensorflow-cpu` (pip's configured index).
# Exit status 0 only when `require('@tensorflow/tfjs-node')` works afterwards.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pkg="$root/node_modules/@tensorflow/tfjs-node"
cache="$root/node_modules/.cache/runmedic-libtensorflow"
src="${1:-${TFJS_NODE_LIBTENSORFLOW:-}}"

say() { echo "setup:tfjs-node: $*" >&2; }

if node -e "require('$pkg')" >/dev/null 2>&1; then
  say "tfjs-node already loads; nothing to do"
  exit 0
fi

# npm drops an optional dependency whose install script failed; put it (and its own deps) back without running scripts.
if [ ! -f "$pkg/package.json" ]; then
  say "installing @tensorflow/tfjs-node from the lockfile without its install script"
  (cd "$root" && npm install --no-save --ignore-scripts --no-audit --no-fund --include=optional >&2)
fi
[ -f "$pkg/package.json" ] || { say "@tensorflow/tfjs-node is not installable here"; exit 1; }

mkdir -p "$cache"
if [ -z "$src" ]; then
  command -v pip >/dev/null 2>&1 || command -v pip3 >/dev/null 2>&1 || { say "no pip to fetch the tensorflow-cpu wheel; pass a wheel or libtensorflow dir"; exit 1; }
  pipcmd=$(command -v pip || command -v pip3)
  existing=$(ls "$cache"/wheel/tensorflow*.whl 2>/dev/null | head -1 || true)
  if [ -z "$existing" ]; then
    say "fetching the tensorflow-cpu wheel with pip"
    # --retries 0: an index that cannot be reached (pypi.org offline) is skipped at once instead of after retries.
    "$pipcmd" download --retries 0 --no-deps --only-binary=:all: tensorflow-cpu -d "$cache/wheel" >&2
    existing=$(ls "$cache"/wheel/tensorflow*.whl | head -1)
  fi
  src="$existing"
fi

if [ -f "$src" ] && [[ "$src" == *.whl ]]; then
  unpacked="$cache/$(basename "$src" .whl)"
  if [ ! -f "$unpacked/.complete" ]; then
    say "unpacking the TensorFlow C API from $(basename "$src")"
    rm -rf "$unpacked" && mkdir -p "$unpacked"
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o "$src" 'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' 'tensorflow/include/*' -d "$unpacked"
    else
      python3 - "$src" "$unpacked" <<'PY'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2') or n.startswith('tensorflow/include/')]
    z.extractall(out, names)
PY
    fi
    touch "$unpacked/.complete"
  fi
  src="$unpacked"
fi

[ -d "$src" ] || { say "no such wheel or directory: $src"; exit 1; }
src=$(cd "$src" && pwd)
if [ -f "$src/tensorflow/libtensorflow_cc.so.2" ]; then
  lib="$src/tensorflow/libtensorflow_cc.so.2"; fw="$src/tensorflow/libtensorflow_framework.so.2"; inc="$src/tensorflow/include"
elif [ -f "$src/libtensorflow_cc.so.2" ]; then
  lib="$src/libtensorflow_cc.so.2"; fw="$src/libtensorflow_framework.so.2"; inc="$src/include"
elif [ -f "$src/lib/libtensorflow.so.2" ]; then
  lib="$src/lib/libtensorflow.so.2"; fw="$src/lib/libtensorflow_framework.so.2"; inc="$src/include"
else
  say "$src holds neither an unpacked tensorflow wheel nor a libtensorflow release"; exit 1
fi
for f in "$lib" "$fw" "$inc/tensorflow/c/c_api.h" "$inc/tensorflow/c/eager/c_api.h"; do
  [ -e "$f" ] || { say "missing $f"; exit 1; }
done

say "linking deps/ to $src"
rm -rf "$pkg/deps" "$pkg/lib"
mkdir -p "$pkg/deps/lib"
for v in "" .2 .2.9.1; do
  ln -s "$lib" "$pkg/deps/lib/libtensorflow.so$v"
  ln -s "$fw" "$pkg/deps/lib/libtensorflow_framework.so$v"
done
# The addon records the library's SONAME (libtensorflow_cc.so.2 for a wheel) and finds it through its rpath, deps/lib.
soname=$(basename "$lib")
[ -e "$pkg/deps/lib/$soname" ] || ln -s "$lib" "$pkg/deps/lib/$soname"
ln -s "$inc" "$pkg/deps/include"

# node-gyp needs Node's headers; offline they must come from the local install, not nodejs.org.
nodeprefix=$(dirname "$(dirname "$(command -v node)")")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$nodeprefix/include/node/node_api.h" ]; then
  export npm_config_nodedir="$nodeprefix"
fi
# install.js runs node-pre-gyp from PATH, as `npm run` would set it.
export PATH="$root/node_modules/.bin:$PATH"
# node-pre-gyp calls node-gyp from PATH: npm's bundled copy when not run through `npm run`.
if ! command -v node-gyp >/dev/null 2>&1; then
  npmgyp="$(npm root -g)/npm/node_modules/node-gyp/bin"
  [ -d "$npmgyp" ] && export PATH="$PATH:$npmgyp"
fi

say "building the addon (about a minute)"
(cd "$pkg" && node scripts/install.js >&2)
# install.js exits 0 before node-pre-gyp finishes only on success paths; check the binding really loads.
if node -e "const tf=require('$pkg'); if(tf.getBackend()!=='tensorflow') process.exit(1)" >&2; then
  say "ok: tfjs-node loads ($(node -e "console.log(require('$pkg').version.tfjs)"))"
else
  say "the addon was built but does not load"; exit 1
fi
