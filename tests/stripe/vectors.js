// Test vectors for tests/check_stripe_sig.c and tests/check_stripe_event.c,
// made by independent code, never by ours:
// - every Stripe-Signature is signed by Stripe's own library
//   (stripe.webhooks.generateTestHeaderString), and the verdict each case
//   expects is checked here against Stripe's own verifier
//   (stripe.webhooks.constructEvent, tolerance 300 s, at the same "now");
//   the one place we differ on purpose is a timestamp too far in the
//   future, which Stripe's library accepts and we refuse;
// - the charge, refund and dispute objects inside the events are the
//   answers of stripe-stateful-mock (the Stripe emulator, run here
//   in-process on a loopback port) to Stripe's own client; the Checkout
//   Session, which the emulator does not have, follows the documented
//   shape (docs.stripe.com/api/checkout/sessions/object).
// Usage: node tests/stripe/vectors.js OUT.json
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const Stripe = require('stripe');
const mock = require('stripe-stateful-mock');

try { require('loglevel').setLevel('silent'); } catch (e) { /* default */ }

const out = process.argv[2];
if (!out) {
    console.error('usage: node vectors.js OUT.json');
    process.exit(2);
}
const secret = () => 'whsec_' + crypto.randomBytes(24).toString('base64url');
const A = secret(), B = secret(), C = secret();
const now = Math.floor(Date.now() / 1000);
const stripe = new Stripe('sk_test_vectors');
const sign = (payload, key, t, scheme) =>
    stripe.webhooks.generateTestHeaderString({payload, secret: key,
                                             timestamp: t, scheme});
const v1 = (header) => /v1=([0-9a-f]+)/.exec(header)[1];

// What Stripe's own verifier says: valid for any of the secrets.
function stripeSays(c) {
    return c.secrets.split(',').some((key) => {
        try {
            stripe.webhooks.constructEvent(c.payload, c.header, key.trim(),
                                           300, undefined, c.now * 1000);
            return true;
        } catch (e) {
            return false;
        }
    });
}

function signatureCases(payload) {
    const cases = [];
    const add = (name, header, secrets, valid, reason, extra = {}) =>
        cases.push({name, header, payload: extra.payload || payload, secrets,
                    now, valid, reason: reason || '', ...extra});
    const hA = sign(payload, A, now);
    add('valid', hA, A, true);
    add('valid, secret list with blanks', hA, ` ${A} , `, true);
    add('age 300 s: the edge, accepted', sign(payload, A, now - 300), A, true);
    add('age 301 s: too old', sign(payload, A, now - 301), A, false,
        'timestamp outside the tolerance');
    add('an hour old', sign(payload, A, now - 3600), A, false,
        'timestamp outside the tolerance');
    add('300 s ahead: the edge, accepted', sign(payload, A, now + 300), A, true);
    add('301 s ahead: too far in the future', sign(payload, A, now + 301), A,
        false, 'timestamp outside the tolerance', {future: true});
    const hB = sign(payload, B, now), hC = sign(payload, C, now);
    add('two v1, the second right', `t=${now},v1=${v1(hC)},v1=${v1(hA)}`, A,
        true);
    add('two v1, the first right', `t=${now},v1=${v1(hA)},v1=${v1(hC)}`, A,
        true);
    add('two v1, none right', `t=${now},v1=${v1(hB)},v1=${v1(hC)}`, A, false,
        'no signature matches');
    add('rotation: signed with the second secret', hB, `${A},${B}`, true);
    add('rotation: signed with the first secret', hA, `${A},${B}`, true);
    add('rotation: three secrets, the last right', hB, `${C},${A},${B}`, true);
    add('an unknown secret', hC, `${A},${B}`, false, 'no signature matches');
    add('tampered body', hA, A, false, 'no signature matches',
        {payload: payload.replace('"amount": 2500', '"amount": 2600')});
    add('one byte appended to the body', hA, A, false, 'no signature matches',
        {payload: payload + '\n'});
    add('tampered timestamp', hA.replace(`t=${now}`, `t=${now - 1}`), A,
        false, 'no signature matches');
    add('no v1, only v0 (signed with the right secret)',
        sign(payload, A, now, 'v0'), A, false, 'no v1 signature');
    add('v0 beside a right v1 is ignored',
        `${hA},v0=${v1(hC)}`, A, true);
    add('no timestamp', `v1=${v1(hA)}`, A, false, 'no timestamp');
    add('two timestamps', `t=${now - 1000},${hA}`, A, false,
        'malformed header', {stripe_differs: 'Stripe\'s library takes the ' +
        'last t; Stripe never sends two, we refuse the ambiguity'});
    add('timestamp not a number', `t=now,v1=${v1(hA)}`, A, false,
        'malformed header');
    add('garbage', 'garbage', A, false, 'no timestamp');
    add('empty header', '', A, false, 'malformed header');
    add('v1 of the wrong length', `t=${now},v1=${v1(hA).slice(2)}`, A, false,
        'no v1 signature');
    add('v1 in upper case hex', `t=${now},v1=${v1(hA).toUpperCase()}`, A,
        false, 'no v1 signature');
    for (const c of cases) {
        const says = stripeSays(c);
        if (says !== c.valid && !c.future && !c.stripe_differs) {
            console.error(`vectors.js: "${c.name}": we expect ${c.valid}, ` +
                          `Stripe's library says ${says}`);
            process.exit(1);
        }
        c.stripe_library_says = says;
    }
    return cases;
}

