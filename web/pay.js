/* The payment step (part of /widget.js: scripts/bundle; docs/PAYMENTS.md,
 * "Widget"). It shares the widget's scope: campaign, ui, host, busy, t,
 * money, request, say, el, refreshTotals and receiptLinks. */
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
  var para = el("p", { class: "pay" }, t("promise"));
  para.appendChild(el("a", { class: "pay-link", href: url.href, target: "_blank", rel: "noopener" }, t("payNow")));
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
  step.appendChild(el("p", {}, t("byCard")));
  step.appendChild(el("slot", { name: "card" }));
  var btn = el("button", { type: "button", class: "pay-btn", disabled: "" }, t("pay", { amount: money(p.amount_minor) }));
  var msg = el("p", { class: "pay-msg", role: "status", "aria-live": "polite" }, t("cardLoading"));
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
    tell(t("noCard"), true);
    if (campaign.payment_link) payLink(p);
  });

  btn.addEventListener("click", function () {
    if (busy || !card) return;
    busy = btn.disabled = true;
    tell(t("checking"), false);
    stripe.createToken(card).then(function (result) {
      if (result.error) return again(result.error.message);
      tell(t("taking"), false);
      send(result.token.id, 0);
    }, function () { again(t("noService")); });
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
      return again(t("declined"));
    }
    /* 502 provider_unavailable, any 5xx, a throttle or no answer at all:
     * the card may have been charged. Send the same request again, never
     * a new token; if it stays unknown, the webhook records the charge. */
    if (status === 0 || status === 429 || status >= 500) {
      if (tries < 3) {
        var s = 1 << tries; /* 1, 2, 4 s */
        tell(t("confirming", { s: s }), false);
        return setTimeout(function () { send(token, tries + 1); }, s * 1000);
      }
      busy = false;
      return tell(t("unconfirmed"), true);
    }
    if (status === 422) {
      console.error("pledged widget: the card was refused:", data && data.error);
      return again(t("otherCard"));
    }
    busy = false; /* 409, 404: there is nothing left to pay here */
    console.error("pledged widget: payment answered " + status + ":", data && data.error);
    tell(status === 409 || status === 404 ? t("nothingToPay") : t("server"), true);
  }

  function paid(data) {
    busy = false;
    dropCard();
    var pay = data.payment, doc = data.receipt;
    say(t("paidThanks", { amount: money(pay.amount_minor) }), false);
    step.textContent = "";
    step.className = "pay paid";
    step.appendChild(el("p", { class: "ok" }, t("paid", { amount: money(pay.amount_minor) })));
    step.appendChild(el("p", {}, t("payReceipt")));
    step.lastChild.appendChild(el("code", { class: "payment-id" }, doc.receipt.payment_id));
    step.appendChild(receiptLinks(doc, "payment-" + doc.receipt.payment_id + ".json"));
    refreshTotals();
  }
}
