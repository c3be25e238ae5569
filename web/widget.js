/* pledged donate widget. Embed with one line:
 *   <script src="https://HOST/widget.js" data-campaign="help-us" async></script>
 * Renders into a Shadow DOM, so the host page's CSS cannot reach it. Talks
 * only to the server it was loaded from; loads nothing else, except Stripe.js
 * from the campaign's `card.js` when the reader is about to pay by card. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var api = new URL(me.src, location.href).origin;
  var id = me.getAttribute("data-campaign") || "help-us";

  var host = document.createElement("div");
  host.className = "pledged-widget";
  me.parentNode.insertBefore(host, me);
  var root = host.attachShadow({ mode: "open" });

  var css =
    ":host{all:initial;display:block;font:16px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;max-width:640px}" +
    ".box{border:1px solid #d6dae1;border-radius:10px;padding:16px;background:#fff}" +
    "h2{font-size:1.1em;margin:0 0 12px}" +
    ".track{position:relative;height:14px;background:#e9edf2;border-radius:7px;margin:8px 0 4px}" +
    ".fill{height:100%;background:#1f8a4c;border-radius:7px;transition:width .4s}" +
    ".marks{position:relative;height:1.4em;font-size:.85em;color:#4a5466}" +
    ".mark{position:absolute;transform:translateX(-50%);white-space:nowrap}" +
    ".mark.first{transform:none}.mark.last{transform:translateX(-100%)}" +
    ".raised{font-weight:600;margin:6px 0 12px}" +
    ".tiers{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:12px}" +
    "button{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid #1f8a4c;background:#1f8a4c;color:#fff;cursor:pointer}" +
    "button.alt{background:#fff;color:#1f8a4c}" +
    "button:focus-visible,input:focus-visible{outline:3px solid #f0b400;outline-offset:2px}" +
    "button[disabled]{opacity:.6;cursor:wait}" +
    "form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}" +
    "label{display:flex;flex-direction:column;font-size:.9em}" +
    "input{font:inherit;padding:7px 8px;border:1px solid #9aa3b2;border-radius:6px;width:9em;max-width:100%}" +
    ".msg{min-height:1.4em;margin-top:10px}.err{color:#b00020}.ok{color:#1f6b3c}" +
    ".thanks{border-top:1px solid #e3e7ee;margin-top:10px;padding-top:10px;word-break:break-all}" +
    ".pay{border-top:1px solid #e3e7ee;margin-top:10px;padding-top:10px;word-break:normal}" +
    ".verify-box{margin-top:8px;word-break:normal}.proof p{margin:4px 0}" +
    "::slotted([slot=card]){display:block;max-width:24em;padding:9px 8px;margin:0 0 8px;border:1px solid #9aa3b2;border-radius:6px;background:#fff}";

  var el = function (tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  };

  var style = el("style");
  style.textContent = css;
  var box = el("div", { class: "box", part: "box" });
  root.appendChild(style);
  root.appendChild(box);
  box.appendChild(el("p", { class: "msg" }, "Loading…"));

  var campaign = null, busy = false;

  /* Display form of the spec: 2,500 $ / 929 $ / 12.50 $ (exact: strings
   * and integers only, never floats). */
  function money(minor) {
    var exp = campaign.currency_exponent, sym = campaign.currency_symbol;
    var neg = minor < 0, s = String(Math.abs(minor));
    while (s.length <= exp) s = "0" + s;
    var whole = s.slice(0, s.length - exp), cents = s.slice(s.length - exp);
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var out = (neg ? "-" : "") + whole;
    if (exp > 0 && /[1-9]/.test(cents)) out += "." + cents;
    return out + " " + sym;
  }

  /* "12.50" or "2,500" in major units -> minor units, or null. */
  function parseAmount(text) {
    var exp = campaign.currency_exponent;
    var m = /^\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d+))?\s*$/.exec(text);
    if (!m || (m[2] && m[2].length > exp)) return null;
    var frac = (m[2] || "").padEnd(exp, "0");
    var digits = (m[1].replace(/,/g, "") + frac).replace(/^0+(?=\d)/, "");
    if (digits.length > 15) return null; /* past 2^53: refuse, never round */
    return Number(digits);
  }

  function request(method, path, body, headers) {
    /* "no-cache": the browser revalidates with If-None-Match from its own
     * cache every time, so a 304 costs no body and no CORS preflight. */
    var opts = { method: method, headers: headers || {}, cache: "no-cache" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(api + path, opts);
  }

  var ui = {};

  function render() {
    box.textContent = "";
    box.appendChild(el("h2", {}, campaign.title));
    var max = Math.max(campaign.goal_minor, campaign.tiers[campaign.tiers.length - 1] || 0) || 1;
    ui.bar = el("div", {
      class: "track", role: "progressbar", "aria-label": "Raised toward the goal",
      "aria-valuemin": "0", "aria-valuemax": String(campaign.goal_minor)
    });
    ui.fill = el("div", { class: "fill" });
    ui.bar.appendChild(ui.fill);
    box.appendChild(ui.bar);
    var marks = el("div", { class: "marks", "aria-hidden": "true" });
    var points = [0].concat(campaign.tiers, [campaign.goal_minor])
      .filter(function (v, i, a) { return a.indexOf(v) === i; })
      .sort(function (a, b) { return a - b; });
    points.forEach(function (v, i) {
      var m = el("span", { class: "mark" + (i === 0 ? " first" : "") + (i === points.length - 1 ? " last" : "") }, money(v));
      m.style.left = (100 * v / max) + "%";
      marks.appendChild(m);
    });
    box.appendChild(marks);
    ui.raised = el("p", { class: "raised", "aria-live": "polite" });
    box.appendChild(ui.raised);

    if (campaign.status !== "open") {
      box.appendChild(el("p", { class: "msg" }, "This campaign is closed. Thank you!"));
      showTotals(campaign);
      return;
    }
    var tiers = el("div", { class: "tiers", role: "group", "aria-label": "Pledge amounts" });
    campaign.tiers.forEach(function (v) {
      var b = el("button", { type: "button", class: v === 0 ? "alt" : "" },
        v === 0 ? "Free supporter pledge (0 $)".replace("$", campaign.currency_symbol) : "Pledge " + money(v));
      b.addEventListener("click", function () { pledge(v); });
      tiers.appendChild(b);
    });
    box.appendChild(tiers);

    var form = el("form", { novalidate: "" });
    var lbl = el("label", {}, "Custom amount (" + campaign.currency_symbol + ")");
    ui.amount = el("input", { type: "text", inputmode: "decimal", name: "amount", autocomplete: "off",
      placeholder: money(campaign.min_custom_minor).replace(/ .*/, "") });
    lbl.appendChild(ui.amount);
    var nlbl = el("label", {}, "Your name (optional)");
    ui.name = el("input", { type: "text", name: "donor_name", maxlength: "200", autocomplete: "name" });
    nlbl.appendChild(ui.name);
    form.appendChild(lbl);
    form.appendChild(nlbl);
    form.appendChild(el("button", { type: "submit" }, "Pledge"));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var minor = parseAmount(ui.amount.value);
      if (minor === null) return say("Enter an amount like 12.50.", true);
      if (campaign.tiers.indexOf(minor) < 0 &&
          (minor < campaign.min_custom_minor || minor > campaign.max_custom_minor))
        return say("A custom amount must be between " + money(campaign.min_custom_minor) +
          " and " + money(campaign.max_custom_minor) + ".", true);
      pledge(minor);
    });
    box.appendChild(form);
    ui.msg = el("p", { class: "msg", role: "status", "aria-live": "polite" });
    box.appendChild(ui.msg);
    ui.thanks = el("div", { class: "thanks", hidden: "" });
    box.appendChild(ui.thanks);
    showTotals(campaign);
  }

  function say(text, isError) {
    ui.msg.textContent = text;
    ui.msg.className = "msg " + (isError ? "err" : "ok");
  }

  function showTotals(t) {
    if (t.seq !== undefined) shownSeq = t.seq;
    // The campaign chooses what readers see as raised: promises, or money
    // collected (the default with a payment provider).
    var shown = t.shown_minor !== undefined ? t.shown_minor : t.raised_minor;
    var pct = Math.min(100, 100 * shown / (campaign.goal_minor || 1));
    ui.fill.style.width = pct + "%";
    ui.bar.setAttribute("aria-valuenow", String(shown));
    ui.bar.setAttribute("aria-valuetext", money(shown) + " of " + money(campaign.goal_minor));
    ui.raised.textContent = money(shown) + " raised of " + money(campaign.goal_minor) +
      " · " + t.supporters + " supporters";
    ui.raised.setAttribute("data-raised-minor", String(shown));
  }

  var shownSeq = -1;

  function poll() {
    request("GET", "/v1/campaigns/" + id + "/totals").then(function (r) {
      if (r.status === 200)
        return r.json().then(function (t) {
          if (t.seq !== shownSeq) showTotals(t);
        });
    }).catch(function () {}).then(function () { setTimeout(poll, 2000); });
  }

  /* One Idempotency-Key per pledge the reader means to make: reused for
   * every retry of that pledge, so a retry can never count twice. */
  var pending = null;

  function pledge(minor) {
    if (busy) return;
    var name = ui.name.value.trim();
    var body = { amount_minor: minor };
    if (name) body.donor_name = name;
    if (!pending || pending.minor !== minor || pending.name !== name)
      pending = { minor: minor, name: name, key: crypto.randomUUID() };
    busy = true;
    say("Sending your pledge…", false);
    attempt(body, pending.key, 0);
  }

  function attempt(body, key, tries) {
    request("POST", "/v1/campaigns/" + id + "/pledges", body, { "Idempotency-Key": key })
      .then(function (r) {
        return r.json().then(function (data) {
          if (r.status === 201) return thanks(data);
          if ((r.status === 503 || r.status === 429) && tries < 3)
            return retry(body, key, tries, r.headers.get("Retry-After"));
          busy = false;
          if (r.status < 500) pending = null; /* refused: a new try is a new pledge */
          say(data.error ? data.error.message : "Something went wrong.", true);
        });
      })
      .catch(function () {
        if (tries < 3) return retry(body, key, tries, "1");
        busy = false;
        say("Network problem: your pledge was not confirmed. Try again; it will not count twice.", true);
      });
  }

  function retry(body, key, tries, after) {
    var s = Math.min(10, parseInt(after, 10) || 1);
    say("Busy, retrying in " + s + " s…", false);
    setTimeout(function () { attempt(body, key, tries + 1); }, s * 1000);
  }

  function thanks(data) {
    busy = false;
    pending = null;
    var p = data.pledge, doc = data.receipt;
    say("Thank you! Your pledge of " + money(p.amount_minor) + " is recorded.", false);
    ui.thanks.hidden = false;
    ui.thanks.textContent = "";
    ui.thanks.appendChild(el("p", {}, "Receipt id: "));
    ui.thanks.firstChild.appendChild(el("code", { class: "receipt-id" }, p.id));
    ui.thanks.appendChild(receiptLinks(doc, "receipt-" + p.id + ".json"));
    ui.thanks.appendChild(verifyGift(doc));
    refreshTotals();
    payStep(p);
  }

  function refreshTotals() {
    request("GET", "/v1/campaigns/" + id + "/totals").then(function (r) { return r.json(); })
      .then(showTotals).catch(function () {});
  }

  /* "Download" and "Verify" for a signed document: a pledge's receipt or a
   * payment's. */
  function receiptLinks(doc, file) {
    var dl = el("a", { download: file,
      href: "data:application/json;charset=utf-8," + encodeURIComponent(JSON.stringify(doc)) },
      "Download the signed receipt");
    var verify = el("a", { href: "#", class: "verify" }, "Verify the receipt");
    var result = el("span", { class: "verified", "aria-live": "polite" });
    verify.addEventListener("click", function (e) {
      e.preventDefault();
      request("POST", "/v1/receipts/verify", doc).then(function (r) { return r.json(); })
        .then(function (v) { result.textContent = v.valid ? " ✓ signature valid (key " + v.kid + ")" : " ✗ not valid"; })
        .catch(function () { result.textContent = " could not check now"; });
    });
    var links = el("p");
    links.appendChild(dl);
    links.appendChild(document.createTextNode(" · "));
    links.appendChild(verify);
    links.appendChild(result);
    return links;
  }

  /* "Verify my gift" (docs/VERIFY.md): web/verify.js, fetched from our
   * server only when asked, checks the gift in the page with WebCrypto and
   * writes what it checked into out. */
  function verifyGift(doc) {
    var btn = el("button", { type: "button", class: "alt verify-gift" }, "Verify my gift");
    var out = el("div", { class: "proof", "aria-live": "polite" });
    var run = function () {
      window.__pledgedVerify(api, doc, out, money).then(function () { btn.disabled = false; });
    };
    btn.addEventListener("click", function () {
      btn.disabled = true;
      out.textContent = "Checking…";
      if (window.__pledgedVerify) return run();
      var s = el("script", { src: api + "/verify.js" });
      s.onload = run;
      s.onerror = function () { out.textContent = "Could not check now; try again later."; btn.disabled = false; };
      document.head.appendChild(s);
    });
    var wrap = el("div", { class: "verify-box" });
    wrap.appendChild(btn);
    wrap.appendChild(out);
    return wrap;
  }

  /* The payment step (docs/PAYMENTS.md, "Widget"): after a pledge, a card
   * form when the server takes cards for this campaign (campaign.card), else
   * a link to the campaign's Stripe Payment Link, else nothing: a campaign
   * without a provider keeps promises only. */
  var stripe = null, card = null;

  function payStep(p) {
    dropCard();
    if (p.amount_minor <= 0) return; /* a free pledge has nothing to pay */
    if (campaign.card) cardStep(p);
    else if (campaign.payment_link) payLink(p);
  }

  function payLink(p) {
    var url;
    try { url = new URL(campaign.payment_link); } catch (e) { return; }
    /* Stripe files the payment under our pledge id; set() keeps the link's
     * own query. */
    url.searchParams.set("client_reference_id", p.id);
    var para = el("p", { class: "pay" }, "Your pledge is a promise until it is paid. ");
    para.appendChild(el("a", { class: "pay-link", href: url.href, target: "_blank", rel: "noopener" }, "Pay now"));
    ui.thanks.appendChild(para);
  }

  /* Stripe.js is always loaded from Stripe (never copied: Stripe and PCI
   * require it), by one <script> in the host page, shared by every widget
   * on it. */
  function loadStripe(src) {
    if (window.Stripe) return Promise.resolve(window.Stripe);
    return new Promise(function (ok, fail) {
      var s = [].filter.call(document.scripts, function (x) { return x.src === src; })[0];
      if (!s) {
        s = el("script", { src: src, async: "" });
        document.head.appendChild(s);
      }
      var no = function () { fail(new Error("Stripe.js did not load from " + src)); };
      s.addEventListener("load", function () { window.Stripe ? ok(window.Stripe) : no(); });
      s.addEventListener("error", no);
    });
  }

  /* Stripe's card field is an iframe that Stripe.js refuses to mount in a
   * shadow root (its frames must reach the page's DOM), so it is mounted in a
   * child of our host element, in the page's DOM, and shown inside the
   * widget through a <slot>. Card numbers go from that iframe to Stripe;
   * this script and our server only ever see a token. */
  function dropCard() {
    if (card && card.destroy) card.destroy();
    card = null;
    host.textContent = "";
  }

  function cardStep(p) {
    var step = el("div", { class: "pay" });
    step.appendChild(el("p", {}, "Pay it now by card:"));
    step.appendChild(el("slot", { name: "card" }));
    var btn = el("button", { type: "button", class: "pay-btn", disabled: "" }, "Pay " + money(p.amount_minor));
    var msg = el("p", { class: "pay-msg", role: "status", "aria-live": "polite" }, "Loading the card form…");
    step.appendChild(btn);
    step.appendChild(msg);
    ui.thanks.appendChild(step);
    var tell = function (text, isError) {
      msg.textContent = text;
      msg.className = "pay-msg " + (isError ? "err" : "ok");
    };

    loadStripe(campaign.card.js).then(function (Stripe) {
      if (!step.isConnected) return; /* a newer pledge replaced this one */
      stripe = stripe || Stripe(campaign.card.publishable_key);
      var mount = el("div", { slot: "card" });
      host.appendChild(mount);
      card = stripe.elements().create("card", { style: { base: { fontSize: "16px" } } });
      card.mount(mount);
      btn.disabled = false;
      tell("", false);
    }).catch(function (e) { /* blocked (a page's CSP), offline, or refused */
      console.error("pledged widget: no card form:", e);
      if (!step.isConnected) return;
      tell("The card form could not be loaded. Your pledge is recorded.", true);
      if (campaign.payment_link) payLink(p);
    });

    btn.addEventListener("click", function () {
      if (busy || !card) return;
      busy = btn.disabled = true;
      tell("Checking your card…", false);
      stripe.createToken(card).then(function (result) {
        if (result.error) return again(result.error.message);
        tell("Taking the payment…", false);
        send(result.token.id, 0);
      }, function () { again("Could not reach the card service. Try again."); });
    });

    function again(text) { /* this card may be retried or replaced */
      busy = btn.disabled = false;
      tell(text, true);
    }

    /* A token is spent by one charge: every retry of a payment sends the
     * same token in the same request, which the server runs once. */
    function send(token, tries) {
      request("POST", "/v1/campaigns/" + id + "/pledges/" + p.id + "/card", { token: token })
        .then(function (r) {
          return r.json().then(function (d) { return [r.status, d]; }, function () { return [r.status, null]; });
        })
        .then(function (a) { answer(a[0], a[1], token, tries); },
              function () { answer(0, null, token, tries); });
    }

    function answer(status, data, token, tries) {
      if (status === 201 || status === 200) return paid(data);
      if (status === 402) {
        if (card && card.clear) card.clear();
        return again("Your card was declined. Try another card.");
      }
      /* 502 provider_unavailable, any 5xx, a throttle or no answer at all:
       * the card may have been charged. Send the same request again, never
       * a new token; if it stays unknown, the webhook records the charge. */
      if (status === 0 || status === 429 || status >= 500) {
        if (tries < 3) {
          var s = 1 << tries; /* 1, 2, 4 s */
          tell("Confirming your payment… (retrying in " + s + " s)", false);
          return setTimeout(function () { send(token, tries + 1); }, s * 1000);
        }
        busy = false;
        return tell("Your payment could not be confirmed yet. Please do not pay again: " +
          "if your card was charged, the payment will be recorded.", true);
      }
      if (status === 422) return again(data && data.error ? data.error.message : "Try another card.");
      busy = false; /* 409, 404: there is nothing left to pay here */
      tell(data && data.error ? data.error.message : "Something went wrong.", true);
    }

    function paid(data) {
      busy = false;
      dropCard();
      var pay = data.payment, doc = data.receipt;
      say("Thank you! Your payment of " + money(pay.amount_minor) + " is received.", false);
      step.textContent = "";
      step.className = "pay paid";
      step.appendChild(el("p", { class: "ok" }, "Payment received: " + money(pay.amount_minor) + ". Thank you!"));
      step.appendChild(el("p", {}, "Payment receipt id: "));
      step.lastChild.appendChild(el("code", { class: "payment-id" }, doc.receipt.payment_id));
      step.appendChild(receiptLinks(doc, "payment-" + doc.receipt.payment_id + ".json"));
      refreshTotals();
    }
  }

  request("GET", "/v1/campaigns/" + id).then(function (r) {
    return r.json().then(function (data) {
      if (r.status !== 200) throw new Error(data.error ? data.error.message : "unavailable");
      campaign = data;
      render();
      setTimeout(poll, 2000);
    });
  }).catch(function (e) {
    box.textContent = "";
    box.appendChild(el("p", { class: "msg err" }, "The donation widget is unavailable: " + e.message));
  });
})();
