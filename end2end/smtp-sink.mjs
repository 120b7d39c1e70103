// A real SMTP server for the tests (the npm `smtp-server` package), on loopback: every mail it
// accepts is printed to stdout as one JSON line { from, to, data }. The port is the first
// argument (0: any free one); the chosen port is printed first as { listening: port }. With
// --readable (`make run-mail`), each mail is printed for a person instead: who, the subject and
// its plain-text part.
//   node end2end/smtp-sink.mjs 2525 [--readable]
import { SMTPServer } from 'smtp-server';

const readable = process.argv.includes('--readable');

/// A mail as a person reads it: the envelope, the subject and the text part, quoted-printable undone.
function show(mail) {
  const unfolded = mail.data.replace(/=\r\n/g, '').replace(/\r\n /g, ' ');
  const subject = /^Subject: (.*)$/m.exec(unfolded)?.[1] ?? '';
  const text = /Content-Type: text\/plain[^]*?\r\n\r\n([^]*?)\r\n--/.exec(unfolded)?.[1] ?? '';
  const decoded = text.replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return `\n==== mail to ${mail.to.join(', ')} ====\nSubject: ${subject}\n\n${decoded}\n`;
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const mail = {
        from: session.envelope.mailFrom?.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        data: Buffer.concat(chunks).toString('utf8'),
      };
      process.stdout.write(readable ? show(mail) : `${JSON.stringify(mail)}\n`);
      callback();
    });
  },
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const port = server.server.address().port;
  process.stdout.write(readable ? `SMTP server on 127.0.0.1:${port}: mail sent to it is shown here\n` : `${JSON.stringify({ listening: port })}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
