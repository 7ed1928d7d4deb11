#!/usr/bin/env bash
# The fuzz step of CI: `bash fuzz/run-ci.sh` from anywhere.
#
# 1. Builds every target twice with the nightly toolchain (fuzz/build.sh): the throughput build
#    (no sanitizer, table code out of coverage) and the AddressSanitizer build.
# 2. Replays fuzz/regressions/<target>/ through both.
# 3. Fuzzes each target for $FUZZ_SECONDS seconds (default 60) with the throughput build, on a
#    temporary copy of its seeds (fuzz/corpus/<target>/ is never written to), $FUZZ_JOBS
#    targets at a time (default 2, one a core).
# 4. Replays each run's whole corpus, seeds and new inputs, once under AddressSanitizer.
#
# Prints executions, exec/s, coverage and corpus size per target, and fails if any target
# crashes, times out, runs out of memory, or fails its replay. Crashing inputs are kept in
# fuzz/artifacts/<target>/ (git-ignored); see fuzz/README.md for what to do with them.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
toolchain=${FUZZ_TOOLCHAIN:-nightly}
export FUZZ_TOOLCHAIN=$toolchain

if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$toolchain" --profile minimal
fi

start=$SECONDS
echo "=== fuzz/build.sh throughput"
fast=$(bash fuzz/build.sh throughput | tail -n 1)
echo "=== fuzz/build.sh asan ($((SECONDS - start)) s)"
asan=$(bash fuzz/build.sh asan | tail -n 1)
echo "=== built in $((SECONDS - start)) s"

# The targets are the [[bin]] entries of fuzz/Cargo.toml.
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -vx 'origin-policy-fuzz')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz/artifacts

failed=()
for target in $targets; do
    if [ -d "fuzz/regressions/$target" ]; then
        for build in "$fast" "$asan"; do
            if ! "$build/$target" -runs=0 -artifact_prefix="$work/" "fuzz/regressions/$target" >"$work/$target.regressions.log" 2>&1; then
                echo "--- $target: a regression fails again ($build)"
                tail -n 40 "$work/$target.regressions.log"
                failed+=("$target (regressions)")
            fi
        done
    fi
done

# The longest input per target. Longer ones only repeat what shorter ones do (more entries,
# more header lines) at a cost that grows with the length: a 4 KB allowlist runs at a quarter
# of the speed of a 256-byte one. Origin values keep libFuzzer's default of 4096.
max_len() {
    case $1 in
        config) echo 256 ;;
        request | cors | guard) echo 512 ;;
        *) echo 4096 ;;
    esac
}

# One target: fuzz it, then replay its corpus under AddressSanitizer. Writes $work/$target.result.
fuzz_one() {
    local target=$1 log=$work/$1.log corpus=$work/corpus/$1 result=ok replay=ok
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    cp fuzz/corpus/"$target"/* "$corpus/"
    # A dictionary of the tokens that reach the interesting paths, where a target has one.
    local dict=()
    if [ -f "fuzz/dicts/$target.dict" ]; then dict=(-dict="fuzz/dicts/$target.dict"); fi
    # -timeout: a single input taking 10 s is a bug (the checks are microseconds).
    if ! "$fast/$target" "$corpus" "${dict[@]}" -max_len="$(max_len "$target")" -max_total_time="$seconds" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1; then
        result=FAILED
    fi
    if ! "$asan/$target" -runs=0 -timeout=10 -artifact_prefix="fuzz/artifacts/$target/asan-" \
        "$corpus" >"$work/$target.asan.log" 2>&1; then
        replay=FAILED
    fi
    local execs rate done_line cov ft files
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    done_line=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
    files=$(find "$corpus" -type f | wc -l)
    printf '%-13s %-6s %11s execs %8s exec/s  cov %5s  ft %6s  corpus %5s  asan replay %s\n' \
        "$target" "$result" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$files" "$replay" \
        >"$work/$target.result"
}

echo "=== fuzzing ${seconds}s per target, $jobs at a time"
running=0
for target in $targets; do
    fuzz_one "$target" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

for target in $targets; do
    if [ ! -f "$work/$target.result" ] || grep -q FAILED "$work/$target.result"; then
        failed+=("$target")
        echo "--- $target"
        # The report: the panic message, the stack, and where the input was written.
        tail -n 60 "$work/$target.log"
        tail -n 30 "$work/$target.asan.log"
    fi
done

echo "=== summary (${seconds}s per target, throughput build; whole step $((SECONDS - start)) s)"
cat "$work"/*.result 2>/dev/null || true
if ((${#failed[@]})); then
    echo "failing: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
