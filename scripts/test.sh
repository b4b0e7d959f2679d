#!/usr/bin/env bash
# The whole test suite: Rust unit/integration/doc tests, then the Python suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
echo "== cargo test (workspace)"
cargo test --workspace --quiet 2>&1 | tail -n 200
