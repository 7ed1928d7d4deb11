#!/usr/bin/env bash
# Builds the fuzz targets in one of three configurations (see README.md, "Builds"):
#
#   bash fuzz/build.sh throughput [target...]   no sanitizer; table code left out of coverage
#   bash fuzz/build.sh idna       [target...]   no sanitizer; idna/ICU code instrumented
#   bash fuzz/build.sh asan       [target...]   AddressSanitizer, for replaying corpora
#
# The binaries land in fuzz/target/<config>/x86_64-unknown-linux-gnu/fuzz-<config>/<target>
# (the script prints the directory last). Run them directly: they are libFuzzer binaries.
#
# Why not `cargo fuzz build`: cargo-fuzz passes its coverage flags in RUSTFLAGS, which reach
# every crate. Here the flags are per crate (cargo's nightly `profile-rustflags`): the crates in
# UNINSTRUMENTED get no `-Cpasses=sancov-module`, so libFuzzer neither counts their edges nor
# traces their comparisons. One more step is needed for `psl`: its lookup is generic and
# `#[inline]`, so it would be compiled (and instrumented) inside origin-policy's own object.
# A copy of `psl` whose two entry points are `#[inline(never)]` is patched in, which moves the
# whole lookup into the `psl` crate; the list and the code are unchanged.
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$PWD

config=${1:?usage: build.sh throughput|idna|asan [target...]}
shift
toolchain=${FUZZ_TOOLCHAIN:-nightly}
triple=x86_64-unknown-linux-gnu

# Tables and the code that walks them: the Public Suffix List, and idna's Unicode/ICU data.
psl_crates=(psl psl-types)
icu_data_crates=(icu_normalizer_data icu_properties_data)
idna_crates=(idna idna_adapter icu_normalizer icu_properties icu_collections icu_provider
    icu_locale_core utf8_iter utf16_iter write16 zerovec zerotrie zerofrom yoke tinystr
    potential_utf writeable litemap smallvec)
# What the targets use to build requests and compare bytes, and the hashing of the crate's
# tables: none of it is under test, and its edges and comparisons would only cost time.
# (Generic code of these crates is compiled into the crate's object and stays instrumented.)
# No crate that is also a build dependency (libc, cfg-if): a package's flags reach its host
# build too, and a sanitizer there breaks the build scripts.
harness_crates=(http bytes itoa httparse tungstenite data-encoding log rand chacha20 getrandom
    rand_core sha1 digest block-buffer hybrid-array typenum const-oid crypto-common cpufeatures
    memchr arbitrary foldhash hashbrown equivalent subtle)

# libFuzzer's coverage flags, those of cargo-fuzz 0.13 but `-sanitizer-coverage-stack-depth`
# (a stack-pointer check in every function, for a "deepest stack" feature that only matters
# for recursion; the crate has none).
coverage=(-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
    -Cllvm-args=-sanitizer-coverage-pc-table
    -Cllvm-args=-simplifycfg-branch-fold-threshold=0)
common=(--cfg fuzzing -Zshare-generics=y)
case $config in
    throughput)
        coverage+=(-Cllvm-args=-sanitizer-coverage-trace-compares)
        uninstrumented=("${psl_crates[@]}" "${icu_data_crates[@]}" "${idna_crates[@]}"
            "${harness_crates[@]}")
        ;;
    idna)
        coverage+=(-Cllvm-args=-sanitizer-coverage-trace-compares)
        uninstrumented=("${psl_crates[@]}" "${icu_data_crates[@]}" "${harness_crates[@]}")
        ;;
    asan)
        # A replay needs no comparison tracing; -Zsanitizer must be the same for every crate.
        common+=(-Zsanitizer=address)
        uninstrumented=("${psl_crates[@]}" "${icu_data_crates[@]}" "${idna_crates[@]}"
            "${harness_crates[@]}")
        ;;
    *)
        echo "unknown configuration $config (throughput, idna or asan)" >&2
        exit 2
        ;;
esac

target_dir=$fuzz_dir/target/$config
mkdir -p "$target_dir"

# The psl copy with out-of-line entry points.
psl_src=$(cargo +"$toolchain" metadata --format-version 1 --locked --offline 2>/dev/null |
    python3 -c 'import json, sys
print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "psl").rsplit("/", 1)[0])' ||
    cargo +"$toolchain" metadata --format-version 1 --locked |
    python3 -c 'import json, sys
print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "psl").rsplit("/", 1)[0])')
psl_copy=$target_dir/psl-outlined
if [ ! -f "$psl_copy/.from" ] || [ "$(cat "$psl_copy/.from")" != "$psl_src" ]; then
    rm -rf "$psl_copy"
    cp -r "$psl_src" "$psl_copy"
    chmod -R u+w "$psl_copy"
    python3 - "$psl_copy/src/lib.rs" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
new, n = re.subn(r"#\[inline\]\n(pub fn (suffix|domain)\()", r"#[inline(never)]\n\1", text)
if n != 2:
    sys.exit(f"psl's lib.rs changed: found {n} of the 2 entry points to outline")
open(path, "w").write(new)
EOF
    echo "$psl_src" >"$psl_copy/.from"
fi

# The configuration as a cargo config file: a profile per build, its flags per crate.
toml_list() { printf '['; local sep=; for flag in "$@"; do printf '%s"%s"' "$sep" "$flag"; sep=', '; done; printf ']'; }
profile=fuzz-$config
cfg=$target_dir/cargo-config.toml
{
    echo "[profile.$profile]"
    echo 'inherits = "release"'
    echo 'debug = "line-tables-only"'
    echo 'debug-assertions = true'
    echo 'overflow-checks = true'
    echo 'codegen-units = 1'
    echo "rustflags = $(toml_list "${common[@]}" "${coverage[@]}")"
    echo "[profile.$profile.build-override]"
    echo 'rustflags = []'
    for crate in "${uninstrumented[@]}"; do
        echo "[profile.$profile.package.$crate]"
        echo "rustflags = $(toml_list "${common[@]}")"
    done
    echo '[patch.crates-io]'
    echo "psl = { path = \"$psl_copy\" }"
} >"$cfg"

bins=()
for target in "$@"; do bins+=(--bin "$target"); done
if ((${#bins[@]} == 0)); then bins=(--bins); fi

# The patch rewrites psl's entry in Cargo.lock; keep the committed lock file as it is.
cp Cargo.lock "$target_dir/Cargo.lock.committed"
trap 'cp "$target_dir/Cargo.lock.committed" "$fuzz_dir/Cargo.lock"' EXIT
cargo +"$toolchain" build -Zprofile-rustflags --config "$cfg" --profile "$profile" \
    --target "$triple" --target-dir "$target_dir" "${bins[@]}"
echo "$target_dir/$triple/$profile"
