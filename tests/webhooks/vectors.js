// Test vectors for tests/check_webhook_sig.c, made by independent code,
// never by ours:
// - every v1 signature is the official Standard Webhooks library's
//   (standardwebhooks, Webhook.sign), for random secrets of 24 to 64 bytes,
//   ids, timestamps and bodies (UTF-8, empty, a NUL byte, 100 KiB);
// - every v1a is Node's own Ed25519 (OpenSSL underneath) over the same
//   signed content, with a random seed the vectors carry: Ed25519 is
//   deterministic, so ours must be the same bytes;
// - each header is checked here by the library's verify(): accepted as is
//   (v1 and v1a side by side: it must skip the v1a), refused once the body,
//   the timestamp or the id is tampered with. verify() reads the clock, so
//   it runs with Date.now at the vector's timestamp.
// Usage: node tests/webhooks/vectors.js OUT.json
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const {Webhook} = require('standardwebhooks');

const out = process.argv[2];
if (!out) {
    console.error('usage: node vectors.js OUT.json');
    process.exit(2);
}
const pick = (a) => a[crypto.randomInt(a.length)];
const now = Math.floor(Date.now() / 1000);

// Ed25519 from a raw 32-byte seed: PKCS#8 DER is a fixed prefix + seed.
const seed = crypto.randomBytes(32);
const edKey = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'),
                        seed]),
    format: 'der', type: 'pkcs8'});
const publicKey = crypto.createPublicKey(edKey)
    .export({format: 'der', type: 'spki'}).subarray(-32);

const bodies = [
    '',
    '{}',
    JSON.stringify({type: 'pledge.created', event_seq: 42,
                    data: {amount_minor: 2500, currency: 'USD'}}),
    JSON.stringify({type: 'campaign.updated', data: {title: 'Café für alle — ' +
        '新聞 📰 عربي'}}, null, 2),
    'not JSON at all, with dots... and\r\nCRLF',
    'a NUL \u0000 inside',
    '🎉'.repeat(7),
    JSON.stringify({blob: crypto.randomBytes(75 * 1024).toString('base64')}),
];
const idChars =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const randomId = (n) =>
    Array.from({length: n}, () => pick(idChars)).join('');
const ids = () => pick([
    'msg_' + crypto.randomUUID().replace(/-/g, ''),
    crypto.randomUUID(),
    'evt_' + randomId(12),
    randomId(1),
    randomId(64),
]);
const timestamps = () => pick([
    0, 1, now, now - 299, now + 299, crypto.randomInt(2 ** 31),
    9999999999, 8640000000000, // the largest second a JS Date holds
]);

function verdict(wh, body, id, ts, signature, at) {
    const real = Date.now;
    Date.now = () => at * 1000;
    try {
        wh.verify(body, {'webhook-id': id, 'webhook-timestamp': String(ts),
                         'webhook-signature': signature},
                  {jsonParse: false});
        return true;
    } catch (e) {
        return false;
    } finally {
        Date.now = real;
    }
}

const cases = [];
for (let i = 0; i < 48; i++) {
    const keyLen = i < 3 ? [24, 32, 64][i] : 24 + crypto.randomInt(41);
    const secret = 'whsec_' + crypto.randomBytes(keyLen).toString('base64');
    const body = i < bodies.length ? bodies[i] : pick(bodies);
    const id = ids(), timestamp = timestamps();
    const wh = new Webhook(secret);
    const v1 = wh.sign(id, new Date(timestamp * 1000), body);
    const content = Buffer.from(`${id}.${timestamp}.${body}`, 'utf8');
    const v1a = 'v1a,' + crypto.sign(null, content, edKey).toString('base64');
    const signature = `${v1} ${v1a}`;
    const fail = (what) => {
        console.error(`vectors.js: case ${i}: ${what}`);
        process.exit(1);
    };
    if (!crypto.verify(null, content, edKey, Buffer.from(v1a.slice(4),
                                                         'base64')))
        fail('Node refuses its own Ed25519 signature');
    if (!verdict(wh, body, id, timestamp, signature, timestamp))
        fail('the library refuses its own signature');
    if (!verdict(wh, body, id, timestamp, v1a + ' ' + v1, timestamp))
        fail('the library refuses v1 after v1a');
    if (verdict(wh, body + ' ', id, timestamp, signature, timestamp))
        fail('the library accepts a body with a byte appended');
    if (body.length > 0 &&
        verdict(wh, (body[0] === 'x' ? 'y' : 'x') + body.slice(1), id,
                timestamp, signature, timestamp))
        fail('the library accepts a tampered body');
    if (verdict(wh, body, id, timestamp + 1, signature, timestamp))
        fail('the library accepts a tampered timestamp');
    if (verdict(wh, body, id + 'x', timestamp, signature, timestamp))
        fail('the library accepts a tampered id');
    if (verdict(wh, body, id, timestamp, v1a, timestamp))
        fail('the library accepts v1a alone (it knows only v1)');
    cases.push({secret, id, timestamp, body, v1, v1a, signature});
}

fs.writeFileSync(out, JSON.stringify({
    library: 'standardwebhooks ' + require('standardwebhooks/package.json')
        .version,
    now,
    ed25519_seed: seed.toString('base64'),
    ed25519_public_key: publicKey.toString('base64'),
    cases,
}, null, 1));
console.log(`vectors.js: ${cases.length} webhook signatures in ${out}`);
