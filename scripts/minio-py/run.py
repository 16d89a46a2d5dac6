"""Runs minio-py's functional suite (tests/functional/tests.py of a
minio-py checkout, imported unchanged) to the end: the suite stops at its
first failure, so each test's failure is caught here and counted instead,
and the next one runs. Prints the suite's own JSON line per test, then one
line per failure with its message, then

    minio-py: N passed, M failed, K not applicable of T run

Usage: python run.py <minio-py checkout>   (environment as the suite reads
it: SERVER_ENDPOINT, ACCESS_KEY, SECRET_KEY, ENABLE_HTTPS, MINT_MODE)

Exits 1 if a test fails or is not applicable (the suite's NA: the server
answered 405 or 501) other than these, which the store does not have:
MinIO's snowball uploads (its own extension: a tar archive extracted on
PUT).
"""

import importlib.util
import json
import os
import sys


# Tests allowed to fail or to be not applicable, and why.
EXPECTED = {
    "minio-py:test_upload_snowball_objects": "MinIO's snowball extension",
    "minio-py:test_upload_snowball_objects_with_staging": "MinIO's snowball extension",
}


def main():
    checkout = sys.argv[1]
    path = os.path.join(checkout, "tests", "functional", "tests.py")
    spec = importlib.util.spec_from_file_location("minio_functional", path)
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)

    results = []
    original = suite._call_test

    def call_test(func, *args, **kwargs):
        try:
            original(func, *args, **kwargs)
            results.append((func.__name__, "PASS", ""))
        except suite.TestFailed:
            results.append((func.__name__, "FAIL", ""))

    suite._call_test = call_test
    # The suite's JSON lines tell NA from PASS: read them back from stdout.
    lines = []
    write = sys.stdout.write

    def tee(text):
        lines.append(text)
        return write(text)

    sys.stdout.write = tee
    try:
        suite.main()
    finally:
        sys.stdout.write = write
    entries = []
    for line in "".join(lines).splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    counts = {"PASS": 0, "FAIL": 0, "NA": 0}
    unexpected = []
    for entry in entries:
        status = entry.get("status", "FAIL")
        counts[status] = counts.get(status, 0) + 1
        if status != "PASS":
            name = entry.get("name")
            why = EXPECTED.get(name)
            note = f" (expected: {why})" if why else ""
            print(f"{status}: {name}: {entry.get('message', entry.get('alert', ''))}{note}")
            if not why:
                unexpected.append(name)
    print(
        f"minio-py: {counts['PASS']} passed, {counts['FAIL']} failed, "
        f"{counts['NA']} not applicable of {len(entries)} run"
    )
    if unexpected or not entries:
        print(f"minio-py: unexpected: {', '.join(unexpected) or 'no test ran'}")
        sys.exit(1)


if __name__ == "__main__":
    main()
