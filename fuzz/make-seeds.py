#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (run from anywhere; rewrites them).

origin_value and request take their values from tests/corpus/origins.tsv (format in
tests/corpus/README.md); config seeds are listed below. Seeds of `request`, `cors` and `guard` are
header lines (`name:value`, one a line), as `origin_policy_fuzz::header_lines` reads them.
"""
import os
import re
import shutil

FUZZ = os.path.dirname(os.path.abspath(__file__))
TSV = os.path.join(FUZZ, "..", "tests", "corpus", "origins.tsv")
CORPUS = os.path.join(FUZZ, "corpus")
PER_CATEGORY = 2  # origin_value seeds per class of the TSV


def unescape(text):
    """The TSV's escapes to bytes: \\\\ \\| \\t \\r \\n \\0 \\s \\xHH \\u{H..}."""
    out = bytearray()
    i = 0
    simple = {"\\": b"\\", "|": b"|", "t": b"\t", "r": b"\r", "n": b"\n", "0": b"\0", "s": b" "}
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = text[i + 1]
        if e in simple:
            out += simple[e]
            i += 2
        elif e == "x":
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        elif e == "u":
            end = text.index("}", i)
            out += chr(int(text[i + 3 : end], 16)).encode()
            i = end + 1
        else:
            raise ValueError(f"bad escape in {text!r}")
    return bytes(out)


