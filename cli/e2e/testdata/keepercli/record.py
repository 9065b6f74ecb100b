"""Record Keeper's CLI 1.4.0 running script.txt, for keeper_cli_test.go.

    python3 record.py KEEPER_CLI > keeper-cli-1.4.0.json
    python3 record.py KEEPER_CLI unknown-storage > keeper-cli-unknown-storage.json

The second runs Keeper's CLI on mixed.ini, which holds one profile of a
store it lacks (storage = file).

KEEPER_CLI runs Keeper's CLI (e.g. /work/keepercli/run.sh: `python3 -m
keeper_secrets_manager_cli` from Keeper-Security/secrets-manager, see
/work/shared/docs/TESTBEDS.md). Each step records the arguments, exit code,
stdout, stderr and every file of the directory afterwards. CI cannot run
Keeper's CLI; the test compares ksm with this recording.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
ref = os.path.join(here, "..", "..", "..", "..", "testdata", "reference")


def steps():
    with open(os.path.join(here, "script.txt")) as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            args, _, differs = line.partition("#!")
            yield args.strip(), differs.strip()


def files(work):
    out = {}
    for name in sorted(os.listdir(work)):
        path = os.path.join(work, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as fh:
                out[name] = fh.read()
    return out


def main():
    cli = sys.argv[1]
    work = tempfile.mkdtemp(prefix="keeper-cli-")
    home = os.path.join(work, ".home")
    os.mkdir(home)
    os.mkdir(os.path.join(work, "rt"))
    shutil.copy(os.path.join(ref, "two-profiles.ini"), os.path.join(work, "keeper.ini"))
    os.chmod(os.path.join(work, "keeper.ini"), 0o600)
    with open(os.path.join(ref, "config1.b64")) as fh:
        config1 = fh.read().strip()
    env = {"PATH": os.environ["PATH"], "HOME": home, "LANG": "C.UTF-8"}
    recorded = []
    for args, differs in steps():
        argv = [config1 if a == "$CONFIG1" else a for a in args.split()]  # script.txt quotes nothing
        p = subprocess.run([cli] + argv, cwd=work, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        recorded.append({"args": args, "differs": differs, "exit": p.returncode,
                         "stdout": p.stdout, "stderr": p.stderr, "files": files(work)})
    shutil.rmtree(work)
    json.dump({"keeper_cli": "1.4.0", "command": "python3 record.py " + cli, "steps": recorded},
              sys.stdout, indent=1, ensure_ascii=False)
    print()


def unknown_storage(cli):
    work = tempfile.mkdtemp(prefix="keeper-cli-")
    shutil.copy(os.path.join(here, "mixed.ini"), os.path.join(work, "mixed.ini"))
    os.chmod(os.path.join(work, "mixed.ini"), 0o600)
    env = {"PATH": os.environ["PATH"], "HOME": work, "LANG": "C.UTF-8"}
    recorded = []
    for args in ("--ini-file mixed.ini profile list", "--ini-file mixed.ini profile list --json",
                 "--ini-file mixed.ini config show"):
        p = subprocess.run([cli] + args.split(), cwd=work, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        recorded.append({"args": args, "exit": p.returncode, "stdout": p.stdout, "stderr": p.stderr})
    shutil.rmtree(work)
    json.dump({"keeper_cli": "1.4.0", "command": "python3 record.py " + cli + " unknown-storage", "steps": recorded},
              sys.stdout, indent=1, ensure_ascii=False)
    print()


if sys.argv[2:] == ["unknown-storage"]:
    unknown_storage(sys.argv[1])
else:
    main()
