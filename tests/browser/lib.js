// Shared by the browser tests that came with issue 20 (locale, reader):
// the runner, Chromium, the admin API, psql and pages on another origin.
"use strict";
const { chromium } = require("playwright-core");
const http = require("http");
const crypto = require("crypto");
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const BASE = process.env.PLEDGED_URL;
const W = ".pledged-widget"; // Playwright's CSS pierces open shadow roots
const results = [];

async function test(name, fn) {
  try {
    await fn();
    results.push([name, null]);
    console.log("ok   " + name);
  } catch (e) {
    results.push([name, e]);
    console.log("FAIL " + name + "\n" + (e && e.stack));
    if (process.env.PLEDGED_FAILFAST === "1") process.exit(1);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error("assertion failed: " + msg);
}

function eq(got, want, what) {
  assert(got === want, `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

function psql(sql, ...vars) {
  const args = [process.env.DATABASE_URL, "-XtAq", "-v", "ON_ERROR_STOP=1"];
  vars.forEach((v, i) => args.push("-v", `v${i + 1}=${v}`));
  return execFileSync("psql", args, { input: sql }).toString().trim();
}

function token() {
  return fs.readFileSync(process.env.PLEDGED_ADMIN_TOKEN_FILE, "utf8").trim();
}

async function admin(method, p, body) {
  const r = await fetch(BASE + p, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { Authorization: "Bearer " + token(), "Content-Type": "application/json",
               "Idempotency-Key": crypto.randomUUID() },
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

// A new campaign (EUR, 0 / 10 / 25 / 50 € toward 10,000 € unless told).
async function newCampaign(fields) {
  const body = Object.assign({
    id: "t-" + crypto.randomBytes(5).toString("hex"), title: "Local news fund",
    currency: "EUR", goal_minor: 1000000, tiers: [0, 1000, 2500, 5000], allowed_origins: [],
  }, fields);
  const r = await admin("POST", "/v1/admin/campaigns", body);
  assert(r.status === 201, "campaign created: " + r.status + " " + JSON.stringify(r.body));
  return r.body;
}

// A pledge through the public API, as another reader would.
async function pledge(cid, amount, extra) {
  const r = await fetch(`${BASE}/v1/campaigns/${cid}/pledges`, {
    method: "POST", body: JSON.stringify(Object.assign({ amount_minor: amount }, extra)),
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
  });
  assert(r.status === 201, "pledge: " + r.status);
  return r.json();
}

async function totalsUntil(cid, ok) {
  let t;
  for (let i = 0; i < 250; i++) {
    t = await (await fetch(`${BASE}/v1/campaigns/${cid}/totals`)).json();
    if (ok(t)) return t;
    await new Promise((r) => setTimeout(r, 20));
  }
  return t;
}

// A web server on another origin; pages[path] is the HTML it serves.
async function otherOrigin(pages) {
  const server = http.createServer((req, res) => {
    const html = server.pages[req.url.split("?")[0]];
    res.writeHead(html ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html || "not here");
  });
  server.pages = pages;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close(), server };
}

async function launch(options) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "pledged-chromium-"));
  const ctx = await chromium.launchPersistentContext(userDir, {
    ...options,
    executablePath: "/usr/bin/chromium", headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  ctx.done = async () => {
    await ctx.close();
    fs.rmSync(userDir, { recursive: true, force: true });
    const failed = results.filter((r) => r[1]).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  };
  return ctx;
}

// Opens url and waits for the widget to show its totals; console errors
// are kept in page.errors.
async function openWidget(ctx, url) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  await page.goto(url);
  await page.locator(W + " .raised").waitFor();
  return page;
}

// Waits until the widget's status line matches re; returns its text.
async function msgMatching(page, re) {
  await page.waitForFunction(([sel, src]) => {
    const m = document.querySelector(sel).shadowRoot.querySelector(".msg");
    return m && new RegExp(src).test(m.textContent);
  }, [W, re.source]);
  return page.locator(W + " .msg").first().textContent();
}

// Replaces the pages a server of otherOrigin() serves.
function setPages(site, pages) { site.server.pages = pages; }

module.exports = { setPages, BASE, W, test, assert, eq, psql, token, admin, newCampaign, pledge, totalsUntil,
                   otherOrigin, launch, openWidget, msgMatching };
