"""Exits 0 when every `name==version` of the requirements file given is installed, else 1."""

import sys
from importlib.metadata import PackageNotFoundError, version

missing = []
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, want = line.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != want:
        missing.append("%s==%s (have %s)" % (name, want, have))
if missing:
    print("check_venv.py: missing " + ", ".join(missing), file=sys.stderr)
sys.exit(1 if missing else 0)
