// The dashboard as staff run a campaign from it (issue 20): a refused token
// explained; create a campaign (the API's validation shown at its field),
// edit its tiers, find a pledge by email, refund it, and the chart (from
// the series endpoint) follows; times with their zone; audit pass and fail;
// a phone's width. Real Chromium (in Paris time), real server.
"use strict";
const crypto = require("crypto");
const L = require("./lib");
const { BASE, test, assert, eq } = L;

const shown = (page, sel) => page.locator(sel).first().textContent();

(async () => {
  const ctx = await L.launch({ timezoneId: "Europe/Paris" });
  const page = await ctx.newPage();
  const cspErrors = [];
  page.on("console", (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });
  const id = "d-" + crypto.randomBytes(4).toString("hex");

  await test("a refused token is explained", async () => {
    await page.goto(BASE + "/admin");
    await page.fill("#token", "mistyped-token");
    await page.click("#login-form button");
    await page.waitForFunction(() => document.getElementById("login-msg").textContent.length > 0);
    const msg = await shown(page, "#login-msg");
    assert(/not accepted/.test(msg) && /revoked/.test(msg) && /pledged token create/.test(msg), msg);
    assert(msg !== "unauthorized", "more than the code");
    await page.fill("#token", L.token());
    await page.click("#login-form button");
    await page.locator("#campaigns tbody tr").first().waitFor();
  });

  await test("create a campaign: the API's validation message at its field, then created", async () => {
    await page.click("#new-campaign");
    await page.fill("#campaign-form [name=id]", id);
    await page.fill("#campaign-form [name=title]", "Night desk fund");
    await page.fill("#campaign-form [name=currency]", "EUR");
    await page.fill("#campaign-form [name=goal_minor]", "10,000");
    await page.fill("#campaign-form [name=tiers]", "0, 10, 25, 50");
    await page.fill("#campaign-form [name=deadline]", "2020-01-01T12:00");
    await page.fill("#campaign-form [name=allowed_origins]", "https://news.example\nhttps://blog.example");
    await page.click("#editor-submit");
    await page.waitForFunction(() => document.getElementById("err-deadline").textContent.length > 0);
    const err = await shown(page, "#err-deadline");
    const api = await L.admin("POST", "/v1/admin/campaigns", { id: id + "-x", title: "x", currency: "EUR",
      goal_minor: 1, tiers: [0], deadline: "2020-01-01T11:00:00Z" });
    eq(err, api.body.error.message, "the API's own message");
    eq(await page.getAttribute("#campaign-form [name=deadline]", "aria-invalid"), "true", "marked invalid");
    await page.fill("#campaign-form [name=deadline]", "2099-06-30T18:00");
    await page.click("#editor-submit");
    await page.locator("#campaigns tbody tr", { hasText: id }).waitFor();
    const c = await (await fetch(`${BASE}/v1/campaigns/${id}`)).json();
    eq(JSON.stringify(c.tiers), "[0,1000,2500,5000]", "tiers in minor units");
    eq(c.goal_minor, 1000000, "goal");
    eq(c.deadline, "2099-06-30T16:00:00.000000Z", "deadline: 18:00 in Paris (summer) is 16:00 UTC");
    eq(JSON.stringify(c.allowed_origins), '["https://news.example","https://blog.example"]', "origins");
  });

  await test("edit its tiers", async () => {
    await page.locator("#campaigns tbody tr", { hasText: id }).locator("button").click();
    await page.click("#edit-campaign");
    eq(await page.inputValue("#campaign-form [name=tiers]"), "0, 10, 25, 50", "current tiers shown");
    assert(await page.isDisabled("#campaign-form [name=id]"), "the id cannot change");
    await page.fill("#campaign-form [name=tiers]", "0, 5, 20, 100");
    await page.click("#editor-submit");
    await page.waitForFunction(() => /Saved/.test(document.getElementById("app-msg").textContent));
    // The public read is served from the totals cache, refreshed by the
    // change's NOTIFY just after the answer: wait for it, a few seconds.
    let c;
    for (let i = 0; i < 50; i++) {
      c = await (await fetch(`${BASE}/v1/campaigns/${id}`)).json();
      if (JSON.stringify(c.tiers) === "[0,500,2000,10000]") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    eq(JSON.stringify(c.tiers), "[0,500,2000,10000]", "tiers saved");
  });

  let when;
  await test("find a pledge by email, refund it: the chart follows", async () => {
    await L.pledge(id, 2000, { donor_name: "Ines", donor_email: "ines@example.org" });
    await L.pledge(id, 10000, { donor_name: "Karl", donor_email: "karl@example.org" });
    await L.totalsUntil(id, (t) => t.supporters === 2);
    await page.waitForFunction(() => document.getElementById("chart").getAttribute("data-raised-minor") === "12000");
    const before = await page.getAttribute("#chart path.raised", "d");
    await page.fill("#search-q", "INES@example");
    await page.click("#search-form button[type=submit]");
    await page.waitForFunction(() => /matching/.test(document.getElementById("pledges-title").textContent));
    const rows = page.locator("#pledges tbody tr");
    eq(await rows.count(), 1, "one pledge found");
    assert((await rows.first().textContent()).includes("ines@example.org"), "Ines's");
    when = await rows.first().locator("time").textContent();
    page.once("dialog", (d) => d.accept());
    await rows.first().locator("button.danger").click();
    await page.waitForFunction(() => /Refunded/.test(document.getElementById("detail-msg").textContent));
    await page.waitForFunction(() => document.getElementById("chart").getAttribute("data-raised-minor") === "10000");
    const after = await page.getAttribute("#chart path.raised", "d");
    assert(after !== before, "the line moved: " + before + " -> " + after);
    const label = await page.getAttribute("#chart", "aria-label");
    assert(/^Raised 100 €, from \w+ \d+, \d{4} UTC to .* per day\.$/.test(label), "named for screen readers: " + label);
  });

  await test("times carry their time zone", async () => {
    assert(/GMT\+1|CET|GMT\+2|CEST/.test(when), "Paris time, said so: " + when);
  });

  await test("audit: PASS, then FAIL with each problem listed", async () => {
    await page.click("#audit");
    await page.waitForFunction(() => /PASS|FAIL/.test(document.getElementById("audit-result").textContent));
    assert((await shown(page, "#audit-result")).startsWith("PASS"), await shown(page, "#audit-result"));
    L.psql("SET session_replication_role = replica; UPDATE campaign_totals SET supporters = supporters + 1, " +
           "raised_minor = raised_minor + 1 WHERE campaign_id = :'v1'", id);
    await page.click("#audit");
    await page.waitForFunction(() => /FAIL/.test(document.getElementById("audit-result").textContent));
    const items = await page.locator("#audit-problems li").allTextContents();
    assert(items.length === 2 && items.some((i) => /supporters/.test(i)) && items.some((i) => /raised_minor/.test(i)),
           "problems listed: " + JSON.stringify(items));
    L.psql("SET session_replication_role = replica; UPDATE campaign_totals SET supporters = supporters - 1, " +
           "raised_minor = raised_minor - 1 WHERE campaign_id = :'v1'", id);
  });

  await test("a phone's width: nothing overflows", async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.click("#search-clear");
    await page.locator("#pledges tbody tr").nth(1).waitFor();
    const w = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert(w <= 360, "page width " + w);
    const label = await page.locator("#pledges tbody td").first().evaluate((td) =>
      getComputedStyle(td, "::before").content);
    assert(/When/.test(label), "each cell names its column: " + label);
  });

  await test("attribution: gifts from two articles shown per article and source", async () => {
    const site = await L.otherOrigin({});
    const art = (title) => `<!doctype html><html lang="en"><meta charset=utf-8><title>${title}</title><body>
      <article><h1>${title}</h1><script src="${BASE}/widget.js" data-campaign="ATTR"></script></article>`;
    try {
      const c = await L.newCampaign({ title: "Attribution fund", allowed_origins: [site.origin] });
      const pages = { "/news/river": art("River"), "/news/budget": art("Budget") };
      for (const k in pages) pages[k] = pages[k].replace("ATTR", c.id);
      L.setPages(site, pages);
      for (const url of [`/news/river?utm_source=newsletter&utm_medium=email&utm_campaign=nov&token=secret#top`,
                         `/news/budget`, `/news/budget?utm_source=social`]) {
        const reader = await L.openWidget(ctx, site.origin + url);
        await reader.locator(L.W + " .tiers button").nth(2).click();
        await reader.locator(L.W + " .receipt").waitFor();
        await reader.close();
      }
      const api = (await L.admin("GET", `/v1/admin/campaigns/${c.id}/sources`)).body.sources;
      assert(!JSON.stringify(api).includes("secret") && !JSON.stringify(api).includes("#top"), "no query kept");
      const river = api.find((s) => s.page === site.origin + "/news/river");
      assert(river && river.utm_source === "newsletter" && river.utm_medium === "email" &&
             river.utm_campaign === "nov" && river.gifts === 1 && river.raised_minor === 2500,
             "river: " + JSON.stringify(api));
      const budget = api.filter((s) => s.page === site.origin + "/news/budget");
      eq(budget.length, 2, "budget: plain and from social");
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.reload();
      await page.fill("#token", L.token());
      await page.click("#login-form button");
      await page.locator("#campaigns tbody tr", { hasText: c.id }).locator("button").click();
      await page.locator("#sources tbody tr").nth(2).waitFor();
      const rows = await page.locator("#sources tbody tr").allTextContents();
      assert(rows.some((r) => r.includes("/news/river") && r.includes("newsletter / email / nov") && r.includes("25 €")),
             "river row: " + JSON.stringify(rows));
      assert(rows.filter((r) => r.includes("/news/budget")).length === 2, "budget rows: " + JSON.stringify(rows));
    } finally {
      site.close();
    }
  });

  await test("moderation from the dashboard: approve a name for the widget's list", async () => {
    const m = await L.newCampaign({ supporters_list: "moderated", title: "Moderated fund" });
    await L.pledge(m.id, 1000, { donor_name: "Olga" });
    await page.reload();
    await page.fill("#token", L.token());
    await page.click("#login-form button");
    await page.locator("#campaigns tbody tr", { hasText: m.id }).locator("button").click();
    const row = page.locator("#pledges tbody tr", { hasText: "Olga" });
    assert((await row.textContent()).includes("awaiting approval"), "awaiting: " + await row.textContent());
    await row.locator("button.mod-approved").click();
    await page.waitForFunction(() => /approved/.test(
      [...document.querySelectorAll("#pledges tbody tr")].find((r) => /Olga/.test(r.textContent)).textContent));
    const pub = await (await fetch(`${BASE}/v1/campaigns/${m.id}/supporters`)).json();
    eq(JSON.stringify(pub.supporters.map((s) => s.name)), '["Olga"]', "listed after approval");
  });

  await test("no CSP violations", async () => {
    eq(cspErrors.length, 0, "CSP: " + cspErrors);
  });

  await ctx.done();
})().catch((e) => { console.error(e); process.exit(1); });
