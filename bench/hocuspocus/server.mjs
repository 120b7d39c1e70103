// The Hocuspocus server of the comparison: `node server.mjs <port> sqlite <file>` persists every
// document with @hocuspocus/extension-sqlite (on its default debounce: 2 s, at most 10 s);
// `node server.mjs <port> memory` keeps documents in memory only. Loopback only.
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const [port, persistence, file] = process.argv.slice(2);
if (!port || !['sqlite', 'memory'].includes(persistence) || (persistence === 'sqlite' && !file)) {
  console.error('usage: node server.mjs <port> sqlite <file> | node server.mjs <port> memory');
  process.exit(2);
}

const server = new Server({
  port: Number(port),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  extensions: persistence === 'sqlite' ? [new SQLite({ database: file })] : [],
  // The same admission Peerwall makes at the socket: a token naming the board. (Peerwall also
  // checks the caller's role in the database on every command; Hocuspocus has no such hook.)
  async onAuthenticate({ token, documentName }) {
    if (typeof token !== 'string' || !token.startsWith(`${documentName}:`)) {
      throw new Error('not a member of this board');
    }
  },
});

await server.listen();
console.log('ready');
