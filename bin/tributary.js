#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // A command that is done exits even if a connector abandoned after its graceful-stop timeout
    // still holds the event loop (the timer is unref'd: a clean exit does not wait for it).
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err) => {
    process.stderr.write(`tributary: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
