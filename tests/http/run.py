"""Runs every test_* function of tests/http/test_*.py against the server at
PLEDGED_URL and prints "N passed, N failed". Standard library only: the
client shares no code with the server.

PLEDGED_HTTP_TESTS (space separated "test_module" or "test_module.test_fn")
runs only those; PLEDGED_FAILFAST=1 stops at the first failure. Both are for
make mutate and for development: `make test` runs everything."""
import importlib.util
import os
import pathlib
import sys
import traceback

here = pathlib.Path(__file__).parent
sys.path.insert(0, str(here))
only = os.environ.get("PLEDGED_HTTP_TESTS", "").split()
failfast = os.environ.get("PLEDGED_FAILFAST") == "1"


def wanted(module, name):
    return not only or module in only or f"{module}.{name}" in only


# A selection that names no test is a set-up error (90, as scripts/test's
# own), not a failed test: make mutate must not count it as a kill.
unknown = [o for o in only if not (here / (o.split(".")[0] + ".py")).exists()]
if unknown:
    print(f"no such test module: {' '.join(unknown)}")
    sys.exit(90)
passed = failed = 0
for path in sorted(here.glob("test_*.py")):
    if only and not any(o.split(".")[0] == path.stem for o in only):
        continue
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    names = sorted(n for n in dir(mod) if n.startswith("test_"))
    for o in only:
        m, _, fn = o.partition(".")
        if m == path.stem and fn and fn not in names:
            print(f"no such test: {o}")
            sys.exit(90)
    for name in names:
        if not wanted(path.stem, name):
            continue
        try:
            sys.stdout.flush()
            getattr(mod, name)()
            passed += 1
            print(f"ok   {path.stem}.{name}")
        except Exception:
            failed += 1
            print(f"FAIL {path.stem}.{name}")
            traceback.print_exc()
            if failfast:
                break
    if failed and failfast:
        break
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
