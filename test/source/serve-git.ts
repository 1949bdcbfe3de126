import { startGitHttpServer } from '../support/git-http-server.js';

// `git http-backend` behind HTTP in a process of its own, so what the server buffers
// does not count in the memory of the test that reads from it. Prints the URL, serves until killed.
const server = await startGitHttpServer({ root: process.argv[2] });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
