// The widget as readers meet it (issue 20): tier marks that never overlap,
// a cleared form, a receipt a reader recognises, a closed or expired
// campaign, and failures in the reader's words (the cause in the console).
// Real Chromium, real server. Prints "N passed, N failed".
"use strict";
const L = require("./lib");
const { BASE, W, test, assert, eq } = L;

const text = (page, sel) => page.locator(W + " " + sel).first().textContent();

// Marks drawn (in the DOM) and whether any two of them touch.
async function markBoxes(page) {
  return page.evaluate((sel) => [...document.querySelector(sel).shadowRoot.querySelectorAll(".mark")]
    .map((m) => { const r = m.getBoundingClientRect(); return { t: m.textContent, l: r.left, r: r.right }; }), W);
}
function overlapping(boxes) {
  for (let i = 1; i < boxes.length; i++)
    if (boxes[i].l < boxes[i - 1].r) return boxes[i - 1].t + " / " + boxes[i].t;
  return null;
}

// Refreshes the server's cached campaign after a change made with psql.
function touch(cid, sql) {
  L.psql(sql + ", version = version + 1 WHERE id = :'v1'; SELECT pg_notify('pledged_totals', :'v1')", cid);
}

(async () => {
  const ctx = await L.launch();
  const c = await L.newCampaign({ title: "River fund" }); // 0 / 10 / 25 / 50 € toward 10,000 €

  await test("tier marks never overlap: 0 / 10 / 25 / 50 € toward 10,000 €, wide and on a phone", async () => {
    for (const width of [1000, 360]) {
      const page = await ctx.newPage();
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${BASE}/embed/${c.id}`);
      await page.locator(W + " .raised").waitFor();
      const boxes = await markBoxes(page);
      assert(!overlapping(boxes), `overlap at ${width} px: ${overlapping(boxes)}`);
      eq(boxes[0].t, "0 €", "the first mark stays");
      eq(boxes[boxes.length - 1].t, "10,000 €", "the goal stays");
      await page.close();
    }
    // Where there is room, every mark is drawn (help-us: 0 / 2,500 / 5,000 $).
    const page = await L.openWidget(ctx, BASE + "/embed/help-us");
    eq((await markBoxes(page)).map((b) => b.t).join("|"), "0 $|2,500 $|5,000 $", "all marks with room");
    await page.close();
  });

  await test("tier marks are drawn again when the widget narrows", async () => {
    const wide = await L.newCampaign({ tiers: [0, 300000, 600000] }); // 0 / 3,000 / 6,000 / 10,000 €
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 900, height: 800 });
    await page.goto(`${BASE}/embed/${wide.id}`);
    await page.locator(W + " .raised").waitFor();
    eq((await markBoxes(page)).length, 4, "four marks at 900 px");
    await page.setViewportSize({ width: 240, height: 800 });
    await page.waitForFunction((sel) => document.querySelector(sel).shadowRoot.querySelectorAll(".mark").length < 4, W);
    const boxes = await markBoxes(page);
    assert(!overlapping(boxes), "no overlap at 240 px: " + JSON.stringify(boxes));
    await page.close();
  });

  let page;
  await test("after a pledge: a cleared form and a receipt a reader recognises", async () => {
    page = await L.openWidget(ctx, `${BASE}/embed/${c.id}`);
    const posted = [];
    page.on("response", async (r) => {
      if (r.request().method() === "POST" && /\/pledges$/.test(r.url())) posted.push(await r.json());
    });
    await page.locator(W + " input[name=amount]").fill("12.50");
    await page.locator(W + " input[name=donor_name]").fill("Ana");
    await page.locator(W + " form button[type=submit]").click();
    await page.locator(W + " .receipt").waitFor();
    eq(await page.locator(W + " input[name=amount]").inputValue(), "", "amount cleared");
    eq(await page.locator(W + " input[name=donor_name]").inputValue(), "", "name cleared");
    const p = posted[0].pledge;
    eq(await text(page, ".receipt h3"), "Your receipt", "heading");
    const rows = await page.locator(W + " .receipt dt").allTextContents();
    const vals = await page.locator(W + " .receipt dd").allTextContents();
    eq(rows.join("|"), "Amount|Campaign|Date|Receipt number", "rows");
    eq(vals[0], "12.50 €", "amount");
    eq(vals[1], "River fund", "campaign");
    const year = new Date(p.created_at).getUTCFullYear();
    assert(vals[2].includes(String(year)) && /\d{1,2}:\d{2}/.test(vals[2]) && /(UTC|GMT|[A-Z]{3,4})$/.test(vals[2]),
           "date with time and zone: " + vals[2]);
    eq(vals[3], p.id, "receipt number");
    assert(!/Receipt id/.test(await text(page, ".thanks")), "no bare 'Receipt id'");
    // Save: a page of its own with the same details and the signed receipt.
    const href = await page.locator(W + " .receipt a.save").getAttribute("href");
    const saved = decodeURIComponent(href.replace(/^data:text\/html;charset=utf-8,/, ""));
    assert(saved.includes("12.50 €") && saved.includes("River fund") && saved.includes(p.id) &&
           saved.includes(posted[0].receipt.signature), "saved receipt: " + saved.slice(0, 300));
    eq(await page.locator(W + " .receipt a.save").getAttribute("download"), `receipt-${p.id}.html`, "file name");
    await page.locator(W + " .receipt a.verify").click();
    await page.waitForFunction((sel) => /valid/.test(
      document.querySelector(sel).shadowRoot.querySelector(".receipt .verified").textContent), W);
    assert((await text(page, ".receipt .verified")).includes("signature valid"), "verifies");
    eq(await page.locator(W + " .receipt button.verify-gift").count(), 1, "'Verify my gift' (issue 18) in the receipt");
  });

  await test("failures in the reader's words, the cause in the console: a refused name", async () => {
    page.errors.length = 0;
    await page.locator(W + " input[name=donor_name]").fill("bell\u0007");
    await page.locator(W + " .tiers button").nth(1).click();
    const msg = await L.msgMatching(page, /accepted/);
    eq(msg, "Your pledge could not be accepted. Please check the amount and your name.", "message");
    assert(page.errors.some((e) => /422 invalid_value on donor_name/.test(e)), "console: " + page.errors);
  });

  await test("a campaign closed while the page was open: shown as ended, no buttons", async () => {
    const r = await L.admin("PATCH", `/v1/admin/campaigns/${c.id}`, { status: "closed" });
    eq(r.status, 200, "closed by staff");
    await page.locator(W + " input[name=donor_name]").fill("");
    await page.locator(W + " .tiers button").nth(1).click();
    await page.locator(W + " .closed").waitFor();
    eq(await text(page, ".closed"), "This campaign has ended. Thank you for your support!", "message");
    eq(await page.locator(W + " button").count(), 0, "no buttons");
    eq(await page.locator(W + " form").count(), 0, "no form");
    assert(page.errors.some((e) => /409 campaign_closed/.test(e)), "console: " + page.errors);
    await page.close();
    const again = await L.openWidget(ctx, `${BASE}/embed/${c.id}?locale=fr-FR`);
    eq(await text(again, ".closed"), "Cette campagne est terminée. Merci de votre soutien !", "closed, in French");
    eq(await again.locator(W + " button").count(), 0, "no buttons on a new page");
    assert((await text(again, ".raised")).includes("collectés"), "totals still shown");
    await again.close();
  });

  await test("a campaign past its deadline: shown as ended, no buttons", async () => {
    const e = await L.newCampaign({});
    touch(e.id, "UPDATE campaigns SET deadline = now() - interval '1 minute'");
    let pub;
    for (let i = 0; i < 250; i++) { // the server's cache follows the notification
      pub = await (await fetch(`${BASE}/v1/campaigns/${e.id}`)).json();
      if (pub.deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    eq(pub.status, "open", "still open: only the deadline closes it");
    const p2 = await L.openWidget(ctx, `${BASE}/embed/${e.id}`);
    assert(pub.deadline && Date.parse(pub.deadline) < Date.now(), "deadline passed: " + pub.deadline);
    eq(await text(p2, ".closed"), "This campaign has ended. Thank you for your support!", "message");
    eq(await p2.locator(W + " button").count(), 0, "no buttons");
    await p2.close();
  });

  await test("a page whose origin is not allowed: told so, not 'Network problem'; nothing recorded", async () => {
    const o = await L.newCampaign({});
    const site = await L.otherOrigin({ "/": `<!doctype html><meta charset=utf-8><title>Blog</title><body>
      <script src="${BASE}/widget.js" data-campaign="${o.id}"></script>` });
    try {
      const p3 = await L.openWidget(ctx, site.origin + "/");
      await p3.locator(W + " .tiers button").nth(1).click();
      const msg = await L.msgMatching(p3, /cannot take pledges/);
      assert(!/Network/.test(msg), "not a network problem: " + msg);
      assert(p3.errors.some((e) => e.includes(site.origin + " is not in the allowed_origins of campaign")),
             "console names the origin: " + p3.errors);
      eq((await (await fetch(`${BASE}/v1/campaigns/${o.id}/totals`)).json()).supporters, 0, "nothing recorded");
      await p3.close();
    } finally {
      site.close();
    }
  });

  await test("recent supporters: names only when not anonymous, none hidden by staff", async () => {
    const s = await L.newCampaign({ supporters_list: "public" });
    await L.pledge(s.id, 1000, { donor_name: "Ana" });
    await L.pledge(s.id, 1000, { donor_name: "Secret", anonymous: true });
    const bob = (await L.pledge(s.id, 1000, { donor_name: "Bob" })).pledge.id;
    eq((await L.admin("POST", `/v1/admin/pledges/${bob}/moderation`, { state: "hidden" })).status, 200, "hidden");
    const p4 = await L.openWidget(ctx, `${BASE}/embed/${s.id}`);
    await p4.locator(W + " .supporters li").nth(2).waitFor();
    eq((await p4.locator(W + " .supporters li").allTextContents()).join("|"),
       "An anonymous supporter|An anonymous supporter|Ana", "list");
    eq(await text(p4, ".supporters h3"), "Recent supporters", "heading");
    // A new pledge from this page appears at the top.
    await p4.locator(W + " input[name=donor_name]").fill("Zoe");
    await p4.locator(W + " .tiers button").nth(1).click();
    await p4.waitForFunction((sel) => {
      const li = document.querySelector(sel).shadowRoot.querySelector(".supporters li");
      return li && li.textContent === "Zoe";
    }, W);
    await p4.close();
  });

  await test("moderated: nothing shown until staff approve, then only those", async () => {
    const m = await L.newCampaign({ supporters_list: "moderated" });
    const cleo = (await L.pledge(m.id, 1000, { donor_name: "Cleo" })).pledge.id;
    await L.pledge(m.id, 1000, { donor_name: "Dan" });
    let p5 = await L.openWidget(ctx, `${BASE}/embed/${m.id}?locale=fr-FR`);
    await p5.waitForTimeout(300);
    eq(await p5.locator(W + " .supporters li").count(), 0, "no names before approval");
    await p5.close();
    eq((await L.admin("POST", `/v1/admin/pledges/${cleo}/moderation`, { state: "approved" })).status, 200, "approved");
    p5 = await L.openWidget(ctx, `${BASE}/embed/${m.id}?locale=fr-FR`);
    await p5.locator(W + " .supporters li").first().waitFor();
    eq((await p5.locator(W + " .supporters li").allTextContents()).join("|"), "Cleo", "only Cleo");
    eq(await text(p5, ".supporters h3"), "Soutiens récents", "in French");
    await p5.close();
  });

  await ctx.done();
})().catch((e) => { console.error(e); process.exit(1); });
