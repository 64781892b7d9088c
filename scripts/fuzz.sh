#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset "fuzz": clang, ASan + UBSan) and runs
# each for SECONDS_PER_TARGET seconds (default 60). Exits non-zero when any target
# finds a crash, a sanitizer report, a leak, a timeout or runs out of memory.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#
# Environment (all optional):
#   FUZZ_TARGETS   targets to run, space separated (default: "fuzz_decoder fuzz_capture_parse
#                  fuzz_capture_file fuzz_read_in_parts fuzz_annotations")
#   FUZZ_BUILD_DIR build directory (default: build/fuzz, the preset's)
#   FUZZ_CORPUS    directory holding one working corpus per target (default: fuzz/corpus-run,
#                  git-ignored; it grows from run to run)
#   FUZZ_JOBS      build parallelism (default: 2)
#   FUZZ_ARGS      extra libFuzzer flags for every target (e.g. "-jobs=4 -workers=4")
#   FUZZ_PUBLIC    folder of public captures added to the capture seeds (default:
#                  ../shared/captures/public when it exists)
# See docs/fuzzing.md for longer runs and for reproducing a crash.
set -uo pipefail

secs="${1:-60}"
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
targets="${FUZZ_TARGETS:-fuzz_decoder fuzz_capture_parse fuzz_capture_file fuzz_read_in_parts fuzz_annotations}"
build="${FUZZ_BUILD_DIR:-build/fuzz}"
corpus_root="${FUZZ_CORPUS:-fuzz/corpus-run}"
jobs="${FUZZ_JOBS:-2}"

# Sanitizer reports end the run (the preset does not pass -fno-sanitize-recover,
# so UBSan must be told to halt here), with a stack and the leak check on. libFuzzer
# exits non-zero on any of them (its own crash handler, status 77 for a leak or UBSan
# report, 1 for a crash); the script fails on any non-zero status.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"

echo "== configure + build ($build)"
configure=(cmake --preset fuzz)
[ "$build" != "build/fuzz" ] && configure+=(-B "$build")
mkdir -p "$build"
"${configure[@]}" >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j "$jobs" --target fuzz_decoder fuzz_capture_parse fuzz_capture_file fuzz_read_in_parts fuzz_annotations \
    fuzz_make_seeds || exit 1

echo "== seed corpora (from the project's fixtures and synthetic captures)"
seeds="$build/seeds"
rm -rf "$seeds"
shopt -s nullglob globstar
fixtures=(tests/data/**/*.pcap tests/data/**/*.pcapng resources/sample/*.pcap resources/sample/*.pcapng)
shopt -u nullglob globstar
"$build/fuzz/fuzz_make_seeds" "$seeds/fuzz_decoder" "$seeds/fuzz_capture_file" "${fixtures[@]}" || exit 1
# The parse-only target starts from the same captures, plus compressed copies of a few (the
# decompressing streams are sniffed from the content) and real captures from public projects'
# test suites, cut to the length the targets take.
mkdir -p "$seeds/fuzz_capture_parse" "$seeds/fuzz_read_in_parts"
cp "$seeds/fuzz_capture_file"/* "$seeds/fuzz_capture_parse/"
cp "$seeds/fuzz_capture_file"/* "$seeds/fuzz_read_in_parts/"
n=0
for f in resources/sample/*.pcap tests/data/netns/*.pcap; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] || continue
    base="$seeds/fuzz_capture_parse/z$n"
    gzip -c "$f" >"$base.gz" 2>/dev/null
    zstd -q -c "$f" >"$base.zst" 2>/dev/null
    lz4 -q -c "$f" >"$base.lz4" 2>/dev/null
    xz -c "$f" >"$base.xz" 2>/dev/null
    n=$((n + 1))
    [ $n -ge 4 ] && break
done
public="${FUZZ_PUBLIC:-../shared/captures/public}"
if [ -d "$public" ]; then
    mkdir -p "$seeds/public"
    n=0
    while IFS= read -r -d '' f; do
        head -c 65536 "$f" >"$seeds/public/p$n"
        n=$((n + 1))
    done < <(find "$public" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
    echo "   $n public captures among the capture seeds (from $public)"
fi
# Sidecars: a valid one of each kind; the hostile shapes the unit tests name are committed
# under fuzz/regressions/fuzz_annotations (every fuzz/regressions/<target>/ input is replayed
# before fuzzing starts: inputs that once found a bug stay in every run).
mkdir -p "$seeds/fuzz_annotations"
printf '%s' '{"format":"flowladder-annotations","version":1,"capture":{"size":2417,"hash":"00ff00ff00ff00ff"},"annotations":[{"id":1,"kind":"note","flow":1,"text":"ASA forged this RST","frame":22},{"id":2,"kind":"callout","flow":1,"text":"retransmitting into the void","frame":30,"anchor_x":0.9,"box_frame":28,"box_x":0.5,"color":"#ff8800"},{"id":3,"kind":"time_range","flow":1,"text":"ten minutes","start_ns":1700000000000000000,"end_ns":1700000600000000000}]}' \
    >"$seeds/fuzz_annotations/valid.json"

artifacts="$build/artifacts"
mkdir -p "$artifacts"
status=0
summary=()
for t in $targets; do
    case "$t" in
    fuzz_decoder) max_len=4096; extra=() ;;
    # Whole captures: -len_control=0 lets inputs grow to max_len at once (a capture needs
    # many records before the interesting states; libFuzzer's slow length ramp kept inputs
    # tiny for the first minutes). Entropic scheduling costs more than fuzz_capture_file
    # itself (tens of thousands of features per run); without it the runs per second
    # double. FUZZ_ARGS can turn either back on: later flags win.
    fuzz_capture_parse) max_len=65536; extra=(-len_control=0) ;;
    fuzz_capture_file | fuzz_read_in_parts) max_len=65536; extra=(-entropic=0 -len_control=0) ;;
    fuzz_annotations) max_len=8192; extra=() ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
    esac
    corpus="$corpus_root/$t"
    mkdir -p "$corpus" "$artifacts/$t"
    dict=()
    [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
    case "$t" in fuzz_capture_parse | fuzz_read_in_parts) dict=(-dict=fuzz/fuzz_capture_file.dict) ;; esac
    # Read-only corpora after the working one (libFuzzer adds new inputs to the first only).
    inputs=("$seeds/$t")
    [ -d "fuzz/regressions/$t" ] && inputs+=("fuzz/regressions/$t")
    case "$t" in fuzz_capture_* | fuzz_read_in_parts) [ -d "$seeds/public" ] && inputs+=("$seeds/public") ;; esac
    log="$artifacts/$t.log"
    echo "== $t: ${secs}s, -max_len=$max_len (log: $log)"
    # shellcheck disable=SC2086
    "$build/fuzz/$t" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$t/" "${dict[@]}" "${extra[@]}" ${FUZZ_ARGS:-} \
        "$corpus" "${inputs[@]}" >"$log" 2>&1
    rc=$?
    tail -n 25 "$log"
    if [ $rc -ne 0 ]; then
        status=1
        found=$(ls -1 "$artifacts/$t" 2>/dev/null | tr '\n' ' ')
        summary+=("$t: FAILED (exit $rc) artifacts: ${found:-none}")
        echo "!! $t failed (exit $rc). Reproduce: $build/fuzz/$t $artifacts/$t/<crash-file>" >&2
    else
        summary+=("$t: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') runs)")
    fi
done

echo "== summary"
printf '  %s\n' "${summary[@]}"
exit $status
