/* The dashboard's "Admin tokens" (served at /admin/tokens.js, after
 * /admin.js): list, create and revoke staff's tokens through
 * /v1/admin/tokens (docs/ADMIN.md). A new token's text is shown once, in
 * this page's memory only, until staff say they have saved it or sign
 * out; the API never shows it again. */
(function () {
  "use strict";
  var PA = window.PA, $ = PA.$;

  function say(text, ok) {
    $("tokens-msg").className = ok ? "ok" : "err";
    $("tokens-msg").textContent = text;
  }

  function fieldError(text) {
    $("err-token-name").textContent = text || "";
    if (text) $("token-name").setAttribute("aria-invalid", "true");
    else $("token-name").removeAttribute("aria-invalid");
  }

  function cell(tr, label, text, cls) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (cls) td.className = cls;
    if (text !== undefined) td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function stamp(iso) {
    var t = document.createElement("time");
    t.dateTime = iso;
    t.textContent = PA.when(iso);
    return t;
  }

  function row(t) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-token", t.name);
    cell(tr, "Name", t.name, "wrap");
    cell(tr, "Created").appendChild(stamp(t.created_at));
    var state = cell(tr, "State", undefined, t.revoked_at ? "muted" : "ok");
    if (t.revoked_at) {
      state.appendChild(document.createTextNode("revoked "));
      state.appendChild(stamp(t.revoked_at));
    } else {
      state.textContent = "live";
    }
    var actions = cell(tr, "");
    if (!t.revoked_at) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "danger";
      b.textContent = "Revoke";
      b.setAttribute("aria-label", "Revoke the token " + t.name);
      b.addEventListener("click", function () { revoke(t, b); });
      actions.appendChild(b);
    }
    return tr;
  }

  PA.loadTokens = function () {
    return PA.api("GET", "/v1/admin/tokens").then(function (d) {
      var body = $("admin-tokens").tBodies[0];
      body.textContent = "";
      /* Live ones first, each group by name (as the API lists them). */
      d.tokens.filter(function (t) { return !t.revoked_at; })
        .concat(d.tokens.filter(function (t) { return t.revoked_at; }))
        .forEach(function (t) { body.appendChild(row(t)); });
    }).catch(function (e) { if (e.status !== 401) say("Tokens: " + e.message); });
  };

  function revoke(t, button) {
    if (!confirm("Revoke the token " + t.name + "? Whoever signs in with it is refused from now on. " +
                 "This cannot be undone."))
      return;
    button.disabled = true;
    PA.api("DELETE", "/v1/admin/tokens/" + encodeURIComponent(t.name)).then(function () {
      say("Token " + t.name + " revoked.", true);
      return PA.loadTokens();
    }).catch(function (e) {
      button.disabled = false;
      say(e.message);
      button.focus();
    });
  }

  function hideSecret() {
    $("token-secret").value = "";
    $("token-made").hidden = true;
  }
  PA.clearTokens = function () {
    hideSecret();
    fieldError("");
    $("tokens-msg").textContent = "";
    $("admin-tokens").tBodies[0].textContent = "";
  };

  /* One Idempotency-Key per name typed: a retry after a lost answer is
   * the same request (and answers the token without its text). */
  var pending = null;
  $("token-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var name = $("token-name").value.trim();
    fieldError("");
    $("tokens-msg").textContent = "";
    if (!pending || pending.name !== name) pending = { name: name, key: PA.newKey() };
    var button = $("token-create");
    button.disabled = true;
    PA.api("POST", "/v1/admin/tokens", { name: name }, { "Idempotency-Key": pending.key }).then(function (d) {
      pending = null;
      button.disabled = false;
      $("token-name").value = "";
      if (!d.secret) {
        say("The token " + d.token.name + " was made by an earlier try, whose answer was lost; its text " +
            "cannot be shown again. Revoke it and create another.");
        return PA.loadTokens();
      }
      $("token-made-name").textContent = "Token " + d.token.name + " created.";
      $("token-secret").value = d.secret;
      $("token-made").hidden = false;
      $("token-secret").focus();
      $("token-secret").select();
      return PA.loadTokens();
    }).catch(function (err) {
      button.disabled = false;
      if (err.field === "name") {
        pending = null;
        fieldError(err.message);
        $("token-name").focus();
      } else {
        say(err.message);
      }
    });
  });

  $("token-copy").addEventListener("click", function () {
    var input = $("token-secret");
    var done = function () { say("Token copied to the clipboard.", true); };
    var fallback = function () {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) return done();
      } catch (e) { /* below */ }
      say("Copying was refused by the browser: select the token and copy it by hand.");
    };
    if (navigator.clipboard && navigator.clipboard.writeText)
      navigator.clipboard.writeText(input.value).then(done, fallback);
    else
      fallback();
  });

  $("token-done").addEventListener("click", function () {
    hideSecret();
    say("", true);
    $("token-name").focus();
  });
})();
