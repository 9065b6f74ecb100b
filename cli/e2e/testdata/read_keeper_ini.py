"""Print a keeper.ini as Keeper's CLI reads it, for the e2e scripts.

    python3 $CONFIGPARSER FILE

ConfigParser(allow_no_value=True) over the file (UTF-8), then every
section (DEFAULT's keys included, as Keeper's CLI sees them) as "[name]"
and its keys as "key = <value as JSON>" ("key" alone when bare), each value
interpolated as Keeper's CLI reads it. An exception prints
"error: <class>" and exits 1.
"""
import configparser
import json
import sys

config = configparser.ConfigParser(allow_no_value=True)
try:
    with open(sys.argv[1], encoding="utf-8") as fh:
        config.read_file(fh)
    out = []
    for name in config.sections():
        out.append("[%s]" % name)
        for key in config[name]:
            value = config[name][key]
            out.append(key if value is None else "%s = %s" % (key, json.dumps(value)))
except Exception as e:  # noqa: BLE001 - the class is the answer
    print("error: " + type(e).__name__)
    sys.exit(1)
print("\n".join(out))
