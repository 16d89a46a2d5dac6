#!/usr/bin/env python3
"""Helpers of scripts/s3-tests.sh (standard library only).

  helper.py render TEMPLATE OUT
      Fills TEMPLATE's ${NAME} placeholders from the environment (a missing
      one is an error) and writes OUT.
  helper.py key PREFIX < JSON
      Reads the JSON of `predastore admin key create --json` and prints
      PREFIX_ACCESS_KEY=, PREFIX_SECRET_KEY= and PREFIX_USER_ID= lines.
  helper.py report JUNIT_XML FAILURES_TXT
      Reads pytest's JUnit XML, writes one line per failed or erroring test
      (`name: first line of the reason`) to FAILURES_TXT, prints the reasons
      grouped by count, and last the line
      `s3-tests: N passed, M failed, K errors of T run`.
"""

import collections
import json
import os
import re
import string
import sys
import xml.etree.ElementTree as ET


def render(template, out):
    with open(template, encoding="utf-8") as f:
        text = string.Template(f.read()).substitute(os.environ)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def key(prefix):
    k = json.load(sys.stdin)
    for field, value in (
        ("ACCESS_KEY", k["access_key_id"]),
        ("SECRET_KEY", k["secret_access_key"]),
        ("USER_ID", k["user_id"]),
    ):
        if not value or "\n" in value:
            sys.exit(f"bad {field} in the key's JSON")
        print(f"{prefix}_{field}={value}")


def first_line(text):
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            return line[:300]
    return "(no message)"


CLIENT_ERROR = re.compile(r"An error occurred \(([^)]*)\) when calling the (\w+) operation")


def group_of(reason):
    """A reason without what differs from test to test, to count alike ones."""
    m = CLIENT_ERROR.search(reason)
    if m:
        return f"ClientError {m.group(1)} from {m.group(2)}"
    # Bucket names, and version ids and ETags (long, with a digit); status
    # codes and the like stay.
    reason = re.sub(r"s3t-[a-z0-9-]+", "<bucket>", reason)
    reason = re.sub(r"(['\"])(?=[^'\"]*\d)[A-Za-z0-9._~+/=-]{16,}\1", r"\1<id>\1", reason)
    return reason[:160]


def report(junit, failures_txt):
    root = ET.parse(junit).getroot()
    # name -> (outcome, reason); a test can appear twice (a failed call and
    # an error in teardown): the first failure or error wins.
    results = collections.OrderedDict()
    rank = {"passed": 0, "skipped": 1, "error": 2, "failed": 3}
    for case in root.iter("testcase"):
        name = case.get("name")
        outcome, reason = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                reason = first_line(child.get("message") or child.text)
                break
        old = results.get(name)
        if old is None or (old[0] in ("passed", "skipped") and rank[outcome] > rank[old[0]]):
            results[name] = (outcome, reason)

    counts = collections.Counter(o for o, _ in results.values())
    groups = collections.Counter()
    with open(failures_txt, "w", encoding="utf-8") as f:
        for name, (outcome, reason) in results.items():
            if outcome in ("failed", "error"):
                tag = "" if outcome == "failed" else "[error] "
                f.write(f"{name}: {tag}{reason}\n")
                groups[group_of(reason)] += 1
    if groups:
        print(f"\nfailure reasons (by count; each test's in {failures_txt}):")
        for reason, n in groups.most_common():
            print(f"  {n:4d}  {reason}")
    run = counts["passed"] + counts["failed"] + counts["error"]
    if counts["skipped"]:
        print(f"({counts['skipped']} skipped)")
    print(
        f"s3-tests: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['error']} errors of {run} run"
    )


def main(argv):
    if len(argv) == 4 and argv[1] == "render":
        render(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "key":
        key(argv[2])
    elif len(argv) == 4 and argv[1] == "report":
        report(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
