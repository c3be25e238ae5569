"""The command line's error messages (a fault's cause, what was being done,
and what to do about it), and the floors' check (scripts/layers) failing
on planted violations."""
import os
import pathlib
import shutil
import subprocess
import tempfile
import uuid

from fixtures import psql

TOP = pathlib.Path(__file__).resolve().parents[2]


def pledged(*args, **env):
    return subprocess.run([os.environ["PLEDGED_BIN"], *args],
                          env=dict(os.environ, **env), capture_output=True,
                          text=True, timeout=60)


def test_failed_migration_names_the_migration_and_its_cause():
    db = "mig_" + uuid.uuid4().hex[:10]
    psql(f"CREATE DATABASE {db}")
    try:
        url = os.environ["DATABASE_URL"].replace("dbname=pledged",
                                                 f"dbname={db}")
        assert url != os.environ["DATABASE_URL"]
        # A table in the way of the first migration.
        subprocess.run(["psql", url, "-XqAt", "-c",
                        "CREATE TABLE campaigns (x int)"], check=True)
        r = pledged("migrate", DATABASE_URL=url)
        assert r.returncode == 1
        assert "migration 001_ledger.sql failed" in r.stderr, r.stderr
        assert 'relation "campaigns" already exists' in r.stderr, r.stderr
    finally:
        psql(f"DROP DATABASE {db} WITH (FORCE)")  # PgBouncer may hold it


def test_keygen_when_another_key_is_current_says_use_rotate():
    d = tempfile.mkdtemp()
    try:
        os.chmod(d, 0o700)
        r = pledged("keygen", PLEDGED_KEY_FILE=os.path.join(d, "second.key"))
        assert r.returncode == 1
        assert "another key is current" in r.stderr, r.stderr
        assert "pledged keygen --rotate" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(d, "second.key"))
    finally:
        shutil.rmtree(d)


def layers(tree):
    return subprocess.run([str(TOP / "scripts" / "layers"), str(tree)],
                          capture_output=True, text=True)


def copy_tree():
    d = pathlib.Path(tempfile.mkdtemp())
    for floor in ("core", "store", "provider", "app", "api", "cli"):
        shutil.copytree(TOP / floor, d / floor)
    return d


def test_layers_pass_here_and_fail_on_planted_violations():
    d = copy_tree()
    try:
        ok = layers(d)
        assert ok.returncode == 0, ok.stdout
        handlers = d / "api" / "handlers.c"
        original = handlers.read_text()
        handlers.write_text('#include "store/store.h"\n' + original)
        bad = layers(d)
        assert bad.returncode == 1
        assert 'api/handlers.c: includes "store/store.h"' in bad.stdout
        handlers.write_text(original)

        (d / "core" / "long.c").write_text("int x;\n" * 700)
        bad = layers(d)
        assert bad.returncode == 1
        assert "core/long.c: 700 lines" in bad.stdout
        (d / "core" / "long.c").unlink()

        money = d / "core" / "money.c"
        money.write_text("#include <libpq-fe.h>\n" + money.read_text())
        bad = layers(d)
        assert "core/money.c: includes <libpq-fe.h>" in bad.stdout
        money.write_text(money.read_text().split("\n", 1)[1])

        # The provider floor: only it calls out (curl), api/ never reaches
        # it (it goes through app/), and it sees nothing but core/.
        handlers.write_text('#include "provider/stripe.h"\n' + original)
        pledging = d / "app" / "pledging.c"
        pledging.write_text("#include <curl/curl.h>\n" +
                            pledging.read_text())
        stripe = d / "provider" / "stripe.c"
        stripe.write_text('#include "store/store.h"\n' + stripe.read_text())
        bad = layers(d)
        assert 'api/handlers.c: includes "provider/stripe.h"' in bad.stdout
        assert "app/pledging.c: includes <curl/curl.h>" in bad.stdout
        assert 'provider/stripe.c: includes "store/store.h"' in bad.stdout
        handlers.write_text(original)
        pledging.write_text(pledging.read_text().split("\n", 1)[1])
        stripe.write_text(stripe.read_text().split("\n", 1)[1])
        assert layers(d).returncode == 0

        # A circle: core/hex.h including core/buf.h (buf.c includes hex.h).
        hexh = d / "core" / "hex.h"
        hexh.write_text('#include "core/buf.h"\n' + hexh.read_text())
        bad = layers(d)
        assert "include circle: core/buf <-> core/hex" in bad.stdout, \
            bad.stdout
    finally:
        shutil.rmtree(d)
