/* pledged "Verify my gift" (docs/VERIFY.md). The widget loads this file
 * from its own server when a donor asks; it checks, in the browser and with
 * WebCrypto alone (nothing of ours runs on the answers):
 *   1. the receipt's Ed25519 signature, by a key the server publishes;
 *   2. the campaign's checkpoint: a C2SP signed note by the current key;
 *   3. the RFC 9162 inclusion proof from the receipt's own ledger entry to
 *      the checkpoint's root: the gift is in the log whose totals are signed.
 * window.__pledgedVerify(api, doc, out, money, t) writes what it checked
 * into the element out, in the reader's words (t, the widget's: its
 * language's v* words; English here when it has none), with money
 * formatting minor units as the widget does; it resolves when done and
 * never rejects (a failure is said in out, its cause logged). */
(function () {
  "use strict";
  var te = new TextEncoder();

  function b64(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function unhex(s) {
    if (!/^[0-9a-f]{64}$/.test(s)) throw new Error("not a hash: " + s);
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }
  function concat() {
    var n = 0, i, parts = [].slice.call(arguments);
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n), at = 0;
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function same(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  function node(l, r) { return sha256(concat([1], l, r)); }

  /* RFC 8785 for what receipts hold: objects, strings, integers, null. */
  function canonical(v) {
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    return "{" + Object.keys(v).sort().map(function (k) {
      return JSON.stringify(k) + ":" + canonical(v[k]);
    }).join(",") + "}";
  }

  async function ed25519(pk, sig, msg) {
    var key = await crypto.subtle.importKey("raw", pk, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg);
  }

  /* RFC 9162 2.1.3.2. */
  async function included(leaf, index, size, path, root) {
    if (index >= size) return false;
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await node(path[i], r);
        if (fn % 2 === 0) while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await node(r, path[i]);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && same(r, root);
  }

  /* A C2SP signed note checked against a verifier key
   * "name+keyid+base64(0x01||pk)", then read as a tlog-checkpoint. */
  async function openCheckpoint(note, vkey) {
    var a = vkey.indexOf("+"), b = vkey.indexOf("+", a + 1);
    var name = vkey.slice(0, a), id = vkey.slice(a + 1, b), typed = b64(vkey.slice(b + 1));
    var pk = typed.slice(1);
    var want = (await sha256(concat(te.encode(name + "\n"), [1], pk))).slice(0, 4);
    var split = note.lastIndexOf("\n\n");
    if (typed[0] !== 1 || split < 0) throw new Error("not a signed note");
    var text = note.slice(0, split + 1), ok = false;
    note.slice(split + 2).split("\n").forEach(function (line) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (m && m[1] === name) ok = ok || m[2];
    });
    var sig = ok ? b64(ok) : null;
    if (!sig || !same(sig.slice(0, 4), want) ||
        Array.from(want, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("") !== id ||
        !(await ed25519(pk, sig.slice(4), te.encode(text))))
      throw new Error("the checkpoint's signature does not verify");
    var lines = text.split("\n"), cp = { origin: lines[0], size: Number(lines[1]), root: b64(lines[2]) };
    lines.slice(3, -1).forEach(function (l) {
      var kv = l.split(" ");
      cp[kv[0]] = kv[0] === "currency" ? kv[1] : Number(kv[1]);
    });
    return cp;
  }

  function entryOf(r) {
    var e = { amount_minor: r.amount_minor, campaign_id: r.campaign_id, created_at: r.issued_at,
              currency: r.currency, kind: "pledge", pledge_id: r.pledge_id, seq: r.seq };
    if (r.type === "payment_receipt") {
      e.kind = "payment"; e.provider = r.provider; e.reference = r.reference; e.method = r.method;
    }
    return e;
  }

  function sleep(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

  async function check(api, doc) {
    var r = doc.receipt, checks = [];
    var get = function (path) { return fetch(api + path, { cache: "no-store" }); };
    var keys = (await (await get("/v1/keys")).json()).keys;
    var signer = keys.filter(function (k) { return k.kid === r.kid; })[0];
    var current = keys.filter(function (k) { return !k.retired_at; })[0];
    var sigOk = !!signer && await ed25519(b64(signer.public_key), b64(doc.signature),
                                            te.encode(canonical(r)));
    checks.push({ ok: sigOk, what: "signature",
                  detail: signer ? "key " + r.kid : "key " + r.kid + " is not published" });
    var cp = null, cpErr = "";
    for (var tries = 0; tries < 10; tries++) {
      try {
        cp = await openCheckpoint(await (await get("/v1/campaigns/" + r.campaign_id + "/checkpoint")).text(),
                                  current.note_key);
      } catch (e) { cp = null; cpErr = e.message; break; }
      if (cp.size >= r.seq) break;
      await sleep(300); /* the checkpoint catches up with a just-made pledge */
    }
    checks.push({ ok: !!cp && cp.size >= r.seq && cp.origin.endsWith("/" + r.campaign_id),
                  what: "checkpoint", detail: cp ? cp.origin + " at size " + cp.size : cpErr });
    var inOk = false;
    if (cp && cp.size >= r.seq) {
      var proof = await (await get("/v1/campaigns/" + r.campaign_id + "/proof/inclusion?seq=" +
                                   r.seq + "&size=" + cp.size)).json();
      var leaf = await sha256(concat([0], te.encode(canonical(entryOf(r)))));
      try {
        inOk = await included(leaf, r.seq - 1, cp.size, proof.path.map(unhex), cp.root);
      } catch (e) { inOk = false; }
    }
    checks.push({ ok: inOk, what: "inclusion",
                  detail: "entry " + r.seq + (cp ? " of " + cp.size : "") });
    return { ok: checks.every(function (c) { return c.ok; }), checks: checks, checkpoint: cp };
  }

  var EN = {
    vSignature: "Your receipt is signed: ", vCheckpoint: "The campaign's log is signed: ",
    vInclusion: "Your gift is in that log: ",
    vTotal: "Checked in your browser. The log's signed total is {raised} raised of {goal}; " +
            "that every reader sees the same log is for auditors to compare.",
    vFailed: "This gift could not be verified.", vLater: "Could not check now; try again later."
  };
  var KEY = { signature: "vSignature", checkpoint: "vCheckpoint", inclusion: "vInclusion" };

  function line(out, text, cls) {
    var p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = text;
    out.appendChild(p);
  }

  window.__pledgedVerify = function (api, doc, out, money, t) {
    var say = function (key, vars) {
      var s = null;
      try { s = t && t(key, vars); } catch (e) { s = null; } /* not in its words */
      return s || EN[key].replace(/\{(\w+)\}/g, function (m, k) { return vars[k]; });
    };
    return check(api, doc).then(function (res) {
      out.textContent = "";
      res.checks.forEach(function (c) {
        line(out, (c.ok ? "✓ " : "✗ ") + say(KEY[c.what]) + c.detail, c.ok ? "ok" : "err");
      });
      var cp = res.checkpoint;
      line(out, res.ok ? say("vTotal", { raised: money(cp.raised_minor), goal: money(cp.goal_minor) })
                       : say("vFailed"));
    }).catch(function (e) {
      console.error("pledged: verify my gift:", e);
      out.textContent = say("vLater");
    });
  };
})();