// Wraps an API object in an event as Stripe delivers it.
let seq = 0;
function event(type, object, prev) {
    const e = {
        id: 'evt_' + crypto.randomBytes(12).toString('hex'),
        object: 'event',
        api_version: '2020-08-27',
        created: now - 60 + seq++,
        data: {object},
        livemode: false,
        pending_webhooks: 1,
        request: {id: 'req_' + crypto.randomBytes(7).toString('hex'),
                  idempotency_key: null},
        type,
    };
    if (prev)
        e.data.previous_attributes = prev;
    return e;
}

async function emulatorEvents() {
    const server = http.createServer(mock.createExpressApp());
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    const api = new Stripe('sk_test_vectors', {
        host: '127.0.0.1', port: server.address().port, protocol: 'http',
        maxNetworkRetries: 0,
    });
    const pledge = crypto.randomUUID();
    const events = [];
    try {
        const cus = await api.customers.create({source: 'tok_visa'});
        const paid = await api.charges.create({
            amount: 2500, currency: 'usd', customer: cus.id,
            metadata: {pledge_id: pledge}});
        events.push({name: 'charge.succeeded', pledge_id: pledge,
                     payload: event('charge.succeeded', paid)});
        const held = await api.charges.create({
            amount: 1000, currency: 'eur', source: 'tok_mastercard',
            capture: false, metadata: {pledge_id: pledge}});
        const captured = await api.charges.capture(held.id);
        events.push({name: 'charge.captured', pledge_id: pledge,
                     payload: event('charge.captured', captured,
                                    {captured: false})});
        await api.refunds.create({charge: paid.id, amount: 500});
        const refunded = await api.charges.retrieve(paid.id);
        events.push({name: 'charge.refunded', pledge_id: pledge,
                     payload: event('charge.refunded', refunded,
                                    {amount_refunded: 0})});
        try {
            await api.charges.create({
                amount: 700, currency: 'usd', source: 'tok_chargeDeclined',
                metadata: {pledge_id: pledge}});
            throw new Error('tok_chargeDeclined was charged');
        } catch (e) {
            if (!e.raw || !e.raw.charge)
                throw e;
            const failed = await api.charges.retrieve(e.raw.charge);
            events.push({name: 'charge.failed', pledge_id: pledge,
                         payload: event('charge.failed', failed)});
        }
        const disputed = await api.charges.create({
            amount: 4200, currency: 'usd', source: 'tok_createDispute',
            metadata: {pledge_id: pledge}});
        await new Promise((ok) => setTimeout(ok, 50));
        const withDispute = await api.charges.retrieve(disputed.id);
        const dispute = await api.disputes.retrieve(withDispute.dispute);
        events.push({name: 'charge.dispute.created', pledge_id: pledge,
                     payload: event('charge.dispute.created', dispute)});
    } finally {
        server.close();
    }
    return events;
}

// A Payment Link's Checkout Session, in the documented shape.
function sessionEvent(type, paymentStatus, status) {
    const pledge = crypto.randomUUID();
    return {name: type, pledge_id: pledge, payload: event(type, {
        id: 'cs_test_' + crypto.randomBytes(20).toString('hex'),
        object: 'checkout.session',
        amount_subtotal: 5000,
        amount_total: 5000,
        cancel_url: null,
        client_reference_id: pledge,
        currency: 'usd',
        customer: null,
        customer_details: {email: 'donor@example.org', name: null},
        expires_at: now + 86400,
        livemode: false,
        metadata: {},
        mode: 'payment',
        payment_intent: status === 'expired' ? null
            : 'pi_' + crypto.randomBytes(12).toString('hex'),
        payment_link: 'plink_' + crypto.randomBytes(12).toString('hex'),
        payment_method_types: ['card'],
        payment_status: paymentStatus,
        status,
        success_url: 'https://example.org/thanks',
        url: null,
    })};
}

(async () => {
    const events = await emulatorEvents();
    events.push(sessionEvent('checkout.session.completed', 'paid', 'complete'));
    events.push(sessionEvent('checkout.session.expired', 'unpaid', 'expired'));
    events.push({name: 'customer.created', payload: event('customer.created', {
        id: 'cus_' + crypto.randomBytes(7).toString('hex'),
        object: 'customer'})});
    for (const e of events)
        e.payload = JSON.stringify(e.payload, null, 2); // as Stripe sends it
    const charge = events.find((e) => e.name === 'charge.succeeded');
    const vectors = {now, secrets: [A, B, C],
                     signatures: signatureCases(charge.payload), events};
    fs.writeFileSync(out, JSON.stringify(vectors, null, 1));
    console.log(`vectors.js: ${vectors.signatures.length} signatures, ` +
                `${events.length} events in ${out}`);
})().catch((e) => {
    console.error('vectors.js:', e);
    process.exit(1);
});
