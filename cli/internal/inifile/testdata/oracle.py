"""The reference side of ksm's keeper.ini differential tests.

Reads one JSON request a line on stdin, answers one JSON line on stdout,
using Python's own configparser exactly as Keeper's CLI does:
ConfigParser(allow_no_value=True), the file opened in text mode (universal
newlines) as UTF-8 (the encoding of a UTF-8 locale, which Keeper's CLI
gets from open()'s default).

  {"op": "read", "data": "<base64 of the file>"}
    -> {"ok": true, "sections": [[name, [[key, raw, value, error], ...]], ...],
        "defaults": [[key, raw, value, error], ...]}
       raw/value are null for a bare key; value is null and error names the
       exception when reading the value raises; error is "reference" when
       the value expands a %(name)s reference.
    -> {"ok": false, "error": "<exception class>", "line": N or null}
  {"op": "write", "sections": [[name, [[key, value or null], ...]], ...]}
    -> {"ok": true, "text": "<what config.write() writes>"} or {"ok": false, "error": ...}
    The dict is given as Keeper's CLI gives it (config[name] = {...}).
"""
import base64
import configparser
import io
import json
import sys
import unicodedata


def line_of(e):
    if isinstance(e, configparser.ParsingError) and getattr(e, "errors", None):
        return e.errors[0][0]
    return getattr(e, "lineno", None)


def read_values(config, section, names):
    out = []
    for key in names:
        raw = config.get(section, key, raw=True)
        value, error = None, None
        if raw is not None:
            if "%(" in raw.replace("%%", ""):
                error = "reference"
            try:
                value = config.get(section, key)
            except Exception as e:  # noqa: BLE001 - the class is the answer
                error = error or type(e).__name__
                value = None
        out.append([key, raw, value, error])
    return out


def read(data):
    config = configparser.ConfigParser(allow_no_value=True)
    fh = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None)
    try:
        config.read_file(fh)
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "error": type(e).__name__, "line": line_of(e)}
    sections = [[s, read_values(config, s, list(config[s]))] for s in config.sections()]
    defaults = read_values(config, "DEFAULT", list(config.defaults()))
    return {"ok": True, "sections": sections, "defaults": defaults}


def write(sections):
    config = configparser.ConfigParser(allow_no_value=True)
    try:
        for name, keys in sections:
            config[name] = {k: v for k, v in keys}
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "error": type(e).__name__}
    out = io.StringIO()
    config.write(out)
    return {"ok": True, "text": out.getvalue()}


def unicode_tables():
    """Python's str functions that configparser relies on, code point by
    code point (surrogates left out), and the code points this Python's
    Unicode version leaves unassigned: str.isspace, str.lower, and the Final
    Sigma rule of str.lower (final after "A" + c; not final before c)."""
    cps = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    unassigned, start = [], None
    for c in range(0x110001):
        cn = c < 0x110000 and unicodedata.category(chr(c)) == "Cn"
        if cn and start is None:
            start = c
        elif not cn and start is not None:
            unassigned.append([start, c - 1])
            start = None
    return {
        "version": unicodedata.unidata_version,
        "unassigned": unassigned,
        "space": [c for c in cps if chr(c).isspace()],
        "lower": [[c, chr(c).lower()] for c in cps if chr(c).lower() != chr(c)],
        "sigma_after": [c for c in cps if ("A" + chr(c) + "\u03a3").lower()[-1] == "\u03c2"],
        "sigma_not_before": [c for c in cps if ("A\u03a3" + chr(c)).lower()[1] != "\u03c2"],
    }


def main():
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "read":
            resp = read(base64.b64decode(req["data"]))
        elif req["op"] == "unicode":
            resp = unicode_tables()
        elif req["op"] == "write":
            resp = write(req["sections"])
        else:
            resp = {"ok": False, "error": "unknown op"}
        sys.stdout.write(json.dumps(resp) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
