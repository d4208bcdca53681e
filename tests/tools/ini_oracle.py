#!/usr/bin/env python3
"""Prints what botocore reads from INI files, as JSON: the reference kura's INI reader is compared with.

    python3 tests/tools/ini_oracle.py FILE_OR_DIRECTORY...

Each file (a directory stands for the files in it, sorted) is read with botocore.configloader.raw_config_parse,
the function the AWS CLI and boto3 use for ~/.aws/config and ~/.aws/credentials (configparser.RawConfigParser,
then botocore's nested blocks). The output is one object, keyed by path:
    {"ok": true, "sections": {"section": {"key": "value" | {"sub_key": "value"}}}}
    {"ok": false, "error": "..."}
Run by tests/unit/config/ini_oracle_test.cpp with PYTHONUTF8=1, so the files are read as UTF-8 whatever the
locale says.
"""
import json
import os
import sys

import botocore.configloader
import botocore.exceptions


def read(path):
    try:
        return {"ok": True, "sections": botocore.configloader.raw_config_parse(path)}
    except botocore.exceptions.ConfigParseError as error:  # configparser's errors, bad UTF-8, nested blocks
        cause = error.kwargs.get("error")
        return {"ok": False, "error": "%s: %s" % (type(cause).__name__, cause)}


def main(arguments):
    paths = []
    for argument in arguments:
        if os.path.isdir(argument):
            paths += [os.path.join(argument, name) for name in sorted(os.listdir(argument))]
        else:
            paths.append(argument)
    json.dump({path: read(path) for path in paths}, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
