// The official Standard Webhooks library's verdict on headers that OUR code
// made (tests/check_webhook_sig.c writes them, runs this, reads the exit
// status): each must be accepted as is, and refused once its body, its
// timestamp or its id is tampered with. verify() reads the clock: it runs
// with Date.now at each case's own timestamp.
// Usage: node tests/webhooks/verify.js CASES.json   (exit 0: all as expected)
'use strict';
const fs = require('fs');
const {Webhook} = require('standardwebhooks');

const {cases} = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const real = Date.now;
let bad = 0;
function accepts(c, body, id, ts) {
    Date.now = () => c.timestamp * 1000;
    try {
        new Webhook(c.secret).verify(body, {
            'webhook-id': id, 'webhook-timestamp': String(ts),
            'webhook-signature': c.signature}, {jsonParse: false});
        return true;
    } catch (e) {
        return false;
    } finally {
        Date.now = real;
    }
}
cases.forEach((c, i) => {
    const expect = (what, got, want) => {
        if (got !== want) {
            console.error(`verify.js: case ${i} (${c.id}): ${what}: ` +
                          `${got ? 'accepted' : 'refused'}`);
            bad++;
        }
    };
    expect('as sent', accepts(c, c.body, c.id, c.timestamp), true);
    expect('body with a byte appended',
           accepts(c, c.body + '\n', c.id, c.timestamp), false);
    expect('timestamp + 1', accepts(c, c.body, c.id, c.timestamp + 1), false);
    expect('another id', accepts(c, c.body, c.id + 'x', c.timestamp), false);
});
console.log(`verify.js: standardwebhooks checked ${cases.length} of our ` +
            `headers, ${bad} wrong verdicts`);
process.exit(bad ? 1 : 0);
