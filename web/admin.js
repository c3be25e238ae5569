/* The admin dashboard: talks to /v1/admin with the token kept in this
 * page's memory only (a reload asks again): never in sessionStorage or
 * localStorage, where the public pages of the same origin (/, /embed/)
 * could read it. No external assets. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var token = null;
  sessionStorage.removeItem("pledged-admin-token"); /* older versions kept it */
  var current = null, next = null, chartRows = [];

  function api(method, path, body, headers) {
    var h = Object.assign({ Authorization: "Bearer " + token }, headers || {});
    var opts = { method: method, headers: h };
    if (body !== undefined) { h["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      if (r.status === 204) return {};
      return r.json().then(function (data) {
        if (r.status === 401) { signOut("Your token was refused."); throw new Error("unauthorized"); }
        if (!r.ok) throw new Error(data.error ? data.error.message : "HTTP " + r.status);
        return data;
      });
    });
  }

  function money(minor, c) {
    var exp = c.currency_exponent, neg = minor < 0, s = String(Math.abs(minor));
    while (s.length <= exp) s = "0" + s;
    var whole = s.slice(0, s.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = s.slice(s.length - exp);
    return (neg ? "-" : "") + whole + (exp && /[1-9]/.test(cents) ? "." + cents : "") + " " + c.currency_symbol;
  }

  function td(text, cls) {
    var e = document.createElement("td");
    if (cls) e.className = cls;
    e.textContent = text;
    return e;
  }

  function signOut(msg) {
    token = null;
    live = null;
    $("app").hidden = true;
    $("signout").hidden = true;
    $("login").hidden = false;
    $("login-msg").textContent = msg || "";
  }

  function loadCampaigns() {
    return api("GET", "/v1/admin/campaigns").then(function (data) {
      $("login").hidden = true;
      $("app").hidden = false;
      $("signout").hidden = false;
      var body = $("campaigns").tBodies[0];
      body.textContent = "";
      data.campaigns.forEach(function (c) {
        var tr = document.createElement("tr");
        tr.appendChild(td(c.title + " (" + c.id + ")"));
        tr.appendChild(td(c.status));
        // Promised, and money received when the campaign takes payments.
        tr.appendChild(td(money(c.raised_minor, c) + " / " + money(c.goal_minor, c) +
          (c.provider ? " · collected " + money(c.collected_minor, c) : ""), "num"));
        var p = td(""), bar = document.createElement("span"), fill = document.createElement("span");
        bar.className = "bar";
        bar.setAttribute("role", "progressbar");
        bar.setAttribute("aria-valuenow", String(c.raised_minor));
        bar.setAttribute("aria-valuemax", String(c.goal_minor));
        fill.style.width = Math.min(100, c.percent) + "%";
        bar.appendChild(fill);
        p.appendChild(bar);
        p.appendChild(document.createTextNode(" " + c.percent + " %"));
        tr.appendChild(p);
        tr.appendChild(td(String(c.supporters), "num"));
        var open = document.createElement("button");
        open.className = "alt";
        open.textContent = "Open";
        open.addEventListener("click", function () { openCampaign(c); });
        var cell = td("");
        cell.appendChild(open);
        tr.appendChild(cell);
        body.appendChild(tr);
      });
    });
  }

  function openCampaign(c) {
    current = c;
    next = null;
    chartRows = [];
    $("detail").hidden = false;
    $("detail-title").textContent = c.title;
    $("audit-result").textContent = "";
    $("detail-msg").textContent = "";
    $("pledges").tBodies[0].textContent = "";
    var ex = $("exports");
    ex.textContent = "Exports: ";
    ["csv", "jsonl"].forEach(function (fmt, i) {
      var a = document.createElement("a");
      a.href = "/v1/admin/campaigns/" + c.id + "/ledger." + fmt;
      a.textContent = "ledger." + fmt;
      a.addEventListener("click", function (e) { e.preventDefault(); download(a.href, c.id + "-ledger." + fmt); });
      if (i) ex.appendChild(document.createTextNode(" · "));
      ex.appendChild(a);
    });
    loadPledges();
  }

  /* Live updates from the event stream (docs/EVENTS.md), read with fetch
   * because EventSource cannot send the Authorization header. Each
   * response ends after a batch (or a wait on the server); the next one
   * resumes from the last event id, so nothing is missed in between. */
  var live = null, refreshing = null;
  function follow(after) {
    var mine = live = {};
    fetch("/v1/admin/events/stream", {
      headers: { Authorization: "Bearer " + token, "Last-Event-ID": String(after) },
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (text) {
      if (live !== mine) return;
      var changed = false;
      text.split("\n\n").forEach(function (block) {
        var id = /^id: (\d+)$/m.exec(block);
        if (id) { after = Number(id[1]); changed = true; }
      });
      $("live").textContent = "● live";
      if (changed) refreshSoon();
      follow(after);
    }).catch(function () {
      if (live !== mine) return;
      $("live").textContent = "○ reconnecting…";
      setTimeout(function () { if (live === mine) follow(after); }, 2000);
    });
  }
  /* At most one refresh in flight, so a busy campaign cannot flood us. */
  function refreshSoon() {
    if (refreshing) { refreshing.again = true; return; }
    refreshing = {};
    var done = function () {
      var again = refreshing.again;
      refreshing = null;
      if (again) refreshSoon();
    };
    loadCampaigns().then(loadWebhooks).then(function () {
      if (!current) return;
      next = null;
      chartRows = [];
      $("pledges").tBodies[0].textContent = "";
      return loadPledges();
    }).then(done, done);
  }
  function startLive() {
    api("GET", "/v1/admin/events?limit=1&after=0").then(function (d) {
      follow(d.head);
    }).catch(function () { $("live").textContent = "○ offline"; });
  }

  /* An Idempotency-Key (crypto.randomUUID needs a secure context). */
  function newKey() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  /* Webhooks (docs/WEBHOOKS.md): endpoints with their state; a disabled
   * one is an alert at the top until it is replayed or deleted. */
  function loadWebhooks() {
    return api("GET", "/v1/admin/webhooks").then(function (data) {
      var body = $("webhooks").tBodies[0], alerts = [];
      body.textContent = "";
      data.webhooks.forEach(function (w) {
        var tr = document.createElement("tr");
        tr.appendChild(td(w.url, "wrap"));
        tr.appendChild(td(w.types.length ? w.types.join(", ") : "all"));
        tr.appendChild(td(w.state + (w.attempts ? " (" + w.attempts + " tries)" : ""),
                          w.state === "active" ? "ok" : "err"));
        tr.appendChild(td(String(Math.max(0, data.head - w.cursor)), "num"));
        tr.appendChild(td(w.disabled_reason || w.last_error || ""));
        var cell = td("");
        var replay = document.createElement("button");
        replay.className = "alt";
        replay.textContent = "Replay from…";
        replay.setAttribute("aria-label", "Replay " + w.url + " from an event");
        replay.addEventListener("click", function () {
          var from = prompt("Deliver again from event number:", String(w.cursor + 1));
          if (!from) return;
          api("POST", "/v1/admin/webhooks/" + w.id + "/replay", { from: Number(from) })
            .then(function () { $("webhook-msg").textContent = "Replaying from event " + from + "."; return loadWebhooks(); })
            .catch(function (e) { $("webhook-msg").textContent = e.message; });
        });
        var del = document.createElement("button");
        del.className = "danger";
        del.textContent = "Delete";
        del.setAttribute("aria-label", "Delete webhook " + w.url);
        del.addEventListener("click", function () {
          if (!confirm("Delete the webhook to " + w.url + "?")) return;
          api("DELETE", "/v1/admin/webhooks/" + w.id).then(loadWebhooks)
            .catch(function (e) { $("webhook-msg").textContent = e.message; });
        });
        cell.appendChild(replay);
        cell.appendChild(del);
        tr.appendChild(cell);
        body.appendChild(tr);
        if (w.state === "disabled")
          alerts.push("Webhook to " + w.url + " is disabled: " + w.disabled_reason +
                      ". Fix the receiver, then replay it.");
      });
      $("alerts").textContent = alerts.join(" ");
    }).catch(function (e) { $("webhook-msg").textContent = e.message; });
  }
  $("webhook-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var types = $("webhook-types").value.split(",").map(function (t) { return t.trim(); })
      .filter(function (t) { return t && t !== "all"; });
    api("POST", "/v1/admin/webhooks", {
      url: $("webhook-url").value.trim(), types: types,
      ed25519: $("webhook-ed25519").checked, personal: $("webhook-personal").checked,
    }, { "Idempotency-Key": newKey() }).then(function (d) {
      $("webhook-msg").className = "ok";
      $("webhook-msg").textContent = "Added. Its signing secret, shown only now: " + d.secret;
      $("webhook-url").value = "";
      return loadWebhooks();
    }).catch(function (err) {
      $("webhook-msg").className = "err";
      $("webhook-msg").textContent = err.message;
    });
  });

  /* Exports need the token header, so they are fetched, then saved. */
  function download(url, name) {
    fetch(url, { headers: { Authorization: "Bearer " + token } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.blob();
    }).then(function (b) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(b);
      a.download = name;
      a.click();
    }).catch(function (e) { $("detail-msg").textContent = "Export failed: " + e.message; });
  }

  function loadPledges() {
    var q = "?limit=50" + (next ? "&after=" + next : "");
    return api("GET", "/v1/admin/campaigns/" + current.id + "/pledges" + q).then(function (data) {
      var body = $("pledges").tBodies[0];
      data.pledges.forEach(function (p) {
        chartRows.push(p);
        var tr = document.createElement("tr");
        tr.appendChild(td(p.created_at.replace("T", " ").slice(0, 19)));
        tr.appendChild(td(money(p.amount_minor, current), "num"));
        tr.appendChild(td(p.kind));
        tr.appendChild(td((p.donor_name || "—") + (p.anonymous ? " (anonymous)" : "")));
        tr.appendChild(td(p.donor_email || ""));
        tr.appendChild(td(p.payment_status || "pledged"));
        var cell = td("");
        if (p.refunded) {
          cell.textContent = "refunded";
        } else {
          var b = document.createElement("button");
          b.className = "danger";
          b.textContent = "Refund";
          b.addEventListener("click", function () { refund(p, b); });
          cell.appendChild(b);
        }
        tr.appendChild(cell);
        body.appendChild(tr);
      });
      next = data.next;
      $("more").hidden = !next;
      drawChart();
    }).catch(function (e) { $("detail-msg").textContent = e.message; });
  }

  function refund(p, button) {
    if (!confirm("Refund " + money(p.amount_minor, current) + " to " + (p.donor_name || "this donor") + "? This cannot be undone."))
      return;
    button.disabled = true;
    var key = button.dataset.key || (button.dataset.key = crypto.randomUUID());
    api("POST", "/v1/admin/pledges/" + p.id + "/refund", undefined, { "Idempotency-Key": key })
      .then(function (data) {
        button.parentNode.textContent = "refunded";
        $("detail-msg").className = "ok";
        $("detail-msg").textContent = "Refunded: " + money(-data.refund.amount_minor, current) + ", receipt signed by " + data.receipt.receipt.kid + ".";
        return loadCampaigns();
      })
      .catch(function (e) { button.disabled = false; $("detail-msg").className = "err"; $("detail-msg").textContent = e.message; });
  }

  /* Cumulative amount over time, from the pledges loaded so far. */
  function drawChart() {
    var svg = $("chart"), ns = "http://www.w3.org/2000/svg";
    svg.textContent = "";
    var rows = chartRows.slice().sort(function (a, b) { return a.seq - b.seq; });
    if (rows.length < 1) return;
    var W = 600, H = 200, pad = 30, sum = 0, pts = [];
    var t0 = Date.parse(rows[0].created_at), t1 = Date.parse(rows[rows.length - 1].created_at);
    rows.forEach(function (r) { sum += r.refunded ? 0 : r.amount_minor; pts.push([Date.parse(r.created_at), sum]); });
    var max = Math.max(sum, 1), span = Math.max(t1 - t0, 1);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var d = pts.map(function (p, i) {
      var x = pad + (W - 2 * pad) * (p[0] - t0) / span, y = H - pad - (H - 2 * pad) * p[1] / max;
      return (i ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
    }).join(" ");
    var axis = document.createElementNS(ns, "path");
    axis.setAttribute("d", "M" + pad + " " + pad + " V" + (H - pad) + " H" + (W - pad));
    axis.setAttribute("stroke", "#9aa3b2");
    axis.setAttribute("fill", "none");
    var line = document.createElementNS(ns, "path");
    line.setAttribute("d", d);
    line.setAttribute("stroke", "#1f8a4c");
    line.setAttribute("stroke-width", "2");
    line.setAttribute("fill", "none");
    var label = document.createElementNS(ns, "text");
    label.setAttribute("x", pad + 4);
    label.setAttribute("y", pad - 8);
    label.setAttribute("font-size", "12");
    label.textContent = money(sum, current) + " in the " + rows.length + " pledges shown";
    svg.appendChild(axis);
    svg.appendChild(line);
    svg.appendChild(label);
  }

  $("audit").addEventListener("click", function () {
    $("audit-result").textContent = "Auditing…";
    api("GET", "/v1/admin/campaigns/" + current.id + "/audit").then(function (a) {
      $("audit-result").className = a.ok ? "ok" : "err";
      $("audit-result").textContent = a.ok
        ? "✓ chain verifies: " + a.entries + " entries, " + money(a.raised_minor, current) + ", " + a.receipts + " signatures checked"
        : "✗ " + a.problem_count + " problems: " + a.problems.join("; ");
    }).catch(function (e) { $("audit-result").textContent = e.message; });
  });
  $("more").addEventListener("click", loadPledges);
  $("signout").addEventListener("click", function () { signOut(""); });
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    token = $("token").value.trim();
    $("token").value = "";
    loadCampaigns().then(loadWebhooks).then(startLive).catch(function (err) { $("login-msg").textContent = err.message; });
  });
})();