def rows():
    """(category, expected, headers) with headers None (missing) or a list of byte values."""
    with open(TSV, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            category, expected, value, _note = line.split("\t")
            if value == "<missing>":
                headers = None
            else:
                headers = [unescape(p) for p in re.split(r"(?<!\\)\|", value)]
            yield category, expected, headers


def write(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def enc_request(headers):
    """Header lines `name:value`, one per line, as `origin_policy_fuzz::header_lines` reads them."""
    return b"\n".join(name.encode() + b":" + value for name, value in headers)


HANDSHAKE = [("Host", b"server.example:9001"), ("Upgrade", b"websocket"),
             ("Connection", b"Upgrade"), ("Sec-WebSocket-Version", b"13"),
             ("Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ==")]

CONFIG = [
    "https://app.example.com https://admin.example.org:8443 http://localhost:3000 "
    "http://127.0.0.1:8080 http://[::1]:8080 https://xn--bcher-kva.example https://*.tenant.example.com",
    "https://app.example.com, https://*.tenant.example.com http://localhost:3000",
    "https://app.example.com,https://app.example.com",
    "HTTPS://App.Example.com:443/",
    "https://bücher.example",
    "https://*.bücher.example:8443",
    "https://ｅｘａｍｐｌｅ.com",
    "http://127.1:8080",
    "http://[0:0::1]:8080/",
    "http://[::ffff:127.0.0.1]",
    "https://app.example.com.",
    "https://*.example.com.",
    "https://app.example.com:0443",
    "http://*.example.com:8080, https://*.example.com",
    "https://*.example.com https://*.eu.example.com",
    "\thttps://a.example\n,\r\nhttps://b.example ,",
    "",
    " , ,",
    "*",
    "null",
    "https://*",
    "https://*.com",
    "https://*.*.example.com",
    "https://a*.example.com",
    "https://*.127.0.0.1",
    "https://*.[::1]",
    "ws://app.example.com",
    "wss://app.example.com",
    "ftp://app.example.com",
    "app.example.com",
    "https:app.example.com",
    "https://user:pw@app.example.com",
    "https://app.example.com/login",
    "https://app.example.com?x=1",
    "https://app.example.com#top",
    "https://app.example.com:",
    "https://app.example.com:65536",
    "https://a$b.example.com",
    "https://xn--zz.example",
    "https://a..example.com",
    "https://exa%6dple.com",
    "https://xn--4gbrim.xn--ngbrx",
    "https://*.xn--ngbrx.example",
    "https://a_b.example.com https://-x-.example.com",
]


def main():
    if os.path.isdir(CORPUS):
        for target in ("origin_value", "config", "request", "cors", "guard", "differential"):
            shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)

    # origin_value: the first rows of each class that carry exactly one value.
    taken = {}
    for category, _expected, headers in rows():
        if headers is None or len(headers) != 1:
            continue
        n = taken.get(category, 0)
        if n < PER_CATEGORY:
            taken[category] = n + 1
            write("origin_value", f"{category}-{n + 1}", headers[0])

    # config: the list above.
    for i, text in enumerate(CONFIG):
        write("config", f"list-{i + 1:02}", text.encode())

    # request: every row with no or several Origin lines, a few single ones with and without
    # handshake headers, and Origin spelled as an arbitrary name.
    n = 0
    for category, _expected, headers in rows():
        if headers is None or len(headers) > 1:
            n += 1
            write("request", f"tsv-{n:02}", enc_request([("Origin", v) for v in headers or []]))
    singles = [b"https://app.example.com", b" https://ACME.tenant.example.com\t",
               b"https://evil.example", b"null", b"https://app.example.com/"]
    for i, value in enumerate(singles):
        write("request", f"single-{i + 1}", enc_request([("Origin", value)]))
        write("request", f"handshake-{i + 1}", enc_request(HANDSHAKE + [("Origin", value)]))
    write("request", "origin-spelled", enc_request([("ORIGIN", b"https://app.example.com")]))
    write("request", "origin-twice-spelled", enc_request(
        [("Origin", b"https://app.example.com"), ("oRiGiN", b"https://app.example.com")]))
    write("request", "old-origin-header", enc_request(
        [("Sec-WebSocket-Origin", b"https://app.example.com")]))
    write("request", "bad-name", enc_request(
        [("Ori gin", b"https://evil.example"), ("Origin", b"https://app.example.com")]))
    write("request", "bad-value", enc_request(
        [("Origin", b"https://evil.example\r\nX: y"), ("Origin", b"https://app.example.com")]))

    # cors: the method line, then headers.
    preflight = [("Origin", b"https://app.example.com"), ("Access-Control-Request-Method", b"PUT"),
                 ("Access-Control-Request-Headers", b"x-custom, content-type")]
    write("cors", "seed-empty", b"")
    write("cors", "preflight-allowed", b"OPTIONS\n" + enc_request(preflight))
    write("cors", "preflight-refused", b"OPTIONS\n" + enc_request(
        [("Origin", b"https://evil.example"), ("Access-Control-Request-Method", b"GET")]))
    write("cors", "preflight-private-network", b"OPTIONS\n" + enc_request(
        preflight + [("Access-Control-Request-Private-Network", b"true")]))
    write("cors", "actual-allowed", b"GET\n" + enc_request(
        [("Origin", b"https://a.tenant.example.com"), ("Vary", b"accept-encoding")]))
    write("cors", "actual-two-origins", b"POST\n" + enc_request(
        [("Origin", b"https://app.example.com"), ("Origin", b"https://app.example.com")]))

    # guard: handshakes with and without each part.
    token = b"Bearer t0k3n-alice-5f2a9c"
    good = [("Origin", b"https://app.example.com"), ("Sec-WebSocket-Version", b"13"),
            ("Sec-WebSocket-Protocol", b"graphql-ws"), ("Authorization", token)]
    write("guard", "seed-empty", b"")
    write("guard", "allowed", enc_request(good))
    for i, drop in enumerate(["Origin", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
                              "Authorization"]):
        write("guard", f"without-{drop.lower()}", enc_request([h for h in good if h[0] != drop]))
    write("guard", "version-8", enc_request(
        [("Sec-WebSocket-Version", b"8") if h[0] == "Sec-WebSocket-Version" else h for h in good]))
    write("guard", "evil-origin", enc_request(
        [("Origin", b"https://evil.example") if h[0] == "Origin" else h for h in good]))

    # differential: single values of every class, and a few requests (one Origin a line).
    taken = {}
    for category, _expected, headers in rows():
        if headers is None:
            continue
        n = taken.get(category, 0)
        if n < PER_CATEGORY and all(b"\n" not in v for v in headers):
            taken[category] = n + 1
            write("differential", f"{category}-{n + 1}", b"\n".join(headers))
    for i, value in enumerate([b"https://api.example.net:9443", b"https://x.svc.example.org:8443",
                               b"http://localhost:5173", b"http://[::1]", b"https://dev.localhost:1",
                               b"http://127.0.0.2:9", b"http://[2001:db8::1]:8080",
                               b"https://api.example.net", b"http://[::1]:8080\n"]):
        write("differential", f"policy-{i + 1}", value)

    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)
        print(f"{target}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    main()
