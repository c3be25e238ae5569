// Signs a webhook payload (stdin) the way Stripe does, with Stripe's own
// library (stripe.webhooks.generateTestHeaderString), never with our code:
//   node sign.js SECRET [TIMESTAMP]   prints the Stripe-Signature header.
// The HTTP tests (tests/http/stripe_events.py) call it for every event.
'use strict';
const Stripe = require('stripe');

const [secret, t] = process.argv.slice(2);
if (!secret) {
    console.error('usage: node sign.js SECRET [TIMESTAMP] < payload');
    process.exit(2);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
    const payload = Buffer.concat(chunks).toString('utf8');
    const stripe = new Stripe('sk_test_sign');
    const opts = {payload, secret};
    if (t) opts.timestamp = Number(t);
    process.stdout.write(stripe.webhooks.generateTestHeaderString(opts) + '\n');
});
