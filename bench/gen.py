#!/usr/bin/env python3
"""Corpus generators for bench/run.sh. Fake secrets only, built at run time.

  gen.py plant DIR              write a few files with fake credentials into DIR
  gen.py repo DIR N             a git repository of N small source files, one commit
  gen.py stage DIR N INDEX      an index file (path INDEX) staging edits to N files of DIR
  gen.py stream FILE MIB        a text stream of MIB mebibytes with a few fake credentials
"""
import os
import random
import shutil
import subprocess
import sys

WORDS = ("def class return import value config data user item list map self for in if else "
         "while try except print result token request response handler client server").split()
BASE36 = "abcdefghijklmnopqrstuvwxyz0123456789"


def body(rng, n):
    """A random lowercase base36 body with digits and no long runs (a plausible key body)."""
    while True:
        text = "".join(rng.choice(BASE36) for _ in range(n))
        if sum(c.isdigit() for c in text) >= 3 and "test" not in text and "xxxx" not in text:
            return text


def fake_lines(rng):
    return [
        "ST_APP_KEY=" + "ak1." + body(rng, 25),
        "ST_CLIENT_ID=" + "cid." + body(rng, 25),
        "ST_CLIENT_SECRET=" + "cs1." + body(rng, 50),
        "aws_access_key_id = " + "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
    ]


def code_line(rng):
    return " ".join(rng.choice(WORDS) for _ in range(8))


def plant(directory):
    rng = random.Random(7)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, ".env"), "w") as f:
        f.write("\n".join(fake_lines(rng)) + "\n")
    with open(os.path.join(directory, "settings.py"), "w") as f:
        f.write("\n".join(code_line(rng) for _ in range(50)) + "\n")
        f.write("CLIENT_SECRET = '" + "cs2." + body(rng, 50) + "'\n")


def git(directory, *args, env=None):
    base = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@keyfence.invalid",
                GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@keyfence.invalid",
                GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    base.update(env or {})
    subprocess.run(["git", *args], cwd=directory, env=base, check=True, stdout=subprocess.DEVNULL)


def file_path(i):
    return f"src/m{i % 100:02d}/p{(i // 100) % 50:02d}/f{i}.py"


def repo(directory, count):
    rng = random.Random(1)
    os.makedirs(directory, exist_ok=True)
    git(directory, "init", "-q", "-b", "main")
    for i in range(count):
        path = os.path.join(directory, file_path(i))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(code_line(rng) for _ in range(30)) + "\n")
    git(directory, "add", "-A")
    git(directory, "-c", "gc.auto=0", "commit", "-q", "-m", "init")
    git(directory, "gc", "-q")


def stage(directory, count, index):
    """Stages `count` edited files into a copy of the index at `index`; the work tree is restored."""
    rng = random.Random(count)
    shutil.copyfile(os.path.join(directory, ".git", "index"), index)
    paths = [file_path(i * 37 % 50000) for i in range(count)]
    for n, rel in enumerate(paths):
        with open(os.path.join(directory, rel), "a") as f:
            f.write(code_line(rng) + "\n")
            if n == 0:
                f.write("KEY = '" + "ak1." + body(rng, 25) + "'\n")
    git(directory, "add", "--", *paths, env={"GIT_INDEX_FILE": index})
    git(directory, "checkout", "-q", "--", ".")


def stream(path, mib):
    rng = random.Random(3)
    block = "\n".join(code_line(rng) for _ in range(20000)) + "\n"
    secrets = fake_lines(rng)
    written = 0
    with open(path, "w") as f:
        while written < mib * 1024 * 1024:
            f.write(block)
            f.write(rng.choice(secrets) + "\n")
            written += len(block) + 80


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "plant":
        plant(args[0])
    elif command == "repo":
        repo(args[0], int(args[1]))
    elif command == "stage":
        stage(args[0], int(args[1]), args[2])
    elif command == "stream":
        stream(args[0], int(args[1]))
    else:
        sys.exit(__doc__)
