"""Runs every test_* function of tests/http/test_*.py against the server at
PLEDGED_URL and prints "N passed, N failed". Standard library only: the
client shares no code with the server. PLEDGED_TEST_MODULES (comma
separated, e.g. "test_load") runs only those modules."""
import importlib.util
import os
import pathlib
import sys
import traceback

here = pathlib.Path(__file__).parent
sys.path.insert(0, str(here))
passed = failed = 0
only = {m for m in os.environ.get("PLEDGED_TEST_MODULES", "").split(",") if m}
for path in sorted(here.glob("test_*.py")):
    if only and path.stem not in only:
        continue
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name in sorted(n for n in dir(mod) if n.startswith("test_")):
        try:
            sys.stdout.flush()
            getattr(mod, name)()
            passed += 1
            print(f"ok   {path.stem}.{name}")
        except Exception:
            failed += 1
            print(f"FAIL {path.stem}.{name}")
            traceback.print_exc()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
