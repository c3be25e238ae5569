// Starts stripe-stateful-mock (an independent Stripe API emulator from the
// npm registry, tests/stripe/package-lock.json) on a free loopback port,
// through the "Custom" start its README documents (createExpressApp), so
// that it listens on 127.0.0.1 only and picks its own port: no race for a
// port chosen beforehand. Prints the port on stdout once it listens; exits
// on SIGTERM or SIGINT, its state gone. scripts/test starts and stops it.
'use strict';
const http = require('http');
const mock = require('stripe-stateful-mock');

try {
    // The emulator logs through loglevel; quiet unless LOG_LEVEL says.
    require('loglevel').setLevel(process.env.LOG_LEVEL || 'warn');
} catch (e) { /* its default level then */ }

const server = http.createServer(mock.createExpressApp());
server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
