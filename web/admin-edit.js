/* The dashboard's campaign form (served at /admin/edit.js, after
 * /admin.js): create a campaign, or edit one (title, goal, tiers, custom
 * bounds, deadline, allowed origins, status). Amounts are typed in major
 * units; the API's own validation messages are shown next to the field
 * they name. */
(function () {
  "use strict";
  var PA = window.PA, $ = PA.$;
  var form = $("campaign-form"), editing = null;
  /* Decimals per currency, as core/money.c has them (2 for the rest). */
  var EXP = { JPY: 0, ISK: 0, KRW: 0, KWD: 3, BHD: 3 };
  var AMOUNTS = ["goal_minor", "min_custom_minor", "max_custom_minor"];

  function exponent() {
    var cur = editing ? editing.currency : form.elements.currency.value.trim().toUpperCase();
    return cur in EXP ? EXP[cur] : 2;
  }

  /* "2,500" or "12.50" in major units -> minor units, or null. */
  function minor(text) {
    var exp = exponent();
    var m = /^\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*$/.exec(text);
    if (!m || (m[2] || "").length > exp) return null;
    var digits = (m[1].replace(/,/g, "") + (m[2] || "").padEnd(exp, "0")).replace(/^0+(?=\d)/, "");
    return digits.length > 15 ? null : Number(digits);
  }
  function major(v) {
    var exp = exponent(), s = String(v);
    while (s.length <= exp) s = "0" + s;
    var whole = s.slice(0, s.length - exp), cents = s.slice(s.length - exp);
    return whole + (exp && /[1-9]/.test(cents) ? "." + cents : "");
  }

  /* A message under one field (aria-describedby), or under the form. */
  function fieldError(name, text) {
    var input = form.elements[name];
    var slot = input && $("err-" + name);
    if (!slot) {
      $("editor-msg").textContent = text;
      return;
    }
    slot.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
  function clearErrors() {
    $("editor-msg").textContent = "";
    [].forEach.call(form.querySelectorAll(".field-err"), function (s) { s.textContent = ""; });
    [].forEach.call(form.querySelectorAll("[aria-invalid]"), function (i) { i.removeAttribute("aria-invalid"); });
  }

  /* datetime-local (the browser's time zone) <-> RFC 3339 UTC. */
  function localValue(iso) {
    if (!iso) return "";
    var d = new Date(iso), p = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  PA.editCampaign = function (c) {
    editing = c || null;
    clearErrors();
    form.reset();
    $("editor").hidden = false;
    $("editor-title").textContent = c ? "Edit " + c.title + " (" + c.id + ")" : "New campaign";
    $("editor-submit").textContent = c ? "Save changes" : "Create campaign";
    $("tz-note").textContent = "in your time zone, " + Intl.DateTimeFormat().resolvedOptions().timeZone;
    form.elements.id.disabled = form.elements.currency.disabled = !!c;
    if (c) {
      form.elements.id.value = c.id;
      form.elements.currency.value = c.currency;
      form.elements.title.value = c.title;
      AMOUNTS.forEach(function (k) { form.elements[k].value = major(c[k]); });
      form.elements.tiers.value = c.tiers.map(major).join(", ");
      form.elements.deadline.value = localValue(c.deadline);
      form.elements.allowed_origins.value = (c.allowed_origins || []).join("\n");
      form.elements.status.value = c.status;
      form.elements.supporters_list.value = c.supporters_list || "off";
    }
    form.elements[c ? "title" : "id"].focus();
  };

  function body() {
    var b = {}, el = form.elements;
    if (!editing) {
      b.id = el.id.value.trim();
      b.currency = el.currency.value.trim().toUpperCase();
    }
    b.title = el.title.value.trim();
    for (var i = 0; i < AMOUNTS.length; i++) {
      var k = AMOUNTS[i], v = el[k].value.trim();
      if (!v && k !== "goal_minor") continue;
      var m = minor(v);
      if (m === null) return fieldError(k, "Write an amount in " + (b.currency || editing.currency) +
        " like 2500 or 12.50" + (exponent() ? "" : " (this currency has no decimals)") + ".");
      b[k] = m;
    }
    var tiers = el.tiers.value.split(/[;\s]+|,\s+/).filter(Boolean).map(minor);
    if (tiers.some(function (t) { return t === null; }))
      return fieldError("tiers", "Write the tiers as amounts separated by spaces or \", \": 0, 10, 25, 50.");
    b.tiers = tiers;
    b.deadline = el.deadline.value ? new Date(el.deadline.value).toISOString() : null;
    b.allowed_origins = el.allowed_origins.value.split(/\s+/).filter(Boolean);
    b.status = el.status.value;
    b.supporters_list = el.supporters_list.value;
    return b;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearErrors();
    var b = body();
    if (!b) return;
    var req = editing ? PA.api("PATCH", "/v1/admin/campaigns/" + editing.id, b)
                      : PA.api("POST", "/v1/admin/campaigns", b, { "Idempotency-Key": PA.newKey() });
    req.then(function (c) {
      $("editor").hidden = true;
      PA.say(editing ? "Saved " + c.title + "." : "Created " + c.title + " (" + c.id + ").");
      return PA.loadCampaigns();
    }).catch(function (err) {
      fieldError(err.field || "", err.message);
    });
  });
  $("editor-cancel").addEventListener("click", function () { $("editor").hidden = true; });
  $("new-campaign").addEventListener("click", function () { PA.editCampaign(null); });
})();
