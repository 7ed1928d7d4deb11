#!/usr/bin/env python3
"""Prints the tables of benches/RESULTS.md from criterion's output of `cargo bench --bench check`.

Reads target/criterion/*/*/new/{benchmark,estimates}.json and prints, per kind and size, the
median ns per check of every approach and the ratios the targets are stated in.
"""
import glob
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
medians = {}
for path in glob.glob(os.path.join(root, "*", "*", "new", "benchmark.json")):
    with open(path) as f:
        bench = json.load(f)
    with open(os.path.join(os.path.dirname(path), "estimates.json")) as f:
        median = json.load(f)["median"]["point_estimate"]
    parts = bench["group_id"].split("/")
    if len(parts) != 3:
        continue  # another bench's group (benches/handshake.rs)
    approach, kind, size = parts
    medians[(kind, size, bench["function_id"], approach)] = median

def ns(value):
    return "-" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"

def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}x"

for kind, alternative in (("exact", "hashset_bytes"), ("wildcard", "naive_suffix")):
    print(f"\n| entries | input | check | check_value | ({'a' if kind == 'exact' else 'a*'}) {alternative} | (b) url_parse | check / (a) | (b) / check |")
    print("|---|---|---|---|---|---|---|---|")
    sizes = sorted({int(s) for (k, s, _, _) in medians if k == kind})
    for size in sizes:
        for case in ("hit", "miss", "noncanonical_hit"):
            get = lambda approach: medians.get((kind, str(size), case, approach))
            check, value, alt, url = get("check"), get("check_value"), get(alternative), get("url_parse")
            print(f"| {size} | {case} | {ns(check)} | {ns(value)} | {ns(alt)} | {ns(url)} | {ratio(check, alt)} | {ratio(url, check)} |")

print("\n| policy | input | check |")
print("|---|---|---|")
for (kind, size, case, approach), value in sorted(medians.items()):
    if kind == "scale":
        print(f"| {size} entries | {case} | {ns(value)} |")
