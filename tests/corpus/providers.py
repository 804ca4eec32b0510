"""Provider-breadth section of the labeled corpus (hooked into generate.py).

Plants, for every [[provider]] entry of patterns/providers.toml (keys without a prefix, found by
the provider's name in the variable), K fake keys of the entry's alphabet and length assigned to a
provider-named variable in the usual file formats, and K decoys: a value of the same shape in a
provider-named variable that holds no secret word (`OPENWEATHER_PROJECT_ID`). Labels carry family
"providers" and the rule id as kind. Reading the table means a new entry is covered with no edit
here. Values are random (random.Random(seed)); none is real. Python 3.11+ standard library only.
"""

import math
import os
import string
import tomllib
import uuid

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "patterns", "providers.toml")
ALPHABETS = {
    "hex": "0123456789abcdef", "hex-upper": "0123456789ABCDEF", "hex-any-case": "0123456789abcdefABCDEF",
    "alnum": string.ascii_letters + string.digits, "alnum-lower": string.ascii_lowercase + string.digits,
    "alnum-upper": string.ascii_uppercase + string.digits,
    "base64url": string.ascii_letters + string.digits + "-_",
}
SECRET_WORDS = ("key", "token", "secret", "auth", "pass", "pwd", "credential", "access", "apikey")
FORBIDDEN = ("test", "example", "sample", "dummy", "fake", "xxxx", "your", "1234567", "abcdefgh",
             "qwerty", "insert", "changeme", "redacted", "placeholder")
# k8s puts the name and the value on different lines; the providers' rules read one line.
FORMATS = ["env", "yaml", "compose", "tf", "py", "js", "json", "sh", "java", "cs", "go", "md"]
# Formats that keep the variable name as written (no camelCase).
VERBATIM = ["env", "yaml", "compose", "tf", "py", "sh", "java", "md"]
NAME_SUFFIXES = ["API_KEY", "ACCESS_TOKEN", "SECRET", "TOKEN", "AUTH_KEY"]
DECOY_SUFFIXES = ["PROJECT_ID", "ACCOUNT_ID", "REGION_ID", "WORKSPACE_ID"]


def entries():
    with open(TABLE, "rb") as f:
        return tomllib.load(f)["provider"]


def entropy(s):
    n = len(s)
    return -sum(s.count(c) / n * math.log2(s.count(c) / n) for c in set(s))


def plausible(v):
    low = v.lower()
    return (any(c.isdigit() for c in v) and not any(w in low for w in FORBIDDEN)
            and v[0] not in "-_" and v[-1] not in "-_"
            and all(v[i] != v[i + 1] or v[i] != v[i + 2] for i in range(len(v) - 2)))


def value(rng, entry):
    for _ in range(1000):
        if entry["alphabet"] == "uuid":
            v = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        else:
            n = rng.choice(entry["length"])
            v = "".join(rng.choice(ALPHABETS[entry["alphabet"]]) for _ in range(n))
            if entropy(v) < 3.2:
                continue
        if plausible(v):
            return v
    raise RuntimeError("no plausible value for " + entry["id"])


def base_name(keyword):
    return keyword.upper().replace("-", "_").replace(".", "_").strip("_")


def names(entry):
    """Provider-named variables that hold a secret word (the keyword may hold one itself)."""
    out = []
    for keyword in entry["keywords"]:
        base = base_name(keyword)
        if any(w in keyword.lower() for w in SECRET_WORDS):
            out.append(base)
        else:
            out += [base + "_" + suffix for suffix in NAME_SUFFIXES]
    return out


def keyword_of(entry, name):
    """The keyword a name of names(entry) was made from."""
    return next(k for k in entry["keywords"] if name.startswith(base_name(k)))


def plant(c, k):
    """Queues K keys and K decoys per provider entry into corpus c (generate.Corpus)."""
    rng = c.rng
    for entry in entries():
        label = dict(kind=entry["id"], family="providers")
        for _ in range(k):
            secret = value(rng, entry)
            name = rng.choice(names(entry))
            # camelCase and PascalCase drop a keyword's `_` (cmc_pro -> cmcPro).
            formats = FORMATS if name.isalnum() or "_" not in keyword_of(entry, name) else VERBATIM
            c.add_kv(rng.choice(formats), name, secret, dict(label, secret=secret))
        bare = [k for k in entry["keywords"] if not any(w in k.lower() for w in SECRET_WORDS)]
        for _ in range(k if bare else 0):
            shaped = value(rng, entry)
            name = base_name(rng.choice(bare)) + "_" + rng.choice(DECOY_SUFFIXES)
            c.add_kv(rng.choice(["env", "yaml", "json", "py"]), name, shaped,
                     decoy=dict(kind="provider-shaped-id", text=shaped))
