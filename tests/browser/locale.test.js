// The widget in other languages (issue 20): amounts through Intl, words,
// plurals, direction, amounts typed the local way, themes, and how the
// script is served. Real Chromium, real server. Prints "N passed, N failed".
"use strict";
const http = require("http");
const zlib = require("zlib");
const L = require("./lib");
const { BASE, W, test, assert, eq } = L;

// Raw GET (fetch would undo the gzip): status, headers, body bytes.
function rawGet(url, headers) {
  return new Promise((ok, fail) => {
    http.get(url, { headers: headers || {} }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on("error", fail);
  });
}

const NNBSP = "\u202f", NB = "\u00a0"; // CLDR's spaces: group (fr), before the symbol
const text = (page, sel) => page.locator(W + " " + sel).first().textContent();
const marks = (page) => page.locator(W + " .mark").allTextContents();

// The amounts of a EUR campaign with 1,234.50 € raised from 3 pledges,
// per locale: separators and where the symbol goes.
const WANT = {
  "en-US": { raised: "€1,234.50 raised of €10,000 · 3 supporters", tier: "Pledge €25" },
  "fr-FR": { raised: `1${NNBSP}234,50${NB}€ collectés sur 10${NNBSP}000${NB}€ · 3 soutiens`, tier: `Donner 25${NB}€` },
  "de-DE": { raised: `1.234,50${NB}€ von 10.000${NB}€ gesammelt · 3 Unterstützende`, tier: `25${NB}€ spenden` },
  "es-ES": { raised: `1234,50${NB}€ recaudados de 10.000${NB}€ · 3 donantes`, tier: `Donar 25${NB}€` },
};

(async () => {
  const ctx = await L.launch();
  const c = await L.newCampaign({ title: "Fonds" });
  await L.pledge(c.id, 100000);
  await L.pledge(c.id, 22450);
  await L.pledge(c.id, 1000);
  await L.totalsUntil(c.id, (t) => t.supporters === 3);
  // Nothing in these pages may be fetched from anywhere but our server.
  const away = [];
  ctx.on("request", (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith("http://127.0.0.1:")) away.push(r.url()); });

  await test("no locale asked for: the reference form on /embed, English words", async () => {
    const page = await L.openWidget(ctx, BASE + "/embed/help-us");
    eq((await marks(page)).join("|"), "0 $|2,500 $|5,000 $", "marks");
    const raised = await text(page, ".raised"); // other tests pledge to help-us too
    assert(/^\d{1,3}(,\d{3})*(\.\d\d)? \$ raised of 5,000 \$ · \d+ supporters$/.test(raised), "raised: " + raised);
    eq(await page.locator(W + " .box").getAttribute("dir"), "ltr", "dir");
    await page.close();
  });

  for (const [loc, want] of Object.entries(WANT)) {
    await test(`?locale=${loc}: separators, symbol position and words`, async () => {
      const page = await L.openWidget(ctx, `${BASE}/embed/${c.id}?locale=${loc}`);
      eq(await text(page, ".raised"), want.raised, "raised");
      eq(await page.locator(W + " .tiers button").nth(2).textContent(), want.tier, "tier button");
      eq(await page.getAttribute("html", "lang"), loc, "the embed page's lang");
      eq(await page.locator(W + " .box").getAttribute("lang"), loc, "the widget's lang");
      eq(await page.locator(W + " .box").getAttribute("dir"), "ltr", "dir");
      await page.close();
    });
  }

  await test("?locale=ar: Arabic words, right to left, amounts as Chromium's Intl writes them", async () => {
    const page = await L.openWidget(ctx, `${BASE}/embed/${c.id}?locale=ar`);
    eq(await page.locator(W + " .box").getAttribute("dir"), "rtl", "dir");
    const nf = (v, frac) => page.evaluate(([v, frac]) => new Intl.NumberFormat("ar", { style: "currency",
      currency: "EUR", minimumFractionDigits: frac, maximumFractionDigits: frac }).format(v), [v, frac]);
    const raised = await text(page, ".raised");
    const want = `جُمع ${await nf("1234.50", 2)} من ${await nf(10000, 0)} · 3 داعمين`;
    eq(raised, want, "raised");
    // Right to left: the 0 mark at the bar's right end, the goal at its left.
    const bar = await page.locator(W + " .track").boundingBox();
    const first = await page.locator(W + " .mark.first").boundingBox();
    const last = await page.locator(W + " .mark.last").boundingBox();
    assert(Math.abs(first.x + first.width - (bar.x + bar.width)) < 2, "0 at the right: " + JSON.stringify([first, bar]));
    assert(Math.abs(last.x - bar.x) < 2, "goal at the left");
    const fill = await page.locator(W + " .fill").boundingBox();
    assert(Math.abs(fill.x + fill.width - (bar.x + bar.width)) < 2, "the bar fills from the right");
    await page.close();
  });

  await test("plurals: 1 supporter, 2 supporters; 1 soutien; Arabic dual", async () => {
    const one = await L.newCampaign({});
    await L.pledge(one.id, 1000);
    await L.totalsUntil(one.id, (t) => t.supporters === 1);
    let page = await L.openWidget(ctx, `${BASE}/embed/${one.id}`);
    assert((await text(page, ".raised")).endsWith(" · 1 supporter"), "en one: " + await text(page, ".raised"));
    await page.close();
    page = await L.openWidget(ctx, `${BASE}/embed/${one.id}?locale=fr-FR`);
    assert((await text(page, ".raised")).endsWith(" · 1 soutien"), "fr one: " + await text(page, ".raised"));
    await page.close();
    await L.pledge(one.id, 1000);
    await L.totalsUntil(one.id, (t) => t.supporters === 2);
    page = await L.openWidget(ctx, `${BASE}/embed/${one.id}?locale=ar`);
    assert((await text(page, ".raised")).endsWith(" · داعمان"), "ar two: " + await text(page, ".raised"));
    await page.close();
    page = await L.openWidget(ctx, `${BASE}/embed/${one.id}`);
    assert((await text(page, ".raised")).endsWith(" · 2 supporters"), "en other");
    await page.close();
  });

  // Amounts typed the local way: what is sent is the right minor units.
  const typing = await L.newCampaign({});
  async function typed(loc, input) {
    const page = await L.openWidget(ctx, `${BASE}/embed/${typing.id}` + (loc ? `?locale=${loc}` : ""));
    const sent = [];
    page.on("request", (r) => { if (r.method() === "POST") sent.push(JSON.parse(r.postData()).amount_minor); });
    await page.locator(W + " input[name=amount]").fill(input);
    await page.locator(W + " form button[type=submit]").click();
    await page.waitForFunction((sel) => {
      const sr = document.querySelector(sel).shadowRoot;
      return sr.querySelector(".msg.err") || sr.querySelector(".receipt");
    }, W);
    const msg = await text(page, ".msg");
    await page.close();
    return { sent, msg };
  }
  for (const [loc, input, minor] of [["fr-FR", "75,00", 7500], ["fr-FR", "1 234,5", 123450],
                                     ["fr-FR", "75.00", 7500], ["de-DE", "1.000", 100000],
                                     ["de-DE", "12,50 €", 1250], ["es-ES", "2.500,75", 250075],
                                     ["en-US", "1,000", 100000], [null, "75,00", 7500],
                                     ["ar", "٧٥٫٥٠", 7550]]) {
    await test(`typed ${JSON.stringify(input)} in ${loc || "the default"} is pledged as ${minor}`, async () => {
      const r = await typed(loc, input);
      eq(JSON.stringify(r.sent), JSON.stringify([minor]), "amount_minor sent (" + r.msg + ")");
    });
  }
  await test("Verify my gift in French and in Arabic: the checks said in the reader's words", async () => {
    for (const [loc, sig, inc] of [["fr-FR", "✓ Votre reçu est signé : key ", "✓ Votre don figure dans ce journal : entry "],
                                   ["ar", "✓ إيصالك موقّع: key ", "✓ تبرعك موجود في هذا السجل: entry "]]) {
      const page = await L.openWidget(ctx, `${BASE}/embed/${typing.id}?locale=${loc}`);
      await page.locator(W + " input[name=amount]").fill(loc === "ar" ? "٣٠" : "30");
      await page.locator(W + " form button[type=submit]").click();
      await page.locator(W + " button.verify-gift").click();
      await page.waitForFunction((sel) =>
        document.querySelector(sel).shadowRoot.querySelectorAll(".proof p").length >= 4, W, { timeout: 15000 });
      const lines = await page.locator(W + " .proof p").allTextContents();
      assert(lines[0].startsWith(sig), loc + ": " + lines[0]);
      assert(lines[2].startsWith(inc), loc + ": " + lines[2]);
      assert(lines.every((l) => !l.startsWith("✗")), loc + ": " + lines.join(" | "));
      await page.close();
    }
  });
  for (const [loc, input, re] of [["en-US", "1.000", /“1\.000” could mean two amounts.*€1,000.*€1/],
                                  ["de-DE", "1,000", /„1,000“ kann zwei Beträge.*1\.000\s€ oder 1\s€/],
                                  ["fr-FR", "1.000", /« 1\.000 ».*deux façons/],
                                  [null, "1.000", /could mean two amounts\. Please write 1,000 € or 1 €\.$/]]) {
    await test(`ambiguous ${JSON.stringify(input)} in ${loc || "the default"} is refused, nothing sent`, async () => {
      const r = await typed(loc, input);
      eq(r.sent.length, 0, "requests");
      assert(re.test(r.msg), "message: " + r.msg);
    });
  }

  await test('data-locale="auto" follows the page\'s lang; data- theme attributes apply', async () => {
    const site = await L.otherOrigin({
      "/de": `<!doctype html><html lang="de-DE"><meta charset=utf-8><title>Nachrichten</title><body>
        <script src="${BASE}/widget.js" data-campaign="${c.id}" data-locale="auto"
          data-accent="#8a1538" data-radius="0" data-font="Georgia, serif" data-text="rgb(10, 20, 30)"></script>`,
      "/css": `<!doctype html><html lang="en"><meta charset=utf-8><title>News</title><body>
        <style>.pledged-widget { --pledged-accent: rgb(0, 80, 160); --pledged-background: rgb(250, 245, 230) }</style>
        <script src="${BASE}/widget.js" data-campaign="${c.id}" data-accent="not a colour"></script>`,
    });
    try {
      let page = await L.openWidget(ctx, site.origin + "/de");
      eq(await text(page, ".raised"), WANT["de-DE"].raised, "German from lang=de-DE");
      const btn = page.locator(W + " .tiers button").nth(1);
      eq(await btn.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(138, 21, 56)", "accent");
      const box = page.locator(W + " .box");
      eq(await box.evaluate((b) => getComputedStyle(b).borderTopLeftRadius), "0px", "radius");
      eq(await box.evaluate((b) => getComputedStyle(b).color), "rgb(10, 20, 30)", "text colour");
      assert(/^Georgia/.test(await box.evaluate((b) => getComputedStyle(b).fontFamily)), "font");
      await page.close();
      page = await L.openWidget(ctx, site.origin + "/css");
      eq(await page.locator(W + " .tiers button").nth(1).evaluate((b) => getComputedStyle(b).backgroundColor),
         "rgb(0, 80, 160)", "accent from the host page's CSS custom property");
      eq(await page.locator(W + " .box").evaluate((b) => getComputedStyle(b).backgroundColor),
         "rgb(250, 245, 230)", "background from CSS");
      assert(page.errors.some((e) => /data-accent="not a colour" is not a color/.test(e)),
             "a bad attribute is named in the console: " + page.errors);
      await page.close();
    } finally {
      site.close();
    }
  });

  await test("the script: gzipped under 10 KB, versioned for a year, no cookie", async () => {
    const gz = await rawGet(BASE + "/widget.js", { "Accept-Encoding": "gzip, br" });
    eq(gz.headers["content-encoding"], "gzip", "Content-Encoding");
    assert(/Accept-Encoding/.test(gz.headers.vary), "Vary: " + gz.headers.vary);
    assert(gz.body.length < 10240, "gzipped size " + gz.body.length);
    const plain = await rawGet(BASE + "/widget.js", { "Accept-Encoding": "gzip;q=0, identity" });
    assert(!plain.headers["content-encoding"], "identity when gzip is refused");
    assert(zlib.gunzipSync(gz.body).equals(plain.body), "the same script");
    eq(gz.headers["cache-control"], "public, max-age=300", "short cache at /widget.js");
    const index = (await rawGet(BASE + "/")).body.toString();
    const src = /<script src="(\/static\/[0-9a-f]{16}\/widget\.js)"/.exec(index);
    assert(src, "the demo page loads the script by version");
    const v = await rawGet(BASE + src[1], { "Accept-Encoding": "gzip" });
    eq(v.headers["cache-control"], "public, max-age=31536000, immutable", "cached for a year");
    assert(v.body.equals(gz.body), "same bytes");
    eq((await rawGet(BASE + "/static/0123456789abcdef/widget.js")).status, 404, "another version");
    for (const r of [gz, plain, v]) assert(!r.headers["set-cookie"], "no cookie");
    eq((await rawGet(BASE + "/widget/strings/fr.json")).status, 200, "French words");
    eq((await rawGet(BASE + "/widget/strings/xx.json")).status, 404, "no such language");
    eq((await rawGet(BASE + "/widget/strings/..%2fadmin.js")).status, 404, "only words");
    const cookies = await ctx.cookies();
    eq(cookies.length, 0, "cookies in the browser");
    eq(away.length, 0, "requests elsewhere: " + away);
  });

  await ctx.done();
})().catch((e) => { console.error(e); process.exit(1); });
