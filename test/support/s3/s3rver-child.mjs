// Runs s3rver in a process of its own, started by s3-server.ts as
// `node --openssl-legacy-provider s3rver-child.mjs <directory> <bucket>`: s3rver encrypts
// ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through the legacy
// provider, and that flag must be on the process running s3rver (it cannot be enabled inside a
// running vitest worker). Prints `{"port":N}` once listening; exits when its stdin closes, so the
// server never outlives its parent (stop(), or the parent dying, closes the pipe).
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) {
  process.stderr.write('usage: s3rver-child.mjs <directory> <bucket>\n');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

let exiting = false;
const exit = () => {
  if (exiting) return;
  exiting = true;
  server.httpServer?.closeAllConnections?.();
  server.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.on('error', exit);
process.stdin.resume();
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
