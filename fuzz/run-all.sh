#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS seconds each (default 60), one after another, from the committed
# seed corpora in fuzz/corpus/<target>/ (read only); what libFuzzer finds goes to fuzz/work/<target>/ (not
# committed; copy a small, useful input into corpus/ by hand). Needs the nightly toolchain and cargo-fuzz: `cargo install cargo-fuzz`. A crash leaves its input
# in fuzz/artifacts/<target>/ and makes this script fail; turn each into a regression test in the crate
# that owns the decoder.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build -O
for target in $targets; do
    mkdir -p "corpus/$target" "work/$target"
    echo "== $target, ${seconds}s"
    cargo +nightly fuzz run -O "$target" "work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 2>&1 \
        | grep -E '^(#[0-9]+.*(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY)' || true
    test "${PIPESTATUS[0]}" -eq 0
done
