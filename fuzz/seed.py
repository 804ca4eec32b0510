#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets into fuzz/corpus/<target>/ (git-ignored).

scan and decode: every example and negative example of patterns/*.toml (fake credentials made
for the rule tests, one file each), plus base64 and percent-encoded forms of the examples for
the decoders. config: every pattern file whole (the [[rule]] schema of .keyfence.toml) and a
few hand-written keyfence and gitleaks configurations touching each section.

Usage: python3 fuzz/seed.py   (from anywhere; Python 3.11+ for tomllib)
"""

import base64
import hashlib
import pathlib
import tomllib
import urllib.parse

FUZZ = pathlib.Path(__file__).resolve().parent
PATTERNS = FUZZ.parent / "patterns"

KEYFENCE_CONFIG = '''[rules]
use_default = true
disable = ["generic-token"]

[[rule]]
id = "acme-token"
description = "ACME API token"
keywords = ["acme_"]
regex = \'\'\'(?P<secret>acme_[a-z0-9]{32})\'\'\'
paths = ["src/**"]

[allowlist]
paths = ["tests/fixtures/**", "*.snap"]
regexes = [\'\'\'^AKIA[A-Z2-7]{12}QA01$\'\'\']
lines = [\'\'\'#\\s*fake\'\'\']
stopwords = ["sandbox"]
commits = ["0123abc"]
condition = "or"

[allowlist.rules.generic-password]
paths = ["docs/**"]

[scan]
max_file_size = 50
protect_config = true

[org]
name = "Acme"
domains = ["acme.example"]
remotes = ["github.com/acme/*"]
tenants = ["123456789"]
security_contact = "security@acme.example"
'''

GITLEAKS_CONFIG = '''title = "fuzz"

[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme"
description = "ACME"
regex = \'\'\'(?i)acme[_-]?key\\s*[:=]\\s*["']?([a-z0-9]{32})\\b\'\'\'
secretGroup = 1
entropy = 3.5
keywords = ["acme"]
path = \'\'\'\\.env$\'\'\'

[[rules.allowlists]]
regexTarget = "line"
regexes = [\'\'\'\\Qexample\\E\'\'\', \'\'\'\\p{Greek}+\'\'\']
stopwords = ["dummy"]
condition = "AND"

[allowlist]
paths = [\'\'\'^vendor/\'\'\']
commits = ["deadbeef"]

[[allowlists]]
targetRules = ["acme"]
regexes = [\'\'\'^test\'\'\']
'''


def write(folder: pathlib.Path, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main() -> None:
    corpus = FUZZ / "corpus"
    texts = []
    for path in sorted(PATTERNS.glob("*.toml")):
        raw = path.read_bytes()
        write(corpus / "config", raw)
        for rule in tomllib.loads(raw.decode()).get("rule", []):
            texts += [e["text"] for e in rule.get("examples", [])]
            texts += rule.get("negative_examples", [])
    write(corpus / "config", KEYFENCE_CONFIG.encode())
    write(corpus / "config", GITLEAKS_CONFIG.encode())
    for text in texts:
        data = text.encode()
        write(corpus / "scan", data)
        write(corpus / "decode", data)
        write(corpus / "decode", b"value = " + base64.b64encode(data))
        write(corpus / "decode", urllib.parse.quote(text).encode())
    for target in ("scan", "decode", "config"):
        print(f"{target}: {len(list((corpus / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
