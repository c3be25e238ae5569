// The official Standard Webhooks library's verdict on deliveries that OUR
// server sent to a test's receiver (tests/http/test_webhooks.py): each as
// received must verify with the endpoint's secret, and must not once its
// body or its timestamp is changed.
// Usage: node check_deliveries.js FILE.json, where FILE holds
//   {"secret": "whsec_...", "deliveries": [{"headers": {...}, "body": "..."}]}
// Prints one line of JSON: [{"ok": bool, "tampered_body": bool,
// "tampered_timestamp": bool}, ...] (true: the library accepted it).
'use strict';
const fs = require('fs');
const {Webhook} = require('standardwebhooks');

const {secret, deliveries} = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const wh = new Webhook(secret);
const real = Date.now;
function accepts(body, headers) {
    // verify() refuses a timestamp far from its clock: judge each delivery
    // at the time it was signed.
    Date.now = () => Number(headers['webhook-timestamp']) * 1000;
    try {
        wh.verify(body, headers);
        return true;
    } catch (e) {
        return false;
    } finally {
        Date.now = real;
    }
}
const out = deliveries.map(({headers, body}) => {
    const h = {'webhook-id': headers['webhook-id'],
               'webhook-timestamp': headers['webhook-timestamp'],
               'webhook-signature': headers['webhook-signature']};
    return {
        ok: accepts(body, h),
        tampered_body: accepts(body.replace(/"amount_minor":(\d)/, '"amount_minor":9$1'), h),
        tampered_timestamp: accepts(body, {...h, 'webhook-timestamp':
                                           String(Number(h['webhook-timestamp']) + 1)}),
    };
});
process.stdout.write(JSON.stringify(out) + '\n');
