#!/usr/bin/env bash
# A short run of every fuzz target, for CI: `bash fuzz/run-ci.sh` from anywhere.
#
# Builds all targets with the nightly toolchain, runs each for $FUZZ_SECONDS seconds
# (default 60) on a temporary copy of its seed corpus (fuzz/corpus/<target>/ is never
# written to), prints the executions per target from libFuzzer's final stats, and fails if
# any target crashes, times out or runs out of memory. Crashing inputs are kept in
# fuzz/artifacts/<target>/ (git-ignored); see fuzz/README.md for what to do with them.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
toolchain=${FUZZ_TOOLCHAIN:-nightly}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$toolchain" --profile minimal
fi

echo "=== cargo +$toolchain fuzz build"
cargo +"$toolchain" fuzz build

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

targets=$(cargo +"$toolchain" fuzz list)
failed=()
summary=()
for target in $targets; do
    echo "=== $target: ${seconds}s"
    if [ -d "fuzz/regressions/$target" ]; then
        echo "--- replaying fuzz/regressions/$target"
        cargo +"$toolchain" fuzz run "$target" "fuzz/regressions/$target" -- -runs=0
    fi
    mkdir -p "$work/corpus/$target"
    cp fuzz/corpus/"$target"/* "$work/corpus/$target/"
    log="$work/$target.log"
    # -timeout: a single input taking 10 s is a bug (the checks are microseconds).
    # A dictionary of the tokens that reach the interesting paths (allowed origins, the
    # valid token), where the structured targets have one.
    dict=()
    if [ -f "fuzz/dicts/$target.dict" ]; then dict=(-dict="fuzz/dicts/$target.dict"); fi
    if cargo +"$toolchain" fuzz run "$target" "$work/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        failed+=("$target")
        # The report: the panic message, the stack, and where the input was written.
        tail -n 80 "$log"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(find "$work/corpus/$target" -type f | wc -l)
    summary+=("$(printf '%-14s %-6s %12s executions  %5s corpus files' \
        "$target" "$result" "${execs:-?}" "$corpus")")
done

echo "=== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
    echo "failing targets: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
