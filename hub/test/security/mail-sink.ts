import { createServer, type Server } from 'node:http';

/** A local mail relay (DS_MAIL_TRANSPORT=http://…): collects the JSON mails the hub posts. */
export async function startMailSink(): Promise<{
  url: string;
  mails: { to: string; subject: string; text: string }[];
  close(): Promise<void>;
}> {
  const mails: { to: string; subject: string; text: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      mails.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/mail`, mails, close: () => new Promise((r) => server.close(() => r())) };
}
