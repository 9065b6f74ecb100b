"""Keeper's CLI 1.4 keyring layout, through Python's keyring library as that
CLI uses it (keyring.set_password / get_password on service KSM-cli): the
reference the tests hold ksm to.

  write-profile NAME        config JSON on stdin: store profile NAME, add it
                            to ksm-cli-common (active if none)
  set-active NAME           make NAME the active profile in ksm-cli-common,
                            as Keeper's `profile active` does
  read-profile NAME         verify and print profile NAME's config JSON
  read-common               verify and print ksm-cli-common's data JSON
  dumps                     stdin JSON object -> the item text, on stdout
  get ITEM | set ITEM       raw item text on stdout / from stdin
  delete ITEM               delete an item
  set-bare ITEM             store an item with only service and username (as
                            other Secret Service clients do), from stdin
  count ITEM                how many Secret Service items match it
  attributes ITEM           their attributes, one JSON object a line
  backend                   print the keyring backend in use
"""
import hashlib
import json
import sys

import keyring

SERVICE = "KSM-cli"


def item_text(data):
    return json.dumps({"data": json.dumps(data)}, indent=4, sort_keys=True)


def save(item, data):
    text = item_text(data)
    keyring.set_password(SERVICE, item, text)
    keyring.set_password(SERVICE, item + "-integrity", hashlib.sha256(text.encode()).hexdigest())


def load(item):
    text = keyring.get_password(SERVICE, item)
    if text is None:
        sys.exit("no item %s" % item)
    stored = keyring.get_password(SERVICE, item + "-integrity")
    if stored != hashlib.sha256(text.encode()).hexdigest():
        sys.exit("integrity check failed for %s" % item)
    return json.loads(json.loads(text)["data"])


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "write-profile":
        name = args[0]
        save("ksm-cli-profile-" + name, json.load(sys.stdin))
        common = {}
        if keyring.get_password(SERVICE, "ksm-cli-common") is not None:
            common = load("ksm-cli-common")
        common.setdefault("profiles", [])
        if name not in common["profiles"]:
            common["profiles"].append(name)
        if not common.get("active_profile"):
            common["active_profile"] = name
        save("ksm-cli-common", common)
    elif cmd == "set-active":
        common = load("ksm-cli-common")
        common["active_profile"] = args[0]
        save("ksm-cli-common", common)
    elif cmd == "read-profile":
        print(json.dumps(load("ksm-cli-profile-" + args[0])))
    elif cmd == "read-common":
        print(json.dumps(load("ksm-cli-common")))
    elif cmd == "dumps":
        sys.stdout.write(item_text(json.load(sys.stdin)))
    elif cmd == "get":
        text = keyring.get_password(SERVICE, args[0])
        if text is None:
            sys.exit("no item %s" % args[0])
        sys.stdout.write(text)
    elif cmd == "set":
        keyring.set_password(SERVICE, args[0], sys.stdin.read())
    elif cmd == "delete":
        keyring.delete_password(SERVICE, args[0])
    elif cmd == "set-bare":
        collection = keyring.get_keyring().get_preferred_collection()
        collection.create_item("bare", {"service": SERVICE, "username": args[0]}, sys.stdin.read().encode(), replace=True)
    elif cmd == "count":
        collection = keyring.get_keyring().get_preferred_collection()
        print(len(list(collection.search_items({"service": SERVICE, "username": args[0]}))))
    elif cmd == "attributes":
        collection = keyring.get_keyring().get_preferred_collection()
        for item in collection.search_items({"service": SERVICE, "username": args[0]}):
            print(json.dumps(item.get_attributes(), sort_keys=True))
    elif cmd == "backend":
        print(type(keyring.get_keyring()).__module__)
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
