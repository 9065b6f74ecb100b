# The oracle of the command-level differential test: each file named on
# stdin (one per line) read as Keeper's CLI reads keeper.ini, with Python's
# configparser.ConfigParser(allow_no_value=True); one JSON line per file:
# {"error": "ExceptionName"} or {"active": ..., "profiles": [...],
# "values": {profile: {key: value}}} with values as get() returns them.
import configparser
import json
import re
import sys


def has_reference(cp):
    """A %(name)s reference anywhere: configparser expands it, ksm refuses
    the file (a documented difference: a host name could copy a key)."""
    for s in ["DEFAULT"] + cp.sections():
        for k, v in (cp.items(s, raw=True) if s != "DEFAULT" else cp.defaults().items()):
            if v is not None and "%(" in v.replace("%%", ""):
                return True
    return False


for line in sys.stdin:
    path = line.rstrip("\n")
    cp = configparser.ConfigParser(allow_no_value=True)
    try:
        with open(path, encoding="utf-8") as f:
            cp.read_file(f)
        if has_reference(cp):
            print(json.dumps({"error": "Reference"}))
            continue
        names = [s for s in cp.sections() if s != "_config"]
        active = cp.get("_config", "active_profile") if cp.has_option("_config", "active_profile") else None
        values = {s: {k: cp.get(s, k) for k in cp.options(s)} for s in names}
        print(json.dumps({"active": active, "profiles": names, "values": values}))
    except Exception as e:  # the kind is what is compared
        print(json.dumps({"error": type(e).__name__}))
    sys.stdout.flush()
